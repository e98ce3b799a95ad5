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
