using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.Logging;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Idempotencia;
using Telecable.Infrastructure.Seguridad;

namespace Telecable.Functions.Http;

/// <summary>
/// The one call at the top of every HTTP function: correlation id, authentication and role check,
/// optional Idempotency-Key, and the mapping of outcomes to responses (RFC 7807 for every error,
/// never a stack trace). An explicit call rather than worker middleware, so that the real Functions
/// host and the local host run exactly the same code.
/// </summary>
public sealed class Api(ValidadorTokens tokens, IAlmacenIdempotencia idempotencia, LimitadorSolicitudes limitador, ILogger<Api> log)
{
    public const string EncabezadoIdempotencia = "Idempotency-Key";

    /// <summary>Headers of an answer that a replay must repeat: they say what was created and its version.</summary>
    private static readonly HashSet<string> EncabezadosRepetidos = new(StringComparer.OrdinalIgnoreCase) { "Location", "ETag" };

    private static readonly Counter<long> Solicitudes = Telemetria.Medidor.CreateCounter<long>(
        "telecable.http.solicitudes", description: "Solicitudes HTTP por función y status");
    private static readonly Histogram<double> Duracion = Telemetria.Medidor.CreateHistogram<double>(
        "telecable.http.duracion", unit: "ms", description: "Latencia de las funciones HTTP");

    public Task<IActionResult> EjecutarAsync(HttpRequest req, Permiso permiso, Func<Llamada, Task<IActionResult>> accion,
        [CallerMemberName] string funcion = "") =>
        EnvolverAsync(req, permiso, funcion, accion);

    /// <summary>
    /// As <see cref="EjecutarAsync"/>, for writes a client may repeat: requires Idempotency-Key; the
    /// same key and body replays the stored answer, another body gets 422, a first call still running 409.
    /// </summary>
    public Task<IActionResult> EjecutarIdempotenteAsync(HttpRequest req, Permiso permiso, Func<Llamada, Task<IActionResult>> accion,
        [CallerMemberName] string funcion = "") =>
        EnvolverAsync(req, permiso, funcion, llamada => ConIdempotenciaAsync(llamada, accion));

    private async Task<IActionResult> EnvolverAsync(HttpRequest req, Permiso permiso, string funcion, Func<Llamada, Task<IActionResult>> accion)
    {
        var inicio = Stopwatch.GetTimestamp();
        var cid = Correlacion.Normalizar(req.Headers[Correlacion.Encabezado].ToString());
        Correlacion.Establecer(cid);
        req.HttpContext.Response.Headers[Correlacion.Encabezado] = cid;
        EncabezadosSeguridad.Aplicar(req.HttpContext.Response.Headers, EncabezadosSeguridad.Api);
        using var actividad = Telemetria.Fuente.StartActivity($"api {funcion}", ActivityKind.Internal);
        actividad?.SetTag("cid", cid);
        using var alcance = log.BeginScope(new Dictionary<string, object?> { ["cid"] = cid, ["funcion"] = funcion });

        var instancia = req.Path.ToString();
        IActionResult resultado;
        Autenticacion? auth = null;
        try
        {
            if (permiso.PorFirma && !limitador.QuedanFallos(req)) return Registrar(DemasiadasSolicitudes(cid, instancia), req, funcion, inicio, actividad, null);
            if (permiso.LimiteCuentas && !limitador.PermitirCuentas(req))
                return Registrar(DemasiadasSolicitudes(cid, instancia, 6), req, funcion, inicio, actividad, null);
            auth = permiso.PorFirma
                ? new Autenticacion.Ausente()
                : await tokens.AutenticarAsync(req.Headers.Authorization.ToString(), req.HttpContext.RequestAborted);
            resultado = auth switch
            {
                Autenticacion.Ausente when permiso.LimitarAnonimos && !limitador.Permitir(req) =>
                    DemasiadasSolicitudes(cid, instancia),
                Autenticacion.Invalida inv => NoAutenticado(cid, instancia, inv.Motivo),
                Autenticacion.Ausente when !permiso.Publico => NoAutenticado(cid, instancia, "Se requiere un token Bearer."),
                Autenticacion.Valida v when !permiso.Publico && !v.Usuario.TieneAlguno(permiso.Roles) =>
                    Respuestas.Problema(403, "Prohibido", $"Esta operación requiere uno de los roles: {string.Join(", ", permiso.Roles)}.", cid, instancia),
                _ => await accion(new Llamada(req, (auth as Autenticacion.Valida)?.Usuario, cid, funcion)),
            };
        }
        catch (Exception ex)
        {
            resultado = Mapear(ex, cid, instancia, req.HttpContext.RequestAborted);
        }

        if (permiso.PorFirma && Estado(resultado) is 400 or 401) limitador.RegistrarFallo(req);
        return Registrar(resultado, req, funcion, inicio, actividad, (auth as Autenticacion.Valida)?.Usuario);
    }

    private static int Estado(IActionResult r) => (r as RespuestaJson)?.Status ?? (r as IStatusCodeActionResult)?.StatusCode ?? 200;

    /// <summary>Metrics, the span's status and the access log line of one answer.</summary>
    private IActionResult Registrar(IActionResult resultado, HttpRequest req, string funcion, long inicio, Activity? actividad, Usuario? usuario)
    {
        var status = Estado(resultado);
        actividad?.SetTag("http.response.status_code", status);
        if (status >= 500) actividad?.SetStatus(ActivityStatusCode.Error);
        var etiquetas = new TagList { { "funcion", funcion }, { "status", status } };
        Solicitudes.Add(1, etiquetas);
        Duracion.Record(Stopwatch.GetElapsedTime(inicio).TotalMilliseconds, etiquetas);
        RegistroAcceso.Escribir(log, req, funcion, status, Stopwatch.GetElapsedTime(inicio), usuario);
        return resultado;
    }

    private static RespuestaJson DemasiadasSolicitudes(string cid, string instancia, int segundos = 1) =>
        Respuestas.Problema(429, "Demasiadas solicitudes", "Espere unos segundos antes de reintentar.", cid, instancia)
            .Con("Retry-After", segundos.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static RespuestaJson NoAutenticado(string cid, string instancia, string detalle) =>
        Respuestas.Problema(401, "No autenticado", detalle, cid, instancia).Con("WWW-Authenticate", "Bearer");

    private RespuestaJson Mapear(Exception ex, string cid, string instancia, CancellationToken ct) => ex switch
    {
        ErrorValidacion v => Respuestas.Problema(400, "Datos inválidos", "Revise los campos señalados.", cid, instancia, v.Errores),
        ErrorCuerpoGrande g => Respuestas.Problema(413, "Solicitud demasiado grande", g.Message, cid, instancia),
        ErrorTipoContenido t => Respuestas.Problema(415, "Tipo de contenido no soportado", t.Message, cid, instancia,
            [new ErrorCampo("Content-Type", t.Message)]),
        ErrorNoEncontrado n => Respuestas.Problema(404, "No encontrado", n.Message, cid, instancia),
        ErrorConflicto c => Respuestas.Problema(409, "Conflicto", c.Message, cid, instancia, codigo: c.Codigo, recurso: c.Recurso),
        ErrorRegla r => Respuestas.Problema(422, "Regla de negocio", r.Message, cid, instancia,
            r.Campo is null ? null : [new ErrorCampo(r.Campo, r.Message)]),
        BadHttpRequestException b => Respuestas.Problema(b.StatusCode, "Solicitud inválida", b.Message, cid, instancia),
        OperationCanceledException when ct.IsCancellationRequested =>
            Respuestas.Problema(499, "Solicitud cancelada", "El cliente cerró la conexión.", cid, instancia),
        _ => Falla(ex, cid, instancia),
    };

    private RespuestaJson Falla(Exception ex, string cid, string instancia)
    {
        // A fault, not bad input: logged with the cid so support can find it; the caller gets no internals.
        log.LogError(ex, "Error no controlado");
        return Respuestas.Problema(500, "Error interno", $"Ocurrió un error inesperado. Cite el identificador {cid} al reportarlo.", cid, instancia);
    }

    private async Task<IActionResult> ConIdempotenciaAsync(Llamada llamada, Func<Llamada, Task<IActionResult>> accion)
    {
        var req = llamada.Solicitud;
        var clave = req.Headers[EncabezadoIdempotencia].ToString();
        if (string.IsNullOrWhiteSpace(clave))
            throw new ErrorValidacion(EncabezadoIdempotencia, "Este endpoint requiere el encabezado Idempotency-Key.");
        if (clave.Length > 255)
            throw new ErrorValidacion(EncabezadoIdempotencia, "Admite como máximo 255 caracteres.");

        var cuerpo = await llamada.CuerpoAsync();
        var huella = Huella(req.Method, req.Path + req.QueryString, cuerpo);
        // Keys are per caller: two customers may pick the same key without seeing each other's answers.
        var ambito = $"{llamada.Funcion}:{llamada.Usuario?.Sujeto ?? "anonimo"}";

        switch (await idempotencia.ReservarAsync(ambito, clave, huella, llamada.Ct))
        {
            case Reserva.Repetida r:
                var repetida = new RespuestaJson(r.Status, r.Cuerpo, r.TipoContenido ?? "application/json; charset=utf-8");
                foreach (var (k, v) in r.Encabezados ?? new Dictionary<string, string>()) repetida.Con(k, v);
                return repetida.Con("Idempotent-Replayed", "true");
            case Reserva.EnCurso:
                throw new ErrorConflicto("Una solicitud con la misma Idempotency-Key sigue en proceso; reintente en unos segundos.", "idempotencia_en_curso");
            case Reserva.OtraSolicitud:
                throw new ErrorRegla("La Idempotency-Key ya se usó con otra solicitud.", EncabezadoIdempotencia);
        }

        IActionResult resultado;
        try
        {
            resultado = await accion(llamada);
        }
        catch (ErrorDominio ex)
        {
            // A deterministic refusal is part of the key's answer: store it as the answer.
            resultado = Mapear(ex, llamada.Cid, req.Path, llamada.Ct);
        }
        catch
        {
            await idempotencia.LiberarAsync(ambito, clave, CancellationToken.None);
            throw;
        }

        if (resultado is RespuestaJson json && json.Status < 500)
            await idempotencia.CompletarAsync(ambito, clave, json.Status, json.TipoContenido, json.Cuerpo,
                json.Encabezados.Where(e => EncabezadosRepetidos.Contains(e.Key)).ToDictionary(), CancellationToken.None);
        else
            await idempotencia.LiberarAsync(ambito, clave, CancellationToken.None);
        return resultado;
    }

    private static byte[] Huella(string metodo, string ruta, byte[] cuerpo)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(Encoding.UTF8.GetBytes($"{metodo} {ruta}\n"));
        h.AppendData(cuerpo);
        return h.GetHashAndReset();
    }
}
