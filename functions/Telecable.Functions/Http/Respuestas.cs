using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Telecable.Domain.Comun;

namespace Telecable.Functions.Http;

/// <summary>
/// A JSON answer that writes itself. Used by every function instead of MVC's ObjectResult so the bytes
/// on the wire are identical under the real Functions host and the local host, and so an idempotent
/// answer can be stored and replayed exactly.
/// </summary>
public sealed class RespuestaJson(int status, string? cuerpo, string tipoContenido = "application/json; charset=utf-8") : IActionResult
{
    public int Status { get; } = status;
    public string? Cuerpo { get; } = cuerpo;
    public string TipoContenido { get; } = tipoContenido;
    public Dictionary<string, string> Encabezados { get; } = new(StringComparer.OrdinalIgnoreCase);

    public RespuestaJson Con(string encabezado, string valor)
    {
        Encabezados[encabezado] = valor;
        return this;
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var r = context.HttpContext.Response;
        r.StatusCode = Status;
        foreach (var (k, v) in Encabezados) r.Headers[k] = v;
        if (Cuerpo is null) return;
        r.ContentType = TipoContenido;
        await r.WriteAsync(Cuerpo, context.HttpContext.RequestAborted);
    }
}

/// <summary>The answers functions give: success shapes and RFC 7807 problems.</summary>
public static class Respuestas
{
    public const string TipoProblema = "application/problem+json; charset=utf-8";

    public static RespuestaJson Ok<T>(T cuerpo) => Json(StatusCodes.Status200OK, cuerpo);

    public static RespuestaJson Creado<T>(string ubicacion, T cuerpo) => Json(StatusCodes.Status201Created, cuerpo).Con("Location", ubicacion);

    public static RespuestaJson Aceptado<T>(string ubicacion, T cuerpo) => Json(StatusCodes.Status202Accepted, cuerpo).Con("Location", ubicacion);

    public static RespuestaJson SinContenido() => new(StatusCodes.Status204NoContent, null);

    public static RespuestaJson Json<T>(int status, T cuerpo) => new(status, JsonSerializer.Serialize(cuerpo, JsonWeb.Opciones));

    /// <summary>A stamped CFDI's XML as a download named <paramref name="archivo"/> (every CFDI: invoice, credit note, global
    /// CFDI, payment complement).</summary>
    public static RespuestaJson CfdiXml(string xml, string archivo) =>
        new RespuestaJson(StatusCodes.Status200OK, xml, "application/xml; charset=utf-8").Con("Content-Disposition", $"attachment; filename=\"{archivo}\"");

    /// <summary>A stamped CFDI's XML as the download &lt;UUID&gt;.xml.</summary>
    public static RespuestaJson CfdiXml(string xml, Guid uuid) => CfdiXml(xml, $"{uuid.ToString().ToUpperInvariant()}.xml");

    /// <summary>A CFDI's printable copy (HTML with SAT's verification QR).</summary>
    public static RespuestaJson Imprimible(string html) => new(StatusCodes.Status200OK, html, "text/html; charset=utf-8");

    /// <summary>503 pac_no_disponible with Retry-After: the CFDI is sealed and stored, so repeating the request stamps that
    /// very CFDI (<paramref name="detalle"/> says which one).</summary>
    public static RespuestaJson PacNoDisponible(string detalle, string cid, string instancia) =>
        Problema(StatusCodes.Status503ServiceUnavailable, "PAC no disponible", detalle, cid, instancia, codigo: "pac_no_disponible").Con("Retry-After", "5");

    /// <summary>RFC 7807 problem details; validation problems carry "errors": { field: [reasons] } as ASP.NET's ValidationProblemDetails.</summary>
    public static RespuestaJson Problema(int status, string titulo, string? detalle, string cid, string instancia,
        IReadOnlyList<ErrorCampo>? errores = null, string? codigo = null, string? recurso = null)
    {
        var p = new Dictionary<string, object?>
        {
            ["type"] = $"https://telecable.mx/problemas/{status}",
            ["title"] = titulo,
            ["status"] = status,
            ["detail"] = detalle,
            ["instance"] = instancia,
            ["cid"] = cid,
        };
        if (codigo is not null) p["code"] = codigo;
        if (recurso is not null) p["recurso"] = recurso;
        if (errores is { Count: > 0 })
            p["errors"] = errores.GroupBy(e => e.Campo).ToDictionary(g => g.Key, g => g.Select(e => e.Mensaje).ToArray());
        return new RespuestaJson(status, JsonSerializer.Serialize(p, JsonWeb.Opciones), TipoProblema);
    }
}
