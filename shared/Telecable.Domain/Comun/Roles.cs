namespace Telecable.Domain.Comun;

/// <summary>The roles a bearer token may carry (Entra ID app roles in Azure, the dev issuer locally).</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Tecnico = "tecnico";
    public const string Soporte = "soporte";
    public const string Cobranzas = "cobranzas";
    public const string Cliente = "cliente";

    public static readonly IReadOnlySet<string> Todos =
        new HashSet<string>(StringComparer.Ordinal) { Admin, Tecnico, Soporte, Cobranzas, Cliente };
}

/// <summary>The authenticated caller: subject, roles and, for customers and technicians, their own id.</summary>
public sealed record Usuario(string Sujeto, string Nombre, IReadOnlySet<string> Roles, Guid? ClienteId, Guid? TecnicoId)
{
    /// <summary>The sign-in session the token belongs to (sid claim of tokens from POST /api/cuentas/sesion); null otherwise.</summary>
    public Guid? Sesion { get; init; }

    public bool Tiene(string rol) => Roles.Contains(rol);

    public bool TieneAlguno(IEnumerable<string> roles) => roles.Any(Roles.Contains);

    /// <summary>Support staff see every customer; a customer sees only their own record.</summary>
    public bool PuedeVerCliente(Guid clienteId) =>
        TieneAlguno([Comun.Roles.Admin, Comun.Roles.Soporte, Comun.Roles.Cobranzas]) || ClienteId == clienteId;
}
