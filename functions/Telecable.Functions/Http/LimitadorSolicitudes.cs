using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Telecable.Functions.Http;

/// <summary>
/// Per-client limits, token buckets per client address (<see cref="DireccionCliente"/>: X-Forwarded-For only
/// from known proxies), answering 429 with Retry-After when empty. Anonymous calls to public endpoints
/// (catalog, sign-in) spend a token each (Limites:AnonimoPorMinuto, 300). Endpoints that authenticate by
/// signature or device key spend one only when they refuse the caller (Limites:FallosFirmadosPorMinuto, 60),
/// so a gateway or router that signs right is never slowed while a stranger cannot fill webhook_eventos or
/// guess device keys. Per instance: in Azure, Front Door or API Management enforce the global limit.
/// </summary>
public sealed class LimitadorSolicitudes(IConfiguration config, DireccionCliente direcciones)
{
    private readonly PartitionedRateLimiter<string> _anonimos = Crear(Leer(config["Limites:AnonimoPorMinuto"], 300));
    private readonly PartitionedRateLimiter<string> _fallos = Crear(Leer(config["Limites:FallosFirmadosPorMinuto"], 60));
    private readonly PartitionedRateLimiter<string> _cuentas = Crear(Leer(config["Limites:CuentasPorMinuto"], 10));

    // Literal keys at the call sites: the settings contract test finds every key the code reads by its text.
    private static int Leer(string? valor, int porDefecto) => int.TryParse(valor, out var n) && n > 0 ? n : porDefecto;

    /// <summary>A bucket of n tokens per client, refilled evenly over a minute.</summary>
    private static PartitionedRateLimiter<string> Crear(int porMinuto) => PartitionedRateLimiter.Create<string, string>(cliente =>
        RateLimitPartition.GetTokenBucketLimiter(cliente, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = porMinuto,
            TokensPerPeriod = Math.Max(1, porMinuto / 60),
            ReplenishmentPeriod = porMinuto >= 60 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(60.0 / porMinuto),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>True when an anonymous call may proceed (spends a token).</summary>
    public bool Permitir(HttpRequest req)
    {
        using var permiso = _anonimos.AttemptAcquire(direcciones.De(req.HttpContext));
        return permiso.IsAcquired;
    }

    /// <summary>True when a call to the accounts endpoints (sign-in, codes) may proceed (spends a token of its own, smaller budget).</summary>
    public bool PermitirCuentas(HttpRequest req)
    {
        using var permiso = _cuentas.AttemptAcquire(direcciones.De(req.HttpContext));
        return permiso.IsAcquired;
    }

    /// <summary>True while the client has failures left to spend (spends nothing).</summary>
    public bool QuedanFallos(HttpRequest req)
    {
        var estado = _fallos.GetStatistics(direcciones.De(req.HttpContext));
        return estado is null || estado.CurrentAvailablePermits > 0;
    }

    /// <summary>A signed or device call was refused: spends one of the client's failures.</summary>
    public void RegistrarFallo(HttpRequest req)
    {
        using var _ = _fallos.AttemptAcquire(direcciones.De(req.HttpContext));
    }
}
