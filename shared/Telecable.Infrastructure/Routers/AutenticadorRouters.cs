using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Telecable.Infrastructure.Routers;

/// <summary>A router as the device authentication knows it.</summary>
public sealed record RouterAutenticado(Guid Id, string Serial, string Tecnologia);

/// <summary>
/// Device authentication: header <c>X-Router-Auth: &lt;serial&gt;:&lt;key&gt;</c> (over TLS). The key's SHA-256
/// is compared in constant time with routers.device_key_hash ("sha256:&lt;hex&gt;"); hashes are cached
/// briefly so the 10-second hot path does not read the routers table every time.
/// </summary>
public sealed class AutenticadorRouters(NpgsqlDataSource db, IOptions<OpcionesRouters> opciones, TimeProvider reloj)
{
    public const string Encabezado = "X-Router-Auth";

    private sealed record Entrada(RouterAutenticado? Router, byte[]? Hash, DateTimeOffset Expira);

    private readonly ConcurrentDictionary<string, Entrada> _cache = new(StringComparer.Ordinal);

    /// <summary>The router if the header is well formed and its key matches; null otherwise (401).</summary>
    public async ValueTask<RouterAutenticado?> AutenticarAsync(string? encabezado, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(encabezado) || encabezado.Length > 300) return null;
        var dos = encabezado.IndexOf(':');
        if (dos <= 0 || dos == encabezado.Length - 1) return null;
        var serial = encabezado[..dos];
        var clave = encabezado[(dos + 1)..];

        var ahora = reloj.GetUtcNow();
        if (!_cache.TryGetValue(serial, out var e) || e.Expira <= ahora)
        {
            e = await LeerAsync(serial, ahora, ct);
            if (_cache.Count >= MaximoCache) Depurar(ahora);
            _cache[serial] = e;
        }
        if (e.Router is null || e.Hash is null) return null;
        Span<byte> calculado = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(clave), calculado);
        return CryptographicOperations.FixedTimeEquals(calculado, e.Hash) ? e.Router : null;
    }

    /// <summary>Bound on cached serials, so random serials from an attacker cannot grow memory without limit.</summary>
    private const int MaximoCache = 2_000_000;

    private void Depurar(DateTimeOffset ahora)
    {
        foreach (var (serial, e) in _cache)
            if (e.Expira <= ahora) _cache.TryRemove(serial, out _);
        if (_cache.Count >= MaximoCache) _cache.Clear();
    }

    /// <summary>Forgets a cached key (after a key rotation).</summary>
    public void Olvidar(string serial) => _cache.TryRemove(serial, out _);

    private async Task<Entrada> LeerAsync(string serial, DateTimeOffset ahora, CancellationToken ct)
    {
        var expira = ahora.AddSeconds(opciones.Value.CacheClavesSegundos);
        await using var cmd = db.CreateCommand("SELECT id, tecnologia_clave, device_key_hash FROM routers WHERE serial = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = serial });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct) || r.IsDBNull(2)) return new Entrada(null, null, expira);
        var texto = r.GetString(2);
        byte[]? hash = null;
        if (texto.StartsWith("sha256:", StringComparison.Ordinal) && texto.Length == 7 + 64)
        {
            try { hash = Convert.FromHexString(texto.AsSpan(7)); } catch (FormatException) { }
        }
        return new Entrada(new RouterAutenticado(r.GetGuid(0), serial, r.GetString(1)), hash, expira);
    }

    /// <summary>"sha256:&lt;hex&gt;" of a device key, the form stored in routers.device_key_hash.</summary>
    public static string HashDe(string clave) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clave)));
}
