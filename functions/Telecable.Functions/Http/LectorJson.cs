using System.Text;
using System.Text.Json;
using Telecable.Domain.Comun;

namespace Telecable.Functions.Http;

/// <summary>
/// Checks a JSON body before it is bound, so that what PostgreSQL would refuse (a NUL in text, a number
/// wider than its numeric column) or could not even be encoded (an unpaired surrogate) is a 400 naming the
/// field instead of a 500 from the database.
/// </summary>
public static class LectorJson
{
    /// <summary>Largest magnitude any number may have: the widest money column, numeric(12,2). Narrower
    /// columns are bounded by the domain's own rules (for example a router's dBm or a feedback score).</summary>
    public const decimal MaximoNumero = 9_999_999_999.99m;

    /// <summary>Throws <see cref="ErrorValidacion"/> naming the first field whose text or number is unacceptable.</summary>
    public static void Validar(ReadOnlySpan<byte> cuerpo)
    {
        var lector = new Utf8JsonReader(cuerpo, new JsonReaderOptions { MaxDepth = 32 });
        var ruta = new List<Segmento>();
        try
        {
            while (lector.Read()) Revisar(ref lector, ruta);
        }
        catch (JsonException e)
        {
            // Malformed JSON (or invalid UTF-8): the deserializer would say the same; say it with the path.
            throw new ErrorValidacion(Campo(ruta), e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? "JSON demasiado anidado." : "JSON mal formado.");
        }
    }

    private static void Revisar(ref Utf8JsonReader lector, List<Segmento> ruta)
    {
        switch (lector.TokenType)
        {
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                Avanzar(ruta);
                ruta.Add(new Segmento(lector.TokenType == JsonTokenType.StartArray));
                return;
            case JsonTokenType.EndObject:
            case JsonTokenType.EndArray:
                ruta.RemoveAt(ruta.Count - 1);
                return;
            case JsonTokenType.PropertyName:
                var nombre = Texto(ref lector, ruta);
                ruta[^1] = ruta[^1] with { Propiedad = nombre };
                return;
            case JsonTokenType.String:
                Avanzar(ruta);
                Texto(ref lector, ruta);
                return;
            case JsonTokenType.Number:
                Avanzar(ruta);
                if (!lector.TryGetDecimal(out var d) || Math.Abs(d) > MaximoNumero)
                    throw new ErrorValidacion(Campo(ruta), $"Número fuera de rango (máximo ±{MaximoNumero:0.00}).");
                return;
            default:
                Avanzar(ruta);
                return;
        }
    }

    /// <summary>In an array, each value is the next index.</summary>
    private static void Avanzar(List<Segmento> ruta)
    {
        if (ruta.Count > 0 && ruta[^1].EsArreglo) ruta[^1] = ruta[^1] with { Indice = ruta[^1].Indice + 1 };
    }

    private static string Texto(ref Utf8JsonReader lector, List<Segmento> ruta)
    {
        string s;
        try
        {
            s = lector.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new ErrorValidacion(Campo(ruta), "Texto con una secuencia Unicode inválida.");
        }
        if (Invalido(s) is { } motivo) throw new ErrorValidacion(Campo(ruta), motivo);
        return s;
    }

    /// <summary>Why a string cannot be stored as text, or null when it can (<see cref="TextoAlmacenable"/>).</summary>
    public static string? Invalido(string s) => TextoAlmacenable.Motivo(s);

    private static string Campo(List<Segmento> ruta) => Ruta(ruta) is { Length: > 0 } r ? r : "cuerpo";

    /// <summary>The field as System.Text.Json names it without "$.": movimientos[0].referencia.</summary>
    private static string Ruta(List<Segmento> ruta)
    {
        var sb = new StringBuilder();
        foreach (var s in ruta)
        {
            if (s.EsArreglo) { if (s.Indice >= 0) sb.Append('[').Append(s.Indice).Append(']'); }
            else if (s.Propiedad is not null) sb.Append(sb.Length == 0 ? "" : ".").Append(s.Propiedad);
        }
        return sb.ToString();
    }

    private readonly record struct Segmento(bool EsArreglo, string? Propiedad = null, int Indice = -1);
}
