using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;

namespace Telecable.Infrastructure.Routers;

/// <summary>
/// Opens an outage (support ticket, WhatsApp notification, RouterDesconectado) when a router stops
/// reporting for <see cref="OpcionesRouters.LimiteSinReporte"/>, and closes it when the router reports
/// again. Exactly once per outage: the detector flips router_estado to fuera_de_linea with a
/// conditional UPDATE (the row lock lets only one concurrent run see the transition, and a report that
/// committed meanwhile makes the condition false; rows are locked in router_id order, like the
/// telemetry batches, and rows a report is writing are skipped), and router_desconexiones has a unique index on the
/// open outage of each router as a second guard.
/// </summary>
public sealed class DetectorDesconexiones(NpgsqlDataSource db, IOptions<OpcionesRouters> opciones, TimeProvider reloj)
{
    public const string Actor = "sistema:routers";

    private static readonly Counter<long> Desconexiones = Telemetria.Medidor.CreateCounter<long>(
        "telecable.routers.desconexiones", description: "Desconexiones abiertas por el detector");
    private static readonly Counter<long> Reconexiones = Telemetria.Medidor.CreateCounter<long>(
        "telecable.routers.reconexiones", description: "Desconexiones cerradas porque el router volvió a reportar");

    private sealed record Caido(Guid RouterId, string Serial, DateTime ReportadoEn, Guid? ClienteId, Guid? ContratoId, string? Telefono, string? Nombre);

    /// <summary>Marks silent routers offline and opens one outage for each; returns how many were opened.</summary>
    public async Task<int> DetectarAsync(string cid, CancellationToken ct)
    {
        var ahora = reloj.GetUtcNow();
        var limite = ahora - opciones.Value.LimiteSinReporte;
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var caidos = (await cn.QueryAsync<Caido>(new CommandDefinition("""
            WITH marcados AS (
                UPDATE router_estado e SET estado_anterior = e.estado, estado = 'fuera_de_linea', actualizado_en = @ahora
                WHERE e.router_id IN (SELECT router_id FROM router_estado
                                      WHERE estado <> 'fuera_de_linea' AND reportado_en < @limite
                                      ORDER BY router_id LIMIT 500 FOR UPDATE SKIP LOCKED)
                  AND e.estado <> 'fuera_de_linea' AND e.reportado_en < @limite
                RETURNING e.router_id, e.reportado_en)
            SELECT m.router_id AS RouterId, r.serial AS Serial, m.reportado_en AS ReportadoEn, r.cliente_id AS ClienteId,
                   r.contrato_id AS ContratoId, c.telefono AS Telefono, c.nombre AS Nombre
            FROM marcados m JOIN routers r ON r.id = m.router_id LEFT JOIN clientes c ON c.id = r.cliente_id
            """, new { ahora, limite }, tx, cancellationToken: ct))).ToList();

        var abiertas = 0;
        foreach (var c in caidos)
        {
            var desconexion = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
                INSERT INTO router_desconexiones (router_id, ultimo_reporte, detectada_en) VALUES (@RouterId, @ReportadoEn, @ahora)
                ON CONFLICT (router_id) WHERE terminada_en IS NULL DO NOTHING RETURNING id
                """, new { c.RouterId, c.ReportadoEn, ahora }, tx, cancellationToken: ct));
            if (desconexion is null) continue;

            Guid? ticket = null, notificacion = null;
            if (c.ClienteId is { } cliente)
            {
                ticket = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
                    INSERT INTO tickets (tipo, cliente_id, contrato_id, estado, prioridad, descripcion, created_at, updated_at)
                    VALUES ('falla', @cliente, @ContratoId, 'abierto', 'alta', @descripcion, @ahora, @ahora) RETURNING id
                    """, new { cliente, c.ContratoId, ahora,
                        descripcion = $"Router {c.Serial} sin reportar desde {c.ReportadoEn:yyyy-MM-dd HH:mm:ss} UTC (detectado automáticamente)." },
                    tx, cancellationToken: ct));
                await cn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO ticket_eventos (ticket_id, estado_anterior, estado_nuevo, nota, actor, cid, created_at)
                    VALUES (@ticket, NULL, 'abierto', 'Abierto por el detector de desconexiones.', @Actor, @cid, @ahora)
                    """, new { ticket, Actor, cid, ahora }, tx, cancellationToken: ct));
                if (!string.IsNullOrWhiteSpace(c.Telefono))
                    notificacion = await AltasYTickets.ColaNotificaciones.EncolarAsync(cn, tx, new(cliente, "whatsapp", c.Telefono, "router_desconectado",
                        "Tu módem no responde",
                        $"Hola {c.Nombre}: detectamos que tu módem {c.Serial} dejó de responder. Ya abrimos el reporte de soporte y te avisaremos de cualquier novedad.",
                        cid, CreadaEn: ahora), ct);
            }
            await cn.ExecuteAsync(new CommandDefinition(
                "UPDATE router_desconexiones SET ticket_id = @ticket, notificacion_id = @notificacion WHERE id = @desconexion",
                new { ticket, notificacion, desconexion }, tx, cancellationToken: ct));
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("RouterDesconectado", "router", c.RouterId.ToString(),
                new { routerId = c.RouterId, c.Serial, ultimoReporte = c.ReportadoEn, desconexionId = desconexion, ticketId = ticket, clienteId = c.ClienteId },
                cid, ahora), ct);
            abiertas++;
        }
        await tx.CommitAsync(ct);
        if (abiertas > 0) Desconexiones.Add(abiertas);

        // Safety net: an outage whose router reported again but whose closing failed (the report's
        // second transaction) is closed here, so no outage stays open while its router is online.
        var huerfanas = await cn.QueryAsync<Guid>(new CommandDefinition("""
            SELECT d.router_id FROM router_desconexiones d JOIN router_estado e ON e.router_id = d.router_id
            WHERE d.terminada_en IS NULL AND e.estado <> 'fuera_de_linea' AND e.reportado_en > d.detectada_en LIMIT 100
            """, cancellationToken: ct));
        foreach (var routerId in huerfanas) await CerrarDesconexionAsync(routerId, ahora, cid, ct);
        return abiertas;
    }

    /// <summary>The router reported again: close its open outage, and its ticket if nobody took it yet.</summary>
    public async Task CerrarDesconexionAsync(Guid routerId, DateTimeOffset ahora, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var d = await cn.QuerySingleOrDefaultAsync<(Guid Id, Guid? TicketId)>(new CommandDefinition("""
            UPDATE router_desconexiones SET terminada_en = greatest(@ahora, detectada_en)
            WHERE router_id = @routerId AND terminada_en IS NULL RETURNING id, ticket_id
            """, new { routerId, ahora }, tx, cancellationToken: ct));
        if (d.Id == Guid.Empty)
        {
            await tx.RollbackAsync(ct);
            return;
        }
        if (d.TicketId is { } ticket)
        {
            var anterior = await cn.ExecuteScalarAsync<string?>(new CommandDefinition("""
                UPDATE tickets SET estado = 'cerrado', cerrado_en = @ahora, version = version + 1
                WHERE id = @ticket AND estado = 'abierto' RETURNING 'abierto'
                """, new { ticket, ahora }, tx, cancellationToken: ct));
            await cn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO ticket_eventos (ticket_id, estado_anterior, estado_nuevo, nota, actor, cid, created_at)
                VALUES (@ticket, @anterior, @nuevo, 'El router volvió a reportar.', @Actor, @cid, @ahora)
                """, new { ticket, anterior, nuevo = anterior is null ? null : "cerrado", Actor, cid, ahora }, tx, cancellationToken: ct));
        }
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("RouterReconectado", "router", routerId.ToString(),
            new { routerId, desconexionId = d.Id, ticketId = d.TicketId }, cid, ahora), ct);
        await tx.CommitAsync(ct);
        Reconexiones.Add(1);
    }

    /// <summary>Deletes history older than the retention, in slices so no single statement holds locks for long.</summary>
    public async Task<int> PurgarHistorialAsync(CancellationToken ct)
    {
        var limite = reloj.GetUtcNow().AddHours(-opciones.Value.RetencionHistorialHoras);
        var total = 0;
        int n;
        do
        {
            await using var cn = await db.OpenConnectionAsync(ct);
            n = await cn.ExecuteAsync(new CommandDefinition("""
                DELETE FROM router_estado_historial WHERE id IN (
                    SELECT id FROM router_estado_historial WHERE reportado_en < @limite LIMIT 10000)
                """, new { limite }, cancellationToken: ct));
            total += n;
        } while (n == 10000 && !ct.IsCancellationRequested);
        return total;
    }
}
