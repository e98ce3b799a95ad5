using Telecable.Domain.Comun;

namespace Telecable.Functions.Http;

/// <summary>Small parsing helpers for route and query values and concurrency headers, shared by every area's functions.</summary>
public static class Peticion
{
    /// <summary>A route id that must be a GUID: 400 naming the field otherwise.</summary>
    public static Guid Id(string texto, string campo = "id") =>
        Guid.TryParse(texto, out var g) ? g : throw new ErrorValidacion(campo, "No es un identificador válido (GUID).");

    /// <summary>A CFDI, payment or customer UUID (route value or query text): 400 "Debe ser un UUID." naming the field otherwise.</summary>
    public static Guid Uuid(string texto, string campo = "uuid") =>
        Guid.TryParse(texto, out var g) ? g : throw new ErrorValidacion(campo, "Debe ser un UUID.");

    /// <summary><see cref="Uuid"/> of an optional query value: null when absent or empty.</summary>
    public static Guid? UuidOpcional(string? texto, string campo) => string.IsNullOrEmpty(texto) ? null : Uuid(texto, campo);

    /// <summary>The version the caller read: If-Match ("3", W/"3" or 3) or the body's version; 400 when neither.</summary>
    public static int Version(Llamada l, int? enCuerpo)
    {
        var h = l.Solicitud.Headers.IfMatch.ToString().Trim();
        if (h.Length > 0)
        {
            var t = h.StartsWith("W/", StringComparison.Ordinal) ? h[2..] : h;
            return int.TryParse(t.Trim('"'), out var v) && v >= 1
                ? v
                : throw new ErrorValidacion("If-Match", "Debe ser la versión leída (ETag), por ejemplo \"3\".");
        }
        return enCuerpo is >= 1 ? enCuerpo.Value
            : throw new ErrorValidacion("version", "Envíe la versión que leyó: encabezado If-Match o campo version.");
    }

    public static decimal? Decimal(Llamada l, string nombre)
    {
        var t = l.Query(nombre);
        if (string.IsNullOrEmpty(t)) return null;
        return decimal.TryParse(t, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var d)
            ? d : throw new ErrorValidacion(nombre, "Debe ser un número (punto decimal).");
    }

    public static Guid? GuidOpcional(Llamada l, string nombre)
    {
        var t = l.Query(nombre);
        return string.IsNullOrEmpty(t) ? null : Id(t, nombre);
    }

    public static DateOnly? Fecha(Llamada l, string nombre)
    {
        var t = l.Query(nombre);
        if (string.IsNullOrEmpty(t)) return null;
        return DateOnly.TryParseExact(t, "yyyy-MM-dd", out var d) ? d : throw new ErrorValidacion(nombre, "Fecha AAAA-MM-DD.");
    }
}
