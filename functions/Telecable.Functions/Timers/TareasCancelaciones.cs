using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Functions.Timers;

/// <summary>Cancellations waiting for the receptor's acceptance: every minute, asks the PAC where each stands and ends it
/// cancelada (accepted or 72 h of silence) or back to timbrada (rejected). Safe on any number of hosts (conditional updates).</summary>
public sealed class TareasCancelaciones(ServicioCancelacionesPendientes pendientes, OpcionesFacturacion opciones, ILogger<TareasCancelaciones> log)
{
    [Function(nameof(ConsultarCancelacionesPendientes))]
    public async Task ConsultarCancelacionesPendientes([TimerTrigger("30 * * * * *")] TimerInfo timer, CancellationToken ct)
    {
        if (!opciones.ConsultarCancelaciones) return;
        var cid = Correlacion.Nueva();
        var (canceladas, rechazadas, enProceso) = await pendientes.ActualizarAsync(cid, ct);
        if (canceladas + rechazadas > 0)
            log.LogInformation("Cancelaciones pendientes: {Canceladas} canceladas, {Rechazadas} rechazadas, {EnProceso} en proceso", canceladas, rechazadas, enProceso);
    }
}
