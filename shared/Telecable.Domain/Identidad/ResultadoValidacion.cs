using Telecable.Domain.Comun;

namespace Telecable.Domain.Identidad;

/// <summary>Stable codes of <see cref="ErrorCampo.Codigo"/>.</summary>
public static class CodigosValidacion
{
    public const string Requerido = "requerido";
    public const string Longitud = "longitud";
    public const string Formato = "formato";
    public const string FechaInvalida = "fecha_invalida";
    public const string DigitoVerificador = "digito_verificador";
    public const string NoExisteEnCatalogo = "no_existe_en_catalogo";
    public const string NoAplicaTipoPersona = "no_aplica_tipo_persona";
    public const string NoAplicaRegimen = "no_aplica_regimen";
}

/// <summary>The outcome of validating one value: either the normalized value or the errors.</summary>
public sealed class ResultadoValidacion<T>
{
    private ResultadoValidacion(T? valor, IReadOnlyList<ErrorCampo> errores)
    {
        Valor = valor;
        Errores = errores;
    }

    public T? Valor { get; }

    public IReadOnlyList<ErrorCampo> Errores { get; }

    public bool EsValido => Errores.Count == 0;

    /// <summary>The first error, or null when valid.</summary>
    public ErrorCampo? Error => Errores.Count == 0 ? null : Errores[0];

    public static ResultadoValidacion<T> Ok(T valor) => new(valor, []);

    public static ResultadoValidacion<T> Falla(string campo, string codigo, string mensaje) =>
        new(default, [new ErrorCampo(campo, mensaje, codigo)]);

    public static ResultadoValidacion<T> Falla(IReadOnlyList<ErrorCampo> errores)
    {
        ArgumentNullException.ThrowIfNull(errores);
        if (errores.Count == 0)
        {
            throw new ArgumentException("Una falla necesita al menos un error.", nameof(errores));
        }

        return new(default, errores);
    }
}

public static class ErroresValidacionExtensions
{
    /// <summary>
    /// Groups errors by field, in the shape RFC 7807 validation problems use
    /// (<c>TypedResults.ValidationProblem(errors)</c>).
    /// </summary>
    public static Dictionary<string, string[]> ComoDiccionario(this IEnumerable<ErrorCampo> errores)
    {
        ArgumentNullException.ThrowIfNull(errores);
        return errores
            .GroupBy(e => e.Campo, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Mensaje).ToArray(), StringComparer.Ordinal);
    }
}
