using Telecable.Domain.Comun;

namespace Telecable.Domain.Cuentas;

/// <summary>
/// The rules of the accounts the development issuer serves (and that Entra External ID applies in Azure):
/// password policy, lockout after repeated failures, one-time code shape and lifetime. Pure: no clock, no I/O.
/// </summary>
public static class ReglasCuentas
{
    /// <summary>NIST SP 800-63B: length over composition rules; 10 is the floor the portals announce.</summary>
    public const int LongitudMinimaPassword = 10;
    public const int LongitudMaximaPassword = 128;

    /// <summary>Failed sign-ins in a row before the account locks.</summary>
    public const int FallosParaBloqueo = 5;

    public static readonly TimeSpan DuracionBloqueo = TimeSpan.FromMinutes(15);

    public const int DigitosCodigo = 6;
    public static readonly TimeSpan VigenciaCodigo = TimeSpan.FromMinutes(15);

    /// <summary>Wrong guesses a code tolerates before it dies (10^6 codes, so 5 guesses are a 1 in 200,000 chance).</summary>
    public const int IntentosPorCodigo = 5;

    /// <summary>The field errors of a new password (empty when acceptable).</summary>
    public static IReadOnlyList<ErrorCampo> ValidarPassword(string? password, string? usuario, string campo = "password")
    {
        if (string.IsNullOrEmpty(password)) return [new ErrorCampo(campo, "La contraseña es obligatoria.")];
        if (password.Length < LongitudMinimaPassword)
            return [new ErrorCampo(campo, $"La contraseña debe tener al menos {LongitudMinimaPassword} caracteres.")];
        if (password.Length > LongitudMaximaPassword)
            return [new ErrorCampo(campo, $"La contraseña no puede tener más de {LongitudMaximaPassword} caracteres.")];
        if (password.Distinct().Count() < 4)
            return [new ErrorCampo(campo, "La contraseña repite demasiado los mismos caracteres.")];
        if (usuario is not null && password.Contains(usuario.Split('@')[0], StringComparison.OrdinalIgnoreCase) && usuario.Split('@')[0].Length >= 4)
            return [new ErrorCampo(campo, "La contraseña no debe contener su usuario o correo.")];
        return [];
    }

    /// <summary>True while a lock set to end at <paramref name="bloqueadaHasta"/> still holds at <paramref name="ahora"/>.</summary>
    public static bool EstaBloqueada(DateTimeOffset? bloqueadaHasta, DateTimeOffset ahora) => bloqueadaHasta is { } b && b > ahora;

    /// <summary>After one more failed sign-in: the new failure count and, when it reaches the limit, when the lock ends
    /// (the count restarts so the next lock needs as many failures again).</summary>
    public static (int Intentos, DateTimeOffset? BloqueadaHasta) TrasFallo(int intentosPrevios, DateTimeOffset ahora) =>
        intentosPrevios + 1 >= FallosParaBloqueo ? (0, ahora + DuracionBloqueo) : (intentosPrevios + 1, null);

    /// <summary>A code as the person types it: exactly <see cref="DigitosCodigo"/> digits once spaces are dropped.</summary>
    public static string? NormalizarCodigo(string? codigo)
    {
        if (codigo is null) return null;
        var limpio = new string(codigo.Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
        return limpio.Length == DigitosCodigo && limpio.All(char.IsAsciiDigit) ? limpio : null;
    }
}
