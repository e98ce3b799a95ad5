using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Telecable.Application.Facturacion;
using Telecable.Infrastructure.Facturacion;
using Telecable.Infrastructure.Observabilidad;

namespace Telecable.Functions.Timers;

/// <summary>SLA credits: every 5 minutes, closed outages are evaluated and earned credits issued as credit notes.</summary>
public sealed class TareasCreditosSla(IServicioCreditosSla creditos, OpcionesFacturacion opciones, ILogger<TareasCreditosSla> log)
{
    /// <summary>Safe on several hosts: each outage is evaluated once (unique key) and each credit's note is keyed by the credit.</summary>
    [Function(nameof(ProcesarCreditosSla))]
    public async Task ProcesarCreditosSla([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        if (!opciones.CreditosSla) return;
        var cid = Correlacion.Normalizar(null);
        Correlacion.Establecer(cid);
        var r = await creditos.ProcesarAsync(cid, ct);
        if (r.Pendientes > 0) log.LogInformation("Créditos SLA pendientes de factura o de PAC: {Pendientes}", r.Pendientes);
    }
}
