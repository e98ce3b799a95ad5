using Telecable.Domain.Comun;

namespace Telecable.Domain.Pagos;

/// <summary>
/// A cash payment reference (OXXO Pay style): 14 digits = the network's 4-digit issuer prefix + a 9-digit number
/// + a Luhn check digit, so a mistyped reference at the till is refused there. It pays one amount once and
/// expires at the end of the central Mexico day <see cref="DiasVigenciaPorDefecto"/> days later.
/// </summary>
public static class ReferenciaEfectivo
{
    public const int Longitud = 14;
    /// <summary>OXXO's limit per cash payment (MXN).</summary>
    public const decimal MontoMaximo = 10_000m;
    public const int DiasVigenciaPorDefecto = 3;

    public static bool EsPrefijoValido(string? prefijo) => prefijo is { Length: 4 } && prefijo.All(char.IsAsciiDigit);

    public static string Construir(string prefijo, long numero)
    {
        if (!EsPrefijoValido(prefijo)) throw new ArgumentException("El prefijo son 4 dígitos.", nameof(prefijo));
        if (numero is < 0 or > 999_999_999) throw new ArgumentOutOfRangeException(nameof(numero));
        var base13 = prefijo + numero.ToString("D9", System.Globalization.CultureInfo.InvariantCulture);
        return base13 + DigitoLuhn(base13);
    }

    public static bool EsValida(string? referencia) =>
        referencia is { Length: Longitud } && referencia.All(char.IsAsciiDigit) && DigitoLuhn(referencia[..^1]) == referencia[^1];

    /// <summary>Luhn (ISO/IEC 7812-1): from the right, every second digit doubled (minus 9 over 9), then to a multiple of 10.</summary>
    public static char DigitoLuhn(string digitos)
    {
        var suma = 0;
        for (var i = 0; i < digitos.Length; i++)
        {
            var d = digitos[digitos.Length - 1 - i] - '0';
            if (i % 2 == 0) { d *= 2; if (d > 9) d -= 9; }
            suma += d;
        }
        return (char)('0' + (10 - suma % 10) % 10);
    }

    /// <summary>Why an amount cannot be paid in cash, or null: positive, two decimals, at most OXXO's limit.</summary>
    public static string? MotivoMonto(decimal monto) =>
        !Montos.EsValido(monto) ? "Debe ser mayor que 0 con a lo más 2 decimales."
        : monto > MontoMaximo ? $"OXXO recibe a lo más {MontoMaximo:0.00} MXN por pago."
        : null;

    /// <summary>The end of the central Mexico business day <paramref name="dias"/> days after <paramref name="ahora"/>.</summary>
    public static DateTimeOffset Vencimiento(DateTimeOffset ahora, int dias) =>
        RelojMexico.Instante(RelojMexico.Hoy(ahora).AddDays(Math.Max(1, dias) + 1).ToDateTime(TimeOnly.MinValue)).AddSeconds(-1).ToUniversalTime();
}
