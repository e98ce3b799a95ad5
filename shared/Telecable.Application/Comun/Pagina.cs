using System.Text.Json.Serialization;

namespace Telecable.Application.Comun;

/// <summary>
/// The one page shape every list endpoint answers: <c>{"pagina","tamano","total","elementos"}</c>.
/// </summary>
public sealed record Pagina<T>(
    IReadOnlyList<T> Elementos,
    [property: JsonPropertyName("pagina")] int Numero,
    int Tamano,
    long Total);

/// <summary>Which page a list request asks for (query <c>pagina</c> from 1, <c>tamano</c>), bound once by the HTTP layer.</summary>
public sealed record Paginacion(int Pagina, int Tamano)
{
    /// <summary>Rows before this page, for SQL's OFFSET.</summary>
    public int Saltar => (Pagina - 1) * Tamano;

    /// <summary>A page of this size and number with its elements and the total across all pages.</summary>
    public Pagina<T> Con<T>(IReadOnlyList<T> elementos, long total) => new(elementos, Pagina, Tamano, total);

    /// <summary>
    /// Pages a list that is already bounded and held whole (a zone's combos, an invoice's credit notes, the FAQ):
    /// same shape as every other list, no second query.
    /// </summary>
    public Pagina<T> De<T>(IReadOnlyList<T> todos) => Con(todos.Skip(Saltar).Take(Tamano).ToList(), todos.Count);
}
