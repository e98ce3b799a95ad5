using Telecable.Domain.Comun;

namespace Telecable.Functions.Http;

/// <summary>
/// Who may call an endpoint. Every function states one. The Functions-level AuthorizationLevel is
/// Anonymous everywhere because identity comes from the bearer JWT (Entra ID in Azure), checked here.
/// </summary>
public sealed record Permiso(bool Publico, IReadOnlyList<string> Roles)
{
    /// <summary>No token needed (catalog reads, health, webhooks that carry their own signature).</summary>
    public static readonly Permiso Publica = new(true, []);

    /// <summary>Any of the given roles.</summary>
    public static Permiso Para(params string[] roles) => new(false, roles);

    public static readonly Permiso Personal = Para(Domain.Comun.Roles.Admin, Domain.Comun.Roles.Soporte, Domain.Comun.Roles.Cobranzas);
}
