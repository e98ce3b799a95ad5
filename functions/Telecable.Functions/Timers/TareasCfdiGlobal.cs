using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Telecable.Application.Facturacion;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Functions.Timers;

/// <summary>The global CFDI of the month that just closed, within SAT's 24 hours.</summary>
public sealed class TareasCfdiGlobal(IServicioCfdiGlobal globales, IServicioFacturaRecibo facturasDeRecibos, OpcionesFacturacion opciones, TimeProvider reloj,
    ILogger<TareasCfdiGlobal> log)
{
    /// <summary>
    /// Every hour at minute 30: re-sends a global CFDI, or the invoice of a receipt, left sealed (a crash, the PAC down) and, on the first two days of a month
    /// (Mexico City), issues the previous month's one if it has none (the deadline is the end of day 1; day 2 catches a missed
    /// day 1, flagged fuera_de_plazo). Safe on several hosts: one CFDI per period (advisory lock and unique index).
    /// </summary>
    [Function(nameof(EmitirCfdiGlobalMensual))]
    public async Task EmitirCfdiGlobalMensual([TimerTrigger("0 30 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        if (!opciones.CfdiGlobal) return;
        var cid = Correlacion.Nueva();
        await ReanudacionSellados.ReanudarAsync(globales.ReanudarSelladosAsync, "CFDI globales", cid, log, ct);
        // The invoices of receipts left sealed (PAC down, nobody repeated the request) are re-sent with the same XML too.
        await ReanudacionSellados.ReanudarAsync(facturasDeRecibos.ReanudarSelladasAsync, "Facturas de recibos", cid, log, ct);
        var hoy = reloj.Hoy();
        if (hoy.Day > 2) return;
        var periodo = new DateOnly(hoy.Year, hoy.Month, 1).AddMonths(-1);
        try
        {
            var r = await globales.EmitirAsync(periodo, "timer", cid, ct);
            if (r.Creado) log.LogInformation("CFDI global de {Periodo}: {Estado}, {Recibos} recibos", Periodo.Texto(periodo), r.Cfdi.Estado, r.Cfdi.Recibos);
        }
        catch (ErrorConflicto e) when (e.Codigo == "sin_recibos")
        {
            log.LogInformation("Sin recibos para el CFDI global de {Periodo}", Periodo.Texto(periodo));
        }
    }
}
