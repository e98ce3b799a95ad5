using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Npgsql;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Functions.Http.Plataforma;

public sealed record EstadoComponente(string Estado, double LatenciaMs, string? Error);
public sealed record EstadoSalud(string Estado, IReadOnlyDictionary<string, EstadoComponente> Componentes);

/// <summary>GET /api/health: PostgreSQL, blob storage, the durable backend and the issuer's CSD, each with state and latency.</summary>
public sealed class SaludFunciones(Api api, NpgsqlDataSource db, AlmacenBlobs blobs, ProveedorCsd csd)
{
    private static readonly TimeSpan Limite = TimeSpan.FromSeconds(3);

    /// <summary>No token (load balancers and uptime checks call it, unthrottled); reveals no configuration.</summary>
    [Function(nameof(Salud))]
    public Task<IActionResult> Salud(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "health")] HttpRequest req,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarAsync(req, Permiso.Firmada, async l =>
        {
            var postgres = Medir(async ct =>
            {
                await using var cmd = db.CreateCommand("SELECT 1");
                await cmd.ExecuteScalarAsync(ct);
            }, l.Ct);
            var blob = Medir(blobs.SondearAsync, l.Ct);
            // A point read of the instance store goes through the sidecar to the real backend (Azure Storage tables or memory).
            var orquestaciones = Medir(ct => durable.GetInstanceAsync("salud-sonda", ct), l.Ct);
            var c = new Dictionary<string, EstadoComponente>
            {
                ["postgres"] = await postgres,
                ["blobStorage"] = await blob,
                ["durableTask"] = await orquestaciones,
                ["csd"] = Csd(),
            };
            var ok = c.Values.All(x => x.Estado == "ok");
            return Respuestas.Json(ok ? 200 : 503, new EstadoSalud(ok ? "ok" : "degradado", c));
        });

    /// <summary>Loaded (a failed load is retried after its backoff), valid today, of Emisor:Rfc, key matching the
    /// certificate: without it no CFDI can be sealed, so the app is not healthy. The reason is a code, never a path.</summary>
    private EstadoComponente Csd()
    {
        var inicio = Stopwatch.GetTimestamp();
        var e = csd.Estado();
        return new EstadoComponente(e.Ok ? "ok" : "caido", Math.Round(Stopwatch.GetElapsedTime(inicio).TotalMilliseconds, 2), e.Codigo);
    }

    private static async Task<EstadoComponente> Medir(Func<CancellationToken, Task> sonda, CancellationToken ct)
    {
        var inicio = Stopwatch.GetTimestamp();
        using var limite = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limite.CancelAfter(Limite);
        try
        {
            await sonda(limite.Token);
            return new EstadoComponente("ok", Math.Round(Stopwatch.GetElapsedTime(inicio).TotalMilliseconds, 2), null);
        }
        catch (Exception ex)
        {
            // The reason is a type name, not a message: messages can carry host names and account names.
            var motivo = limite.IsCancellationRequested ? "timeout" : ex.GetType().Name;
            return new EstadoComponente("caido", Math.Round(Stopwatch.GetElapsedTime(inicio).TotalMilliseconds, 2), motivo);
        }
    }
}
