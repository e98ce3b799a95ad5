using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Telecable.Application.Pagos;
using Telecable.Application.Observabilidad;
using Telecable.Functions.Sagas;
using Telecable.Functions.Http.Pagos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Pagos;
using Telecable.Orchestrations.ProcesarPago;

namespace Telecable.Functions.Timers;

/// <summary>
/// Payment timers. ConciliarLiquidaciones, daily: reconciles each settlement file the providers left in blob storage
/// (Pagos:ContenedorLiquidaciones, one CSV per provider and day). A day already reconciled, or being reconciled by another host, is skipped.
/// IniciarPagosConfirmados, every few seconds (PagosInicioCron): starts ProcesarPago for confirmed payments
/// that have none yet. Webhooks leave their payments to it, so a gateway's burst is acknowledged at the
/// speed of one INSERT while the sagas catch up; it also recovers a start lost between a commit and a
/// crash. Starting is idempotent (instance id = payment id, or the batch's first payment), so overlapping runs on two hosts are
/// harmless. From Pagos:LoteMinimo payments waiting at once it starts batches (ProcesarPagosLote) instead (issue 24).
/// </summary>
public sealed class TareasPagos(ServicioLiquidaciones liquidaciones, ServicioPagos pagos, ServicioWebhooks webhooks,
    IOptions<OpcionesWebhooksPagos> opcionesWebhooks, IOptions<OpcionesPagos> opcionesPagos, ILogger<TareasPagos> log)
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
        var o = opcionesPagos.Value;
        while ((ids = await pagos.PorIniciarAsync(500, ct)).Count > 0)
        {
            if (ids.Count < Math.Max(1, o.LoteMinimo))
            {
                foreach (var id in ids) await IniciadorPagos.IniciarAsync(durable, id, cid, ct);
                await pagos.MarcarIniciadosAsync(ids, ct);
                continue;
            }
            // A burst: one ProcesarPagosLote per batch (each payment still runs its saga inside it).
            foreach (var lote in ids.Chunk(Math.Max(1, o.TamanoLote)))
            {
                var instancia = ProcesarPagosLote.InstanciaPara(lote);
                await durable.IniciarUnaVezAsync(nameof(ProcesarPagosLote), new EntradaProcesarPagosLote(lote, cid), instancia, ct);
                await pagos.MarcarIniciadosAsync(lote, ct, instancia);
            }
            log.LogInformation("Pagos confirmados: {Pagos} iniciados en lotes de {Tamano}", ids.Count, o.TamanoLote);
        }
    }

    [Function(nameof(ConciliarLiquidaciones))]
    public async Task ConciliarLiquidaciones([TimerTrigger("0 30 4 * * *")] TimerInfo timer, CancellationToken ct)
    {
        var cid = Correlacion.Normalizar(null);
        Correlacion.Establecer(cid);
        // Each provider's settlement CSV in blob storage (ServicioLiquidaciones): days already reconciled are skipped,
        // an unreadable file is logged and the others go on.
        var r = await liquidaciones.IngestarAsync(cid, ct);
        log.LogInformation("Liquidaciones: {Conciliadas} conciliadas, {Ya} ya conciliadas, {Ilegibles} ilegibles", r.Conciliadas, r.YaConciliadas, r.Ilegibles);
    }
}
