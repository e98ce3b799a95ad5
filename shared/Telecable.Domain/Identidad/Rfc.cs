using System.Globalization;

namespace Telecable.Domain.Identidad;

/// <summary>
/// Registro Federal de Contribuyentes. Persona física: 13 characters (4 letters, yymmdd,
/// 2-character homoclave, check digit); persona moral: 12 (3 letters, yymmdd, homoclave, check
/// digit). The letters may include Ñ and &amp;. The check digit is SAT's modulo-11 algorithm.
/// The generic RFCs XAXX010101000 (público en general) and XEXX010101000 (extranjeros) are accepted.
/// Always upper case, no spaces or dashes.
/// </summary>
public sealed record Rfc
{
    public const string GenericoNacional = "XAXX010101000";
    public const string GenericoExtranjero = "XEXX010101000";
    public const string CampoPredeterminado = "rfc";

    // SAT's value table for the check digit.
    private const string Alfabeto = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ";

    private Rfc(string valor, TipoPersona tipo, bool esGenerico)
    {
        Valor = valor;
        Tipo = tipo;
        EsGenerico = esGenerico;
    }

    /// <summary>The normalized RFC (upper case, trimmed).</summary>
    public string Valor { get; }

    /// <summary>Física for 13 characters (and the generic RFCs), moral for 12.</summary>
    public TipoPersona Tipo { get; }

    /// <summary>True for XAXX010101000 and XEXX010101000.</summary>
    public bool EsGenerico { get; }

    public override string ToString() => Valor;

    /// <summary>Normalizes: trims, removes inner spaces and dashes, upper-cases (ñ becomes Ñ).</summary>
    public static string Normalizar(string texto)
    {
        ArgumentNullException.ThrowIfNull(texto);
        Span<char> buffer = texto.Length <= 64 ? stackalloc char[texto.Length] : new char[texto.Length];
        var n = 0;
        foreach (var c in texto)
        {
            if (c is ' ' or '-' or '\t')
            {
                continue;
            }

            buffer[n++] = char.ToUpperInvariant(c);
        }

        return new string(buffer[..n]);
    }

    /// <summary>Validates and normalizes; each failure carries its specific reason in Spanish.</summary>
    public static ResultadoValidacion<Rfc> Validar(string? texto, string campo = CampoPredeterminado)
    {
        if (string.IsNullOrWhiteSpace(texto))
        {
            return ResultadoValidacion<Rfc>.Falla(campo, CodigosValidacion.Requerido, "El RFC es obligatorio.");
        }

        var rfc = Normalizar(texto);
        if (rfc is GenericoNacional or GenericoExtranjero)
        {
            return ResultadoValidacion<Rfc>.Ok(new Rfc(rfc, TipoPersona.Fisica, esGenerico: true));
        }

        if (rfc.Length is not (12 or 13))
        {
            return ResultadoValidacion<Rfc>.Falla(campo, CodigosValidacion.Longitud,
                $"El RFC debe tener 13 caracteres (persona física) o 12 (persona moral); tiene {rfc.Length}.");
        }

        var tipo = rfc.Length == 13 ? TipoPersona.Fisica : TipoPersona.Moral;
        var letras = rfc.Length - 9;
        if (!TieneFormato(rfc, letras))
        {
            var esperado = tipo == TipoPersona.Fisica
                ? "4 letras, fecha AAMMDD y homoclave de 3 caracteres"
                : "3 letras, fecha AAMMDD y homoclave de 3 caracteres";
            return ResultadoValidacion<Rfc>.Falla(campo, CodigosValidacion.Formato,
                $"El RFC de persona {(tipo == TipoPersona.Fisica ? "física" : "moral")} debe tener {esperado}.");
        }

        if (!FechaValida(rfc.AsSpan(letras, 6)))
        {
            return ResultadoValidacion<Rfc>.Falla(campo, CodigosValidacion.FechaInvalida,
                $"La fecha del RFC ({rfc.Substring(letras, 6)}) no es una fecha válida AAMMDD.");
        }

        var esperadoDv = CalcularDigitoVerificador(rfc[..^1]);
        if (rfc[^1] != esperadoDv)
        {
            return ResultadoValidacion<Rfc>.Falla(campo, CodigosValidacion.DigitoVerificador,
                "El dígito verificador del RFC no corresponde; revise que esté capturado tal como aparece en la constancia de situación fiscal.");
        }

        return ResultadoValidacion<Rfc>.Ok(new Rfc(rfc, tipo, esGenerico: false));
    }

    public static bool TryParse(string? texto, out Rfc? rfc)
    {
        var resultado = Validar(texto);
        rfc = resultado.Valor;
        return resultado.EsValido;
    }

    /// <exception cref="FormatException">With the Spanish reason when the RFC is invalid.</exception>
    public static Rfc Parse(string texto)
    {
        var resultado = Validar(texto);
        return resultado.EsValido ? resultado.Valor! : throw new FormatException(resultado.Error!.Mensaje);
    }

    /// <summary>
    /// SAT's check digit for the first 11 (moral) or 12 (física) characters: values from the table
    /// 0-9 = 0-9, A-N = 10-23, &amp; = 24, O-Z = 25-36, space = 37, Ñ = 38; a moral's 11 characters
    /// get a leading space; weights 13 down to 2; 11 - (sum mod 11), where 11 gives '0' and 10 'A'.
    /// </summary>
    public static char CalcularDigitoVerificador(string sinDigito)
    {
        ArgumentNullException.ThrowIfNull(sinDigito);
        if (sinDigito.Length is not (11 or 12))
        {
            throw new ArgumentException("Se esperan 11 (moral) o 12 (física) caracteres.", nameof(sinDigito));
        }

        var base12 = sinDigito.Length == 11 ? " " + sinDigito : sinDigito;
        var suma = 0;
        for (var i = 0; i < 12; i++)
        {
            var valor = Alfabeto.IndexOf(base12[i], StringComparison.Ordinal);
            if (valor < 0)
            {
                throw new ArgumentException($"Carácter no válido en un RFC: '{base12[i]}'.", nameof(sinDigito));
            }

            suma += valor * (13 - i);
        }

        var digito = 11 - (suma % 11);
        return digito switch
        {
            11 => '0',
            10 => 'A',
            _ => (char)('0' + digito),
        };
    }

    private static bool TieneFormato(string rfc, int letras)
    {
        for (var i = 0; i < letras; i++)
        {
            if (!EsLetraRfc(rfc[i]))
            {
                return false;
            }
        }

        for (var i = letras; i < letras + 6; i++)
        {
            if (!char.IsAsciiDigit(rfc[i]))
            {
                return false;
            }
        }

        // Homoclave: two alphanumerics, then the check digit (0-9 or A).
        return char.IsAsciiLetterOrDigit(rfc[letras + 6])
            && char.IsAsciiLetterOrDigit(rfc[letras + 7])
            && (char.IsAsciiDigit(rfc[letras + 8]) || rfc[letras + 8] == 'A');
    }

    private static bool EsLetraRfc(char c) => c is (>= 'A' and <= 'Z') or 'Ñ' or '&';

    private static bool FechaValida(ReadOnlySpan<char> aammdd)
    {
        var aa = int.Parse(aammdd[..2], CultureInfo.InvariantCulture);
        var mm = int.Parse(aammdd.Slice(2, 2), CultureInfo.InvariantCulture);
        var dd = int.Parse(aammdd.Slice(4, 2), CultureInfo.InvariantCulture);
        if (mm is < 1 or > 12 || dd < 1)
        {
            return false;
        }

        // The century is not in the RFC: accept the date when it exists in 19aa or 20aa
        // (they only differ on 29 February of 1900/2000).
        return dd <= DateTime.DaysInMonth(1900 + aa, mm) || dd <= DateTime.DaysInMonth(2000 + aa, mm);
    }
}
