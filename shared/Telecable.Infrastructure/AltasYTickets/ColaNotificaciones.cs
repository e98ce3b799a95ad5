using Dapper;
using Npgsql;

namespace Telecable.Infrastructure.AltasYTickets;

/// <summary>
/// A message to queue for <see cref="DespachoNotificaciones"/>. Clave (or PagoId, one per payment) makes it idempotent:
/// a retried step or timer queues it once.
/// </summary>
public sealed record NotificacionPendiente(
    Guid? ClienteId, string Canal, string Destino, string Plantilla, string? Asunto, string Cuerpo, string Cid,
    string? Clave = null, Guid? PagoId = null, DateTimeOffset? CreadaEn = null);

/// <summary>
/// The one writer of pending notifications: each caller queues in its own transaction (so a message exists exactly
/// when the change that caused it committed), and the dispatcher delivers through the channel with retries.
/// </summary>
public static class ColaNotificaciones
{
    /// <summary>The new notification's id, or null when its Clave/PagoId was already queued.</summary>
    public static Task<Guid?> EncolarAsync(NpgsqlConnection cn, NpgsqlTransaction? tx, NotificacionPendiente n, CancellationToken ct) =>
        cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            INSERT INTO notificaciones (cliente_id, canal, destino, plantilla, asunto, cuerpo, estado, cid, clave, pago_id, created_at)
            VALUES (@ClienteId, @Canal, @Destino, @Plantilla, @Asunto, @Cuerpo, 'pendiente', @Cid, @Clave, @PagoId, coalesce(@CreadaEn, now()))
            ON CONFLICT DO NOTHING
            RETURNING id
            """, n, tx, cancellationToken: ct));
}
