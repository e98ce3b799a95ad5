using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Telecable.Application.Observabilidad;
using Telecable.Functions.Http;

namespace Telecable.LocalHost.Funciones;

/// <summary>Maps each [HttpTrigger] function to an endpoint under the route prefix, binding as the Functions host does.</summary>
internal static class HostHttp
{
    public static void Mapear(WebApplication app, IEnumerable<Funcion> funciones, string prefijo)
    {
        foreach (var f in funciones.Where(f => f.Disparador == Disparador.Http))
        {
            var t = (HttpTriggerAttribute)f.Atributo;
            var ruta = $"/{prefijo}/{t.Route ?? f.Nombre}".Replace("//", "/");
            var metodos = (t.Methods ?? []).Select(m => m.ToUpperInvariant()).ToArray();
            var manejador = (RequestDelegate)(ctx => InvocarAsync(f, ctx));
            var endpoint = metodos.Length == 0 ? app.Map(ruta, manejador) : app.MapMethods(ruta, metodos, manejador);
            endpoint.WithName(f.Nombre);
        }
    }

    private static async Task InvocarAsync(Funcion f, HttpContext ctx)
    {
        object? resultado;
        try
        {
            resultado = await Invocador.InvocarAsync(f, ctx.RequestServices, p => Enlazar(f, p, ctx));
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException)
        {
            // A route or query value that does not convert to the parameter's type.
            await Problemas.EscribirAsync(ctx, 400, "Solicitud inválida", "Un parámetro de la ruta no tiene el formato esperado.");
            return;
        }

        switch (resultado)
        {
            case IActionResult ar:
                await ar.ExecuteResultAsync(new ActionContext(ctx, ctx.GetRouteData(), new ActionDescriptor()));
                break;
            case IResult r:
                await r.ExecuteAsync(ctx);
                break;
            case null:
                ctx.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            default:
                await ctx.Response.WriteAsJsonAsync(resultado, resultado.GetType());
                break;
        }
    }

    private static (bool, object?) Enlazar(Funcion f, System.Reflection.ParameterInfo p, HttpContext ctx)
    {
        if (p == f.ParametroDisparador) return (true, ctx.Request);
        if (p.ParameterType == typeof(CancellationToken)) return (true, ctx.RequestAborted);
        if (p.Name is { } n && ctx.Request.RouteValues.TryGetValue(n, out var v)) return (true, Invocador.Convertir(v?.ToString(), p.ParameterType));
        if (p.Name is { } q && ctx.Request.Query.TryGetValue(q, out var qv)) return (true, Invocador.Convertir(qv.ToString(), p.ParameterType));
        return (false, null);
    }
}

/// <summary>
/// Problems the local host answers itself (no such endpoint, a route value of the wrong type, the admin endpoint,
/// an unhandled fault): written by the functions' own <see cref="Respuestas.Problema"/>, with the cid, so they
/// look like every other problem of the API.
/// </summary>
internal static class Problemas
{
    public static Task EscribirAsync(HttpContext ctx, int status, string titulo, string detalle)
    {
        // The cid Api already answered with (a fault after Api ran), else the caller's, else a new one.
        var cid = ctx.Response.Headers[Correlacion.Encabezado].ToString() is { Length: > 0 } propio
            ? propio
            : Correlacion.Normalizar(ctx.Request.Headers[Correlacion.Encabezado].ToString());
        ctx.Response.Headers[Correlacion.Encabezado] = cid;
        if (status >= 500) detalle = $"{detalle} Cite el identificador {cid} al reportarlo.";
        return Respuestas.Problema(status, titulo, detalle, cid, ctx.Request.Path.ToString())
            .ExecuteResultAsync(new ActionContext { HttpContext = ctx });
    }
}
