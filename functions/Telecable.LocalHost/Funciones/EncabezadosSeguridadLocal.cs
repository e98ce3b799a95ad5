using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Telecable.Functions.Http;

namespace Telecable.LocalHost.Funciones;

/// <summary>
/// Security headers on every response of the local host, from the same sources Azure uses: API answers
/// already carry <see cref="EncabezadosSeguridad.Api"/> (set by Api); anything else under /api and /admin
/// (404s, the admin endpoint) gets them here; the portals get the globalHeaders of
/// static-web/staticwebapp.config.json, the file the Azure Static Web App serves them with.
/// </summary>
internal static class EncabezadosSeguridadLocal
{
    public static void Usar(WebApplication app, IConfiguration config)
    {
        var portales = GlobalHeaders(Configuracion.CarpetaStaticWeb(config)) ?? EncabezadosSeguridad.Api;
        app.Use((ctx, next) =>
        {
            var api = ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/admin");
            ctx.Response.OnStarting(() =>
            {
                EncabezadosSeguridad.Aplicar(ctx.Response.Headers, api ? EncabezadosSeguridad.Api : portales);
                return Task.CompletedTask;
            });
            return next(ctx);
        });
    }

    private static Dictionary<string, string>? GlobalHeaders(string? carpeta)
    {
        var archivo = carpeta is null ? null : Path.Combine(carpeta, "staticwebapp.config.json");
        if (archivo is null || !File.Exists(archivo)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(archivo));
        return doc.RootElement.TryGetProperty("globalHeaders", out var h)
            ? h.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : null;
    }
}
