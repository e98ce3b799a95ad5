using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Telecable.Application.Facturacion;
using Telecable.Application.Observabilidad;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Functions.Timers;

/// <summary>SLA credits: every 5 minutes, closed outages are evaluated and earned credits issued as credit notes.</summary>
public sealed class TareasCreditosSla(IServicioCreditosSla creditos, IServicioNotasCredito notas, OpcionesFacturacion opciones, ILogger<TareasCreditosSla> log)
{
    /// <summary>Safe on several hosts: each outage is evaluated once (unique key) and each credit's note is keyed by the credit.
    /// It also re-sends credit notes left sealed for over 5 minutes (a 503 nobody retried, a crash), so no reservation stays
    /// on an invoice without its stamped note.</summary>
    [Function(nameof(ProcesarCreditosSla))]
    public async Task ProcesarCreditosSla([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        if (!opciones.CreditosSla) return;
        var cid = Correlacion.Nueva();
        await ReanudacionSellados.ReanudarAsync(notas.ReanudarSelladasAsync, "Notas de crédito", cid, log, ct);
        var r = await creditos.ProcesarAsync(cid, ct);
        if (r.Pendientes > 0) log.LogInformation("Créditos SLA pendientes de factura o de PAC: {Pendientes}", r.Pendientes);
    }
}
