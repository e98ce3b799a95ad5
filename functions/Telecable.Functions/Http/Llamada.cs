using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Telecable.Domain.Comun;

namespace Telecable.Functions.Http;

/// <summary>One HTTP invocation as the function sees it: caller, correlation id, body, cancellation.</summary>
public sealed class Llamada(HttpRequest solicitud, Usuario? usuario, string cid, string funcion)
{
    /// <summary>Largest body any endpoint accepts; larger requests get 413.</summary>
    public const int MaximoCuerpo = 256 * 1024;

    private byte[]? _cuerpo;

    public HttpRequest Solicitud { get; } = solicitud;

    /// <summary>The request's Idempotency-Key ("" when absent; EjecutarIdempotenteAsync has already required it).</summary>
    public string ClaveIdempotencia => Solicitud.Headers[Api.EncabezadoIdempotencia].ToString();
    public Usuario? Usuario { get; } = usuario;
    public string Cid { get; } = cid;
    public string Funcion { get; } = funcion;
    public CancellationToken Ct => Solicitud.HttpContext.RequestAborted;

    /// <summary>The caller, for endpoints that are not public (the pipeline already returned 401 otherwise).</summary>
    public Usuario UsuarioAutenticado => Usuario ?? throw new InvalidOperationException("Endpoint público sin usuario.");

    public async Task<byte[]> CuerpoAsync()
    {
        if (_cuerpo is not null) return _cuerpo;
        if (Solicitud.ContentLength > MaximoCuerpo) throw new ErrorCuerpoGrande();
        using var ms = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await Solicitud.Body.ReadAsync(buffer, Ct)) > 0)
        {
            if (ms.Length + n > MaximoCuerpo) throw new ErrorCuerpoGrande();
            ms.Write(buffer, 0, n);
        }
        return _cuerpo = ms.ToArray();
    }

    /// <summary>
    /// The one reader of JSON bodies: 415 unless the body says it is JSON; then every string and number is
    /// checked (<see cref="LectorJson"/>) and the body bound to T. Anything malformed is a 400 naming the field.
    /// </summary>
    public async Task<T> LeerAsync<T>() where T : class
    {
        var bytes = await CuerpoAsync();
        if (bytes.Length == 0) throw new ErrorValidacion("cuerpo", "Se esperaba un cuerpo JSON.");
        if (!EsJson(Solicitud.ContentType)) throw new ErrorTipoContenido(Solicitud.ContentType);
        LectorJson.Validar(bytes);
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, JsonWeb.Opciones)
                   ?? throw new ErrorValidacion("cuerpo", "Se esperaba un objeto JSON.");
        }
        catch (JsonException e)
        {
            var campo = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "cuerpo" : e.Path.TrimStart('$', '.');
            throw new ErrorValidacion(campo, e.Path is null or "$" ? "JSON mal formado." : "Valor con tipo o formato inválido.");
        }
    }

    /// <summary>application/json or any application/*+json, with or without parameters.</summary>
    private static bool EsJson(string? tipo)
    {
        if (string.IsNullOrWhiteSpace(tipo)) return false;
        var medio = tipo.Split(';', 2)[0].Trim();
        return medio.Equals("application/json", StringComparison.OrdinalIgnoreCase)
               || (medio.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && medio.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A query value; like body text it may hold neither NUL nor an unpaired surrogate (400 naming it).</summary>
    public string? Query(string nombre)
    {
        if (!Solicitud.Query.TryGetValue(nombre, out var v)) return null;
        var texto = v.ToString();
        return LectorJson.Invalido(texto) is { } motivo ? throw new ErrorValidacion(nombre, motivo) : texto;
    }

    /// <summary>
    /// The one paging binder: <c>pagina</c> (from 1) and <c>tamano</c> (1..<paramref name="tamanoMaximo"/>), a 400
    /// naming the field otherwise. Every list endpoint answers <see cref="Application.Comun.Pagina{T}"/> with it.
    /// </summary>
    public Application.Comun.Paginacion Paginacion(int tamanoPorDefecto = 20, int tamanoMaximo = 100) =>
        new(QueryEntero("pagina", 1, 1, 100_000), QueryEntero("tamano", tamanoPorDefecto, 1, tamanoMaximo));

    public int QueryEntero(string nombre, int porDefecto, int min, int max)
    {
        var texto = Query(nombre);
        if (string.IsNullOrEmpty(texto)) return porDefecto;
        if (!int.TryParse(texto, out var v) || v < min || v > max)
            throw new ErrorValidacion(nombre, $"Debe ser un entero entre {min} y {max}.");
        return v;
    }
}

/// <summary>The body exceeds <see cref="Llamada.MaximoCuerpo"/>: 413.</summary>
public sealed class ErrorCuerpoGrande() : ErrorDominio($"El cuerpo excede {Llamada.MaximoCuerpo / 1024} KiB.");

/// <summary>A body that is not JSON where JSON is expected: 415.</summary>
public sealed class ErrorTipoContenido(string? tipo)
    : ErrorDominio($"Se esperaba Content-Type: application/json{(string.IsNullOrWhiteSpace(tipo) ? "" : $" y llegó {tipo.Split(';')[0]}")}.");
