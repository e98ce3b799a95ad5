using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Telecable.Functions.Http;

/// <summary>A binary answer (a PDF) that writes itself, like <see cref="RespuestaJson"/> does for text.</summary>
public sealed class RespuestaBinaria(byte[] cuerpo, string tipoContenido) : IActionResult
{
    private readonly Dictionary<string, string> _encabezados = new(StringComparer.OrdinalIgnoreCase);

    public RespuestaBinaria Con(string encabezado, string valor)
    {
        _encabezados[encabezado] = valor;
        return this;
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var r = context.HttpContext.Response;
        r.StatusCode = StatusCodes.Status200OK;
        foreach (var (k, v) in _encabezados) r.Headers[k] = v;
        r.ContentType = tipoContenido;
        r.ContentLength = cuerpo.Length;
        await r.Body.WriteAsync(cuerpo, context.HttpContext.RequestAborted);
    }
}
