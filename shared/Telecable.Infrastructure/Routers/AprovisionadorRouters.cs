using System.Text.Json;
using Microsoft.Extensions.Logging;
using Telecable.Application.Routers;

namespace Telecable.Infrastructure.Routers;

/// <summary>
/// Production: the technician copies the key shown once by the technician portal into the router (or the ACS pushes it);
/// the server has nothing to send and keeps only the hash.
/// </summary>
public sealed class AprovisionamientoEnSitio : IAprovisionadorRouters
{
    public Task AprovisionarAsync(string serial, string claveDispositivo, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// The router emulator's "flash": adds serial → key to the JSON key store the emulator re-reads on every poll
/// (<c>Routers:ArchivoClavesEmulador</c>, set by scripts/up.sh), so a router installed during the demo starts posting
/// with its own key and the outage detector never sees it silent. Written to a temporary file and renamed, so the
/// emulator never reads half a file.
/// </summary>
public sealed class AprovisionamientoEmulado(string archivo, ILogger<AprovisionamientoEmulado> log) : IAprovisionadorRouters
{
    private static readonly SemaphoreSlim Escritura = new(1, 1);

    public async Task AprovisionarAsync(string serial, string claveDispositivo, CancellationToken ct)
    {
        await Escritura.WaitAsync(ct);
        try
        {
            var claves = File.Exists(archivo)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(archivo, ct)) ?? []
                : [];
            claves[serial] = claveDispositivo;
            var temporal = archivo + ".tmp";
            await File.WriteAllTextAsync(temporal, JsonSerializer.Serialize(claves, new JsonSerializerOptions { WriteIndented = true }), ct);
            File.Move(temporal, archivo, overwrite: true);
            log.LogInformation("Router {Serial} aprovisionado en el emulador ({Archivo})", serial, archivo);
        }
        finally
        {
            Escritura.Release();
        }
    }
}
