using System.Diagnostics.Metrics;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;

namespace Telecable.Infrastructure.Outbox;

/// <summary>
/// Moves pending outbox rows to the publisher in order. Rows are locked FOR UPDATE SKIP LOCKED, so
/// two relays (two hosts, or a timer overlapping itself) never publish the same batch; delivery is
/// at-least-once and consumers dedupe on the event id.
/// </summary>
public sealed class RelayOutbox(NpgsqlDataSource db, IPublicadorEventos publicador, TimeProvider reloj, ILogger<RelayOutbox> log)
{
    private static readonly Counter<long> Publicados = Telemetria.Medidor.CreateCounter<long>("telecable.outbox.publicados", description: "Eventos del outbox publicados");

    public async Task<int> PublicarPendientesAsync(int lote = 200, CancellationToken ct = default)
    {
        var total = 0;
        while (!ct.IsCancellationRequested)
        {
            var n = await PublicarLoteAsync(lote, ct);
            total += n;
            if (n < lote) break;
        }
        return total;
    }

    private async Task<int> PublicarLoteAsync(int lote, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var filas = (await cn.QueryAsync<(long Posicion, Guid EventoId, string Tipo, string Agregado, string AgregadoId, string Datos, string Cid, DateTime OcurridoEn)>(
            new CommandDefinition("""
                SELECT posicion, evento_id, tipo, agregado, agregado_id, datos::text, cid, ocurrido_en
                  FROM outbox WHERE publicado_en IS NULL
                 ORDER BY posicion LIMIT @lote FOR UPDATE SKIP LOCKED
                """, new { lote }, tx, cancellationToken: ct))).ToList();
        if (filas.Count == 0) return 0;

        var eventos = filas.Select(f => new EventoDominio(f.EventoId, f.Tipo, f.Agregado, f.AgregadoId,
            JsonDocument.Parse(f.Datos).RootElement.Clone(), f.Cid, FechasDb.Utc(f.OcurridoEn))).ToList();
        var posiciones = filas.Select(f => f.Posicion).ToArray();
        try
        {
            await publicador.PublicarAsync(eventos, ct);
            await cn.ExecuteAsync(new CommandDefinition(
                "UPDATE outbox SET publicado_en = @ahora, destino = @destino, intentos = intentos + 1, ultimo_error = NULL WHERE posicion = ANY(@posiciones)",
                new { ahora = reloj.GetUtcNow(), destino = publicador.Destino, posiciones }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            Publicados.Add(eventos.Count);
            return eventos.Count;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning(ex, "No se pudo publicar un lote de {Cantidad} eventos del outbox", eventos.Count);
            await tx.RollbackAsync(CancellationToken.None);
            await cn.ExecuteAsync(new CommandDefinition(
                "UPDATE outbox SET intentos = intentos + 1, ultimo_error = @error WHERE posicion = ANY(@posiciones)",
                new { error = ex.Message, posiciones }, cancellationToken: CancellationToken.None));
            return 0;
        }
    }

    /// <summary>Recent events, newest first, for operators and tests ("keeps it queryable").</summary>
    public async Task<Application.Comun.Pagina<EventoPublicado>> ConsultarAsync(string? tipo, string? agregadoId, Application.Comun.Paginacion pagina, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await Datos.Paginado.LeerAsync<(long, Guid, string, string, string, string, string, DateTime, DateTime?, string?, int, string?), EventoPublicado>(cn, """
            SELECT posicion, evento_id, tipo, agregado, agregado_id, datos::text, cid, ocurrido_en, publicado_en, destino, intentos, ultimo_error
              FROM outbox
             WHERE (@tipo::text IS NULL OR tipo = @tipo) AND (@agregadoId::text IS NULL OR agregado_id = @agregadoId)
            """, "posicion DESC", new { tipo, agregadoId }, pagina, f => new EventoPublicado(f.Item1, f.Item2, f.Item3, f.Item4, f.Item5,
            JsonDocument.Parse(f.Item6).RootElement.Clone(), f.Item7, FechasDb.Utc(f.Item8), FechasDb.Utc(f.Item9), f.Item10, f.Item11, f.Item12), ct);
    }

    /// <summary>Age of the oldest unpublished event: the lag an operator charts.</summary>
    public async Task<TimeSpan> RetrasoAsync(CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var masViejo = await cn.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "SELECT min(ocurrido_en) FROM outbox WHERE publicado_en IS NULL", cancellationToken: ct));
        return masViejo is { } t ? reloj.GetUtcNow() - FechasDb.Utc(t) : TimeSpan.Zero;
    }
}
