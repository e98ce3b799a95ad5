using Microsoft.AspNetCore.Http;

namespace Telecable.Functions.Http;

/// <summary>
/// Security headers of every API response, set by <see cref="Api"/> (so the real Functions host and the local
/// host send the same ones). The portals get theirs from static-web/staticwebapp.config.json (Azure Static
/// Web App), which the local host applies too.
/// </summary>
public static class EncabezadosSeguridad
{
    /// <summary>JSON is never a document to render or frame; no-store because most answers carry personal data.</summary>
    public static readonly IReadOnlyDictionary<string, string> Api = new Dictionary<string, string>
    {
        ["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ["X-Content-Type-Options"] = "nosniff",
        ["X-Frame-Options"] = "DENY",
        ["Referrer-Policy"] = "no-referrer",
        ["Cache-Control"] = "no-store",
    };

    /// <summary>Sets each header the response does not already have.</summary>
    public static void Aplicar(IHeaderDictionary destino, IReadOnlyDictionary<string, string> encabezados)
    {
        foreach (var (k, v) in encabezados)
            if (!destino.ContainsKey(k)) destino[k] = v;
    }
}
