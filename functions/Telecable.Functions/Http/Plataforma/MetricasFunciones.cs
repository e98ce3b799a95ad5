using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Observabilidad;
using Telecable.Infrastructure.Outbox;

namespace Telecable.Functions.Http.Plataforma;

/// <summary>
/// GET /api/metrics: Prometheus text exposition of this instance's metrics (admin token; Prometheus
/// sends it with bearer_token). Outbox lag is read from the database at scrape time.
/// </summary>
public sealed class MetricasFunciones(Api api, MetricasPrometheus metricas, RelayOutbox relay)
{
    private static double _retrasoOutbox;
    private static readonly System.Diagnostics.Metrics.ObservableGauge<double> RetrasoOutbox =
        Telemetria.Medidor.CreateObservableGauge("telecable.outbox.retraso", () => _retrasoOutbox, unit: "s",
            description: "Edad del evento más viejo sin publicar en el outbox");

    [Function(nameof(Metricas))]
    public Task<IActionResult> Metricas(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "metrics")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin), async l =>
        {
            _ = RetrasoOutbox;
            _retrasoOutbox = (await relay.RetrasoAsync(l.Ct)).TotalSeconds;
            return new RespuestaJson(200, metricas.Renderizar(), "text/plain; version=0.0.4; charset=utf-8");
        });
}
