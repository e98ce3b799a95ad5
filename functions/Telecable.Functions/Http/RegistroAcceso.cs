using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Telecable.Domain.Comun;

namespace Telecable.Functions.Http;

/// <summary>
/// The access log: one structured line per HTTP request (method, route template, status, duration, the
/// caller's subject; the cid comes from the request's scope), written by <see cref="Api"/> after the answer
/// is decided, so the real Functions host and the local host log the same line. Never the token, the
/// query string or the body: the route template, not the path, so ids and RFCs stay out too.
/// Its own log category, <see cref="Categoria"/>: at 50,000 routers posting every 10 s these lines cost as
/// much as request telemetry in Application Insights, so an operator can raise its level
/// (Logging__LogLevel__Telecable.Acceso=Warning keeps the 5xx) without touching the app's other logs.
/// </summary>
public static class RegistroAcceso
{
    public const string Categoria = "Telecable.Acceso";
    public const string Mensaje = "HTTP {Metodo} {Ruta} {Status} {DuracionMs} ms";

    // Function name -> route template of its [HttpTrigger], read once from the attributes the hosts also read.
    private static readonly FrozenDictionary<string, string> Rutas = typeof(RegistroAcceso).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        .Select(m => (Funcion: m.GetCustomAttribute<FunctionAttribute>(), Disparador: m.GetParameters()
            .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null), Metodo: m.Name))
        .Where(x => x.Funcion is not null && x.Disparador is not null)
        .SelectMany(x => new[] { (x.Funcion!.Name, x.Disparador!.Route ?? x.Funcion.Name), (x.Metodo, x.Disparador!.Route ?? x.Funcion.Name) })
        .DistinctBy(x => x.Item1)
        .ToFrozenDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);

    /// <summary>The route template of a function ("clientes/{id}"), or the request path for a caller outside the app's functions.</summary>
    public static string Ruta(string funcion, HttpRequest req) => Rutas.TryGetValue(funcion, out var r) ? r : req.Path.ToString();

    /// <param name="respaldo">The caller's logger, used when the request has no services (a bare test context).</param>
    public static void Escribir(ILogger respaldo, HttpRequest req, string funcion, int status, TimeSpan duracion, Usuario? usuario)
    {
        // The factory caches loggers by category; scopes (the cid) are shared across categories.
        var log = req.HttpContext.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger(Categoria) ?? respaldo;
        // 5xx as warning: the fault itself is already logged as an error with its exception.
        log.Log(status >= 500 ? LogLevel.Warning : LogLevel.Information, new EventId(1000, "Acceso"),
            Mensaje + "; funcion {Funcion}, sujeto {Sujeto}",
            req.Method, Ruta(funcion, req), status, Math.Round(duracion.TotalMilliseconds, 1), funcion, usuario?.Sujeto ?? "anonimo");
    }
}
