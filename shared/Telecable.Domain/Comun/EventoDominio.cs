using System.Text.Json;

namespace Telecable.Domain.Comun;

/// <summary>
/// A fact that happened in the domain, written to the outbox in the same transaction as the change
/// it describes, then relayed to Service Bus (or the local JSONL log).
/// </summary>
public sealed record EventoDominio(Guid Id, string Tipo, string Agregado, string AgregadoId, JsonElement Datos, string Cid, DateTimeOffset OcurridoEn)
{
    public static EventoDominio Crear<T>(string tipo, string agregado, string agregadoId, T datos, string cid, DateTimeOffset ahora) =>
        new(Guid.NewGuid(), tipo, agregado, agregadoId, JsonSerializer.SerializeToElement(datos, JsonWeb.Opciones), cid, ahora);
}

/// <summary>One JSON shape for the API, the outbox and the portals: camelCase, enums as strings.</summary>
public static class JsonWeb
{
    public static readonly JsonSerializerOptions Opciones = Crear();

    private static JsonSerializerOptions Crear()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
            // Spanish text stays readable on the wire; this is JSON, never embedded in HTML.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        o.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
