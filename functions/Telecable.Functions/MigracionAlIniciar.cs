using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Telecable.Infrastructure.Datos;

namespace Telecable.Functions;

/// <summary>Applies pending migrations (and the demo seed when asked) before the host serves traffic.</summary>
public sealed class MigracionAlIniciar(Migrador migrador, IOptions<OpcionesPostgres> op) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        if (op.Value.MigrarAlIniciar) await migrador.MigrarAsync(ct);
        if (op.Value.CargarDemo) await migrador.CargarDemoAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
