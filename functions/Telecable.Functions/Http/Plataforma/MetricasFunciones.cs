using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Observabilidad;
using Telecable.Infrastructure.Outbox;

namespace Telecable.Functions.Http.Plataforma;

/// <summary>
/// GET /api/metrics: Prometheus text exposition of this instance's metrics (admin token; Prometheus
/// sends it with bearer_token). Outbox lag and the orchestrations of the last 24 hours by name and
/// state are read at scrape time, from the database and from the durable backend (shared by all
/// instances, so those two are fleet-wide figures).
/// </summary>
public sealed class MetricasFunciones(Api api, MetricasPrometheus metricas, RelayOutbox relay)
{
    private static double _retrasoOutbox;
    private static volatile IReadOnlyList<System.Diagnostics.Metrics.Measurement<long>> _orquestaciones = [];

    private static readonly System.Diagnostics.Metrics.ObservableGauge<double> RetrasoOutbox =
        Telemetria.Medidor.CreateObservableGauge("telecable.outbox.retraso", () => _retrasoOutbox, unit: "s",
            description: "Edad del evento más viejo sin publicar en el outbox");

    private static readonly System.Diagnostics.Metrics.ObservableGauge<long> Orquestaciones =
        Telemetria.Medidor.CreateObservableGauge("telecable.orquestaciones", () => _orquestaciones,
            description: "Orquestaciones creadas en las últimas 24 horas, por nombre y estado");

    [Function(nameof(Metricas))]
    public Task<IActionResult> Metricas(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "metrics")] HttpRequest req,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin), async l =>
        {
            _ = (RetrasoOutbox, Orquestaciones);
            _retrasoOutbox = (await relay.RetrasoAsync(l.Ct)).TotalSeconds;
            _orquestaciones = await ContarOrquestacionesAsync(durable, l.Ct);
            return new RespuestaJson(200, metricas.Renderizar(), "text/plain; version=0.0.4; charset=utf-8");
        });

    private static async Task<IReadOnlyList<System.Diagnostics.Metrics.Measurement<long>>> ContarOrquestacionesAsync(DurableTaskClient durable, CancellationToken ct)
    {
        var cuentas = new Dictionary<(string, string), long>();
        var consulta = new OrchestrationQuery { CreatedFrom = DateTimeOffset.UtcNow.AddHours(-24), PageSize = 500 };
        var leidas = 0;
        await foreach (var o in durable.GetAllInstancesAsync(consulta).WithCancellation(ct))
        {
            var clave = (o.Name, o.RuntimeStatus.ToString());
            cuentas[clave] = cuentas.GetValueOrDefault(clave) + 1;
            if (++leidas >= 20_000) break; // bounded scrape cost
        }
        return cuentas.Select(c => new System.Diagnostics.Metrics.Measurement<long>(c.Value,
            new KeyValuePair<string, object?>("nombre", c.Key.Item1), new KeyValuePair<string, object?>("estado", c.Key.Item2))).ToList();
    }
}
