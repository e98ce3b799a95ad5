using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Telecable.Infrastructure.Datos;

namespace Telecable.Functions;

/// <summary>
/// Start-up work before the host serves traffic: pending migrations (and the demo seed when asked),
/// and the metrics listener, created now so it sees the first requests' measurements.
/// </summary>
public sealed class MigracionAlIniciar(Migrador migrador, IOptions<OpcionesPostgres> op, Telecable.Infrastructure.Observabilidad.MetricasPrometheus metricas) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        _ = metricas;
        if (op.Value.MigrarAlIniciar) await migrador.MigrarAsync(ct);
        if (op.Value.CargarDemo) await migrador.CargarDemoAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
