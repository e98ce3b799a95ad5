using Telecable.Domain.Comun;

namespace Telecable.Functions.Http;

/// <summary>
/// Who may call an endpoint. Every function states one. The Functions-level AuthorizationLevel is
/// Anonymous everywhere because identity comes from the bearer JWT (Entra ID in Azure), checked here.
/// </summary>
public sealed record Permiso(bool Publico, IReadOnlyList<string> Roles, bool LimitarAnonimos = false, bool PorFirma = false, bool LimiteCuentas = false)
{
    /// <summary>No token needed (catalog reads, sign-in); anonymous callers are rate limited per client (429).</summary>
    public static readonly Permiso Publica = new(true, [], LimitarAnonimos: true);

    /// <summary>
    /// No bearer token: the caller proves itself another way (a gateway's HMAC signature, a router's
    /// device key, a health probe), so an Authorization header is not read at all. Not rate limited per
    /// address, since a gateway or a building full of routers sends from few addresses.
    /// </summary>
    public static readonly Permiso Firmada = new(true, [], PorFirma: true);

    /// <summary>
    /// Sign-up, sign-in, codes and password reset: public, and every call (token or not) spends the per-address budget
    /// Limites:CuentasPorMinuto, far smaller than the catalog's, so passwords and codes can't be guessed at speed.
    /// </summary>
    public static readonly Permiso Cuentas = new(true, [], LimitarAnonimos: true, LimiteCuentas: true);

    /// <summary>Any of the given roles.</summary>
    public static Permiso Para(params string[] roles) => new(false, roles);

    public static readonly Permiso Personal = Para(Domain.Comun.Roles.Admin, Domain.Comun.Roles.Soporte, Domain.Comun.Roles.Cobranzas);
}
