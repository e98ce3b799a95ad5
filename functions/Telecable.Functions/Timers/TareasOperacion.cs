using Microsoft.Azure.Functions.Worker;
using Telecable.Application.Observabilidad;
using Telecable.Infrastructure.Operacion;

namespace Telecable.Functions.Timers;

/// <summary>
/// MuestrearOperacion, every minute: records the state of operations as a sample for the operations page,
/// and refreshes the gauges of <see cref="MetricasOperacion"/>, which in Azure reach Application Insights
/// only through this (nothing scrapes /api/metrics there) and feed the alerts of alertas.bicep.
/// </summary>
public sealed class TareasOperacion(ServicioOperacion operacion)
{
    [Function(nameof(MuestrearOperacion))]
    public async Task MuestrearOperacion([TimerTrigger("0 * * * * *")] TimerInfo timer, CancellationToken ct)
    {
        Correlacion.Nueva();
        MetricasOperacion.Fijar(await operacion.MuestrearAsync(ct));
    }
}
