using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Telecable.Functions.Http;

/// <summary>
/// Per-client rate limit for anonymous calls to public endpoints (catalog, sign-in): a token bucket per
/// client address, refilled every second, answering 429 with Retry-After when empty. Per instance: in
/// Azure, Front Door or API Management enforce the global limit; this keeps one instance from being
/// flooded and slows password guessing on the development issuer.
/// </summary>
public sealed class LimitadorSolicitudes(IConfiguration config)
{
    private readonly int _porMinuto = int.TryParse(config["Limites:AnonimoPorMinuto"], out var n) && n > 0 ? n : 300;
    private PartitionedRateLimiter<string>? _limitador;

    private PartitionedRateLimiter<string> Limitador => _limitador ??= PartitionedRateLimiter.Create<string, string>(cliente =>
        RateLimitPartition.GetTokenBucketLimiter(cliente, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = _porMinuto,
            TokensPerPeriod = Math.Max(1, _porMinuto / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>True when the call may proceed.</summary>
    public bool Permitir(HttpRequest req)
    {
        using var permiso = Limitador.AttemptAcquire(Cliente(req));
        return permiso.IsAcquired;
    }

    /// <summary>The client's address: behind Azure's front ends, the first X-Forwarded-For hop.</summary>
    private static string Cliente(HttpRequest req)
    {
        var reenviado = req.Headers["X-Forwarded-For"].ToString();
        if (!string.IsNullOrEmpty(reenviado)) return reenviado.Split(',')[0].Trim();
        return req.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "desconocido";
    }
}
