using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Facturacion;
using Telecable.Infrastructure.Observabilidad;
using Telecable.Infrastructure.Operacion;

namespace Telecable.Functions.Http.Plataforma;

/// <summary>
/// GET /api/metrics: Prometheus text exposition of this instance's metrics (admin token; Prometheus
/// sends it with bearer_token). Read at scrape time and fleet-wide (shared stores): the state of
/// operations from the database (<see cref="MetricasOperacion"/>), the orchestrations of the last 24 hours
/// by name and state from the durable backend, and whether each dependency answered
/// (telecable_dependencia_disponible): a dependency that is down leaves the other figures in the answer.
/// </summary>
public sealed class MetricasFunciones(Api api, MetricasPrometheus metricas, ServicioOperacion operacion, AlmacenBlobs blobs, ProveedorCsd csd)
{
    // Within Prometheus's 10 s scrape timeout; counting a day of orchestrations pages through the task hub, hence more time.
    private static readonly TimeSpan LimiteLectura = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan LimiteDurable = TimeSpan.FromSeconds(8);
    private static volatile IReadOnlyList<System.Diagnostics.Metrics.Measurement<long>> _orquestaciones = [];

    private static readonly System.Diagnostics.Metrics.ObservableGauge<long> Orquestaciones =
        Telemetria.Medidor.CreateObservableGauge("telecable.orquestaciones", () => _orquestaciones,
            description: "Orquestaciones creadas en las últimas 24 horas, por nombre y estado");

    [Function(nameof(Metricas))]
    public Task<IActionResult> Metricas(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "metrics")] HttpRequest req,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin), async l =>
        {
            _ = Orquestaciones;
            await Task.WhenAll(
                MetricasOperacion.SondearAsync("postgres", async ct => MetricasOperacion.Fijar(await operacion.LeerAsync(ct)), LimiteLectura, l.Ct),
                MetricasOperacion.SondearAsync("blobStorage", blobs.SondearAsync, LimiteLectura, l.Ct),
                MetricasOperacion.SondearAsync("durableTask", async ct => _orquestaciones = await ContarOrquestacionesAsync(durable, ct), LimiteDurable, l.Ct),
                // Without a usable CSD no CFDI can be sealed: loaded, valid today, of the issuer (as /api/health says).
                MetricasOperacion.SondearAsync("csd", _ => csd.Estado() is { Ok: false } e
                    ? Task.FromException(new CsdNoDisponible(e.Codigo ?? "csd_no_disponible", "El CSD del emisor no está disponible."))
                    : Task.CompletedTask, LimiteLectura, l.Ct));
            return new RespuestaJson(200, await metricas.RenderizarAsync(l.Ct), "text/plain; version=0.0.4; charset=utf-8");
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
