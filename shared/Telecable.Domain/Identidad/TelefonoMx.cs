namespace Telecable.Domain.Identidad;

/// <summary>
/// A Mexican phone number: 10 national digits (area code + subscriber number, as dialled since
/// the 2019 numbering plan). Accepts spaces, dashes, dots, parentheses and a +52 / 0052 / 52
/// prefix (and the retired mobile "1" after +52). Normalized to E.164: +52XXXXXXXXXX.
/// </summary>
public sealed record TelefonoMx
{
    public const string CampoPredeterminado = "telefono";

    private TelefonoMx(string nacional) => Nacional = nacional;

    /// <summary>The 10 national digits.</summary>
    public string Nacional { get; }

    /// <summary>E.164 form, as stored in SQL: +52 followed by 10 digits.</summary>
    public string E164 => "+52" + Nacional;

    public override string ToString() => E164;

    public static ResultadoValidacion<TelefonoMx> Validar(string? texto, string campo = CampoPredeterminado)
    {
        if (string.IsNullOrWhiteSpace(texto))
        {
            return ResultadoValidacion<TelefonoMx>.Falla(campo, CodigosValidacion.Requerido, "El teléfono es obligatorio.");
        }

        var digitos = new System.Text.StringBuilder(16);
        var conMas = false;
        foreach (var c in texto.Trim())
        {
            if (char.IsAsciiDigit(c))
            {
                digitos.Append(c);
            }
            else if (c == '+' && digitos.Length == 0 && !conMas)
            {
                conMas = true;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')'))
            {
                return ResultadoValidacion<TelefonoMx>.Falla(campo, CodigosValidacion.Formato,
                    "El teléfono solo puede contener dígitos, espacios, guiones, paréntesis y el prefijo +52.");
            }
        }

        var d = digitos.ToString();
        if (conMas)
        {
            if (!d.StartsWith("52", StringComparison.Ordinal))
            {
                return ResultadoValidacion<TelefonoMx>.Falla(campo, CodigosValidacion.Formato,
                    "Solo se aceptan teléfonos de México (prefijo +52).");
            }

            d = d[2..];
            if (d.Length == 11 && d[0] == '1')
            {
                d = d[1..]; // +52 1 ..., the mobile prefix retired in 2019
            }
        }
        else if (d.Length == 14 && d.StartsWith("0052", StringComparison.Ordinal))
        {
            d = d[4..];
        }
        else if (d.Length == 12 && d.StartsWith("52", StringComparison.Ordinal))
        {
            d = d[2..];
        }

        if (d.Length != 10)
        {
            return ResultadoValidacion<TelefonoMx>.Falla(campo, CodigosValidacion.Longitud,
                $"El teléfono debe tener 10 dígitos (lada y número); tiene {d.Length}.");
        }

        if (d[0] is '0' or '1')
        {
            return ResultadoValidacion<TelefonoMx>.Falla(campo, CodigosValidacion.Formato,
                "El teléfono no puede empezar con 0 ni con 1; capture los 10 dígitos con lada.");
        }

        return ResultadoValidacion<TelefonoMx>.Ok(new TelefonoMx(d));
    }

    public static bool TryParse(string? texto, out TelefonoMx? telefono)
    {
        var r = Validar(texto);
        telefono = r.Valor;
        return r.EsValido;
    }
}
