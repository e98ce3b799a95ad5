using System.Text.Json;
using Dapper;
using Npgsql;
using Telecable.Domain.Comun;

namespace Telecable.Infrastructure.Outbox;

/// <summary>Writes domain events inside the caller's transaction, so an event exists iff its change does.</summary>
public static class Outbox
{
    /// <summary>
    /// The one INSERT head of the outbox. The webhook batch writer appends its rows with it inside its single CTE
    /// statement (one round trip per batch is what keeps ingestion above 3,500 req/s).
    /// </summary>
    public const string Insertar = "INSERT INTO outbox (evento_id, tipo, agregado, agregado_id, datos, cid, ocurrido_en)";

    public static Task AgregarAsync(NpgsqlConnection cn, NpgsqlTransaction tx, EventoDominio e, CancellationToken ct) =>
        AgregarAsync(cn, tx, [e], ct);

    /// <summary>The INSERT of many events from the arrays <see cref="Parametros"/> adds: one round trip for a billing batch's
    /// FacturaTimbrada events, or one statement of a caller's own multi-statement batch (a batch of payments).</summary>
    public const string InsertarLote =
        Insertar + "\nSELECT * FROM unnest(@eIds, @eTipos, @eAgregados, @eAgregadoIds, @eDatos::jsonb[], @eCids, @eOcurridos)";

    /// <summary>Adds the events' columns as arrays to <paramref name="p"/> (a new set when null), for <see cref="InsertarLote"/>.</summary>
    public static DynamicParameters Parametros(IReadOnlyList<EventoDominio> eventos, DynamicParameters? p = null)
    {
        p ??= new DynamicParameters();
        p.Add("eIds", eventos.Select(e => e.Id).ToArray());
        p.Add("eTipos", eventos.Select(e => e.Tipo).ToArray());
        p.Add("eAgregados", eventos.Select(e => e.Agregado).ToArray());
        p.Add("eAgregadoIds", eventos.Select(e => e.AgregadoId).ToArray());
        p.Add("eDatos", eventos.Select(e => e.Datos.GetRawText()).ToArray());
        p.Add("eCids", eventos.Select(e => e.Cid).ToArray());
        p.Add("eOcurridos", eventos.Select(e => e.OcurridoEn).ToArray());
        return p;
    }

    /// <summary>Many events in one round trip (a billing batch's FacturaTimbrada events).</summary>
    public static Task AgregarAsync(NpgsqlConnection cn, NpgsqlTransaction tx, IReadOnlyList<EventoDominio> eventos, CancellationToken ct) =>
        eventos.Count == 0 ? Task.CompletedTask
            : cn.ExecuteAsync(new CommandDefinition(InsertarLote, Parametros(eventos), transaction: tx, cancellationToken: ct));
}

/// <summary>Where relayed events go: Service Bus in Azure, a JSONL file locally.</summary>
public interface IPublicadorEventos
{
    string Destino { get; }
    Task PublicarAsync(IReadOnlyList<EventoDominio> eventos, CancellationToken ct);
}

public sealed record EventoPublicado(long Posicion, Guid EventoId, string Tipo, string Agregado, string AgregadoId,
    JsonElement Datos, string Cid, DateTimeOffset OcurridoEn, DateTimeOffset? PublicadoEn, string? Destino, int Intentos, string? UltimoError);
