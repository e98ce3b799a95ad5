namespace Telecable.Domain.Comun;

/// <summary>
/// One field that failed validation: the field as the API names it, the reason in the customer's language and,
/// when the rule has one, a stable machine code (<see cref="Identidad.CodigosValidacion"/>). The one type for this
/// meaning: domain validators return it, <see cref="ErrorValidacion"/> carries it to the RFC 7807 answer.
/// </summary>
public sealed record ErrorCampo(string Campo, string Mensaje, string? Codigo = null);

/// <summary>
/// Base of the domain's expected failures. The HTTP layer maps each kind to its RFC 7807 status;
/// anything else is a fault and becomes a generic 500 without details.
/// </summary>
public abstract class ErrorDominio(string mensaje) : Exception(mensaje);

/// <summary>Bad input: 400 with the failing fields.</summary>
public sealed class ErrorValidacion(IReadOnlyList<ErrorCampo> errores)
    : ErrorDominio("La solicitud tiene datos inválidos.")
{
    public IReadOnlyList<ErrorCampo> Errores { get; } = errores;

    public ErrorValidacion(string campo, string motivo) : this([new ErrorCampo(campo, motivo)]) { }
}

/// <summary>The addressed thing does not exist (or the caller may not know it exists): 404.</summary>
public sealed class ErrorNoEncontrado(string recurso, string id)
    : ErrorDominio($"No existe {recurso} con id '{id}'.")
{
    public string Recurso { get; } = recurso;
}

/// <summary>The request is valid but conflicts with the current state: 409.</summary>
public sealed class ErrorConflicto(string mensaje, string? codigo = null) : ErrorDominio(mensaje)
{
    public string? Codigo { get; } = codigo;

    /// <summary>Where the thing it conflicts with lives (an API path), so a client links to it instead of parsing the message.</summary>
    public string? Recurso { get; init; }
}

/// <summary>Well-formed but semantically unprocessable (a business rule says no): 422.</summary>
public sealed class ErrorRegla(string mensaje, string? campo = null) : ErrorDominio(mensaje)
{
    public string? Campo { get; } = campo;
}

/// <summary>Collects field errors so a request reports all of them at once, not one per retry.</summary>
public sealed class Validador
{
    private readonly List<ErrorCampo> _errores = [];

    public IReadOnlyList<ErrorCampo> Errores => _errores;

    public Validador Regla(bool cumple, string campo, string motivo)
    {
        if (!cumple) _errores.Add(new ErrorCampo(campo, motivo));
        return this;
    }

    public Validador Requerido(string? valor, string campo, int maximo = 200)
    {
        if (string.IsNullOrWhiteSpace(valor)) _errores.Add(new ErrorCampo(campo, "Es obligatorio."));
        else if (valor.Length > maximo) _errores.Add(new ErrorCampo(campo, $"Admite como máximo {maximo} caracteres."));
        return this;
    }

    public void Agregar(ErrorCampo error) => _errores.Add(error);

    /// <summary>Throws <see cref="ErrorValidacion"/> when any rule failed.</summary>
    public void Lanzar()
    {
        if (_errores.Count > 0) throw new ErrorValidacion(_errores.ToArray());
    }
}
