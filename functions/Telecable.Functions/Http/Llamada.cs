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

    /// <summary>Reads the JSON body as T; malformed JSON or a wrong type becomes a 400 naming the field.</summary>
    public async Task<T> LeerAsync<T>() where T : class
    {
        var bytes = await CuerpoAsync();
        if (bytes.Length == 0) throw new ErrorValidacion("cuerpo", "Se esperaba un cuerpo JSON.");
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

    public string? Query(string nombre) => Solicitud.Query.TryGetValue(nombre, out var v) ? v.ToString() : null;

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
