using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Telecable.Functions.Http.Pagos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Observabilidad;
using Telecable.Infrastructure.Pagos;

namespace Telecable.Functions.Timers;

/// <summary>
/// Payment timers. ConciliarLiquidaciones, daily: reconciles each settlement report the gateway left in Pagos:DirectorioLiquidaciones (emulated
/// gateway: one JSON file per day). A day already reconciled, or being reconciled by another host, is skipped.
/// IniciarPagosConfirmados, every few seconds (PagosInicioCron): starts ProcesarPago for confirmed payments
/// that have none yet. Webhooks leave their payments to it, so a gateway's burst is acknowledged at the
/// speed of one INSERT while the sagas catch up; it also recovers a start lost between a commit and a
/// crash. Starting is idempotent (instance id = payment id), so overlapping runs on two hosts are harmless.
/// </summary>
public sealed class TareasPagos(ServicioConciliacion conciliacion, ServicioPagos pagos, ServicioWebhooks webhooks, IOptions<OpcionesPagos> opciones,
    IOptions<OpcionesWebhooksPagos> opcionesWebhooks, ILogger<TareasPagos> log)
{
    /// <summary>Daily: rejected and duplicate webhook deliveries are kept Webhooks:Pagos:RetencionDias (30), so strangers cannot grow the table forever.</summary>
    [Function(nameof(PurgarWebhooks))]
    public async Task PurgarWebhooks([TimerTrigger("0 40 3 * * *")] TimerInfo timer, CancellationToken ct)
    {
        Correlacion.Establecer(Correlacion.Normalizar(null));
        var n = await webhooks.PurgarAsync(opcionesWebhooks.Value.RetencionDias, ct);
        log.LogInformation("Webhooks: {Cantidad} entregas rechazadas o duplicadas eliminadas", n);
    }

    [Function(nameof(IniciarPagosConfirmados))]
    public async Task IniciarPagosConfirmados([TimerTrigger("%PagosInicioCron%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken ct)
    {
        var cid = Correlacion.Normalizar(null);
        Correlacion.Establecer(cid);
        IReadOnlyList<Guid> ids;
        while ((ids = await pagos.PorIniciarAsync(500, ct)).Count > 0)
        {
            foreach (var id in ids) await IniciadorPagos.IniciarAsync(durable, id, cid, ct);
            await pagos.MarcarIniciadosAsync(ids, ct);
        }
    }

    [Function(nameof(ConciliarLiquidaciones))]
    public async Task ConciliarLiquidaciones([TimerTrigger("0 30 4 * * *")] TimerInfo timer, CancellationToken ct)
    {
        var cid = Correlacion.Normalizar(null);
        Correlacion.Establecer(cid);
        var dir = opciones.Value.DirectorioLiquidaciones;
        if (string.IsNullOrWhiteSpace(dir) || !Directory.Exists(dir)) return;
        foreach (var archivo in Directory.EnumerateFiles(dir, "*.json").Order())
        {
            try
            {
                await using var f = File.OpenRead(archivo);
                var reporte = await JsonSerializer.DeserializeAsync<ReporteLiquidacion>(f, JsonWeb.Opciones, ct)
                              ?? throw new ErrorValidacion("archivo", "vacío");
                var r = await conciliacion.EjecutarAsync(reporte, cid, ct);
                if (r is ResultadoEjecucion.Ejecutada e)
                    log.LogInformation("Conciliación {Id} de {Archivo}: {Coincidencias} coincidencias, {Faltantes} faltantes en sistema, {FaltantesPasarela} faltantes en pasarela, {Diferencias} diferencias",
                        e.Conciliacion.Id, archivo, e.Conciliacion.Coincidencias, e.Conciliacion.FaltantesSistema, e.Conciliacion.FaltantesPasarela, e.Conciliacion.DiferenciasMonto);
            }
            catch (Exception ex) when (ex is JsonException or ErrorValidacion)
            {
                log.LogError(ex, "Reporte de liquidación ilegible: {Archivo}", archivo);
            }
        }
    }
}
