namespace Telecable.Infrastructure.Seguridad;

public sealed class OpcionesAuth
{
    public const string Seccion = "Auth";

    /// <summary>Entra ID authority (https://login.microsoftonline.com/{tenant}/v2.0). Empty: the local development issuer.</summary>
    public string? Authority { get; set; }

    /// <summary>
    /// Entra External ID authority of the customers' tenant (https://{subdomain}.ciamlogin.com/{tenantId}/v2.0), where
    /// customers sign up, verify, sign in and reset their password in Azure (docs/cuentas.md). Tokens from it are
    /// accepted beside the workforce tenant's (<see cref="Authority"/>). Empty: only the workforce tenant.
    /// </summary>
    public string? AuthorityClientes { get; set; }

    public string Issuer { get; set; } = "telecable-dev";

    public string Audience { get; set; } = "api://telecable-comercial";

    /// <summary>
    /// Development issuer signing keys (HMAC-SHA256, at least 32 bytes each, from local settings or Key Vault).
    /// The first signs; every one verifies, so a key can be rotated without downtime: add the new key
    /// first, wait for old tokens to expire, then drop the old one.
    /// </summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>Enables POST /api/auth/token for the demo users. Never enabled in Azure.</summary>
    public bool EmisorDesarrollo { get; set; }

    /// <summary>Password of every demo user (local settings only).</summary>
    public string? DemoPassword { get; set; }

    public TimeSpan Vigencia { get; set; } = TimeSpan.FromHours(8);
}

/// <summary>The demo users of the development issuer; their ids match the demo seed.</summary>
public static class UsuariosDemo
{
    public static readonly Guid ClienteDemoId = Guid.Parse("00000000-0000-0000-0000-00000000c001");
    public static readonly Guid TecnicoDemoId = Guid.Parse("00000000-0000-0000-0000-00000000e001");

    public sealed record UsuarioDemo(string Usuario, string Nombre, string[] Roles, Guid? ClienteId = null, Guid? TecnicoId = null);

    public static readonly IReadOnlyList<UsuarioDemo> Todos =
    [
        new("admin", "Ana Administradora", ["admin"]),
        new("soporte", "Sofía Soporte", ["soporte"]),
        new("cobranzas", "Carlos Cobranzas", ["cobranzas"]),
        new("tecnico", "Tomás Técnico", ["tecnico"], TecnicoId: TecnicoDemoId),
        new("cliente", "Cliente Demo", ["cliente"], ClienteId: ClienteDemoId),
    ];
}
