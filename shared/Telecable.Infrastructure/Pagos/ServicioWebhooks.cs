using System.Diagnostics.Metrics;
using System.Text;
using Dapper;
using Npgsql;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Observabilidad;

namespace Telecable.Infrastructure.Pagos;

public abstract record ResultadoWebhook
{
    /// <summary>Signed and understood. <see cref="PagoId"/> is set when it confirmed a payment;
    /// <see cref="Duplicado"/> when the event id was already processed (nothing changed).</summary>
    public sealed record Aceptado(string EventoId, Guid? PagoId, bool Duplicado) : ResultadoWebhook;
    public sealed record Rechazado(string Motivo) : ResultadoWebhook;
}

/// <summary>
/// Receives a gateway's webhook: verifies the signature over the raw bytes, keeps every delivery in
/// webhook_eventos (accepted, duplicate or rejected with the reason) and, for the first delivery of a
/// payment event, records the confirmed payment in the same transaction as the dedupe row.
/// </summary>
public sealed class ServicioWebhooks(NpgsqlDataSource db, IEnumerable<IAdaptadorPasarela> adaptadores, TimeProvider reloj)
{
    private static readonly Counter<long> Recibidos = Telemetria.Medidor.CreateCounter<long>(
        "telecable.pagos.webhooks", description: "Webhooks de pasarelas por resultado (aceptado, duplicado, rechazado)");

    private readonly Dictionary<string, IAdaptadorPasarela> _adaptadores =
        adaptadores.ToDictionary(a => a.Nombre, StringComparer.OrdinalIgnoreCase);

    public bool Existe(string gateway) => _adaptadores.ContainsKey(gateway);

    public async Task<ResultadoWebhook> RecibirAsync(string gateway, Func<string, string?> encabezado, byte[] cuerpo, string cid, CancellationToken ct)
    {
        var adaptador = _adaptadores[gateway];
        var ahora = reloj.GetUtcNow();
        var texto = Encoding.UTF8.GetString(cuerpo).Replace('\0', '\uFFFD'); // text columns refuse NUL
        var firma = adaptador.Verificar(encabezado, cuerpo, ahora);
        if (!firma.Valida) return await RechazarAsync(adaptador.Nombre, null, texto, firma.Motivo!, cid, ct);

        EventoPasarela evento;
        try { evento = adaptador.Interpretar(cuerpo); }
        catch (ErrorEventoPasarela e) { return await RechazarAsync(adaptador.Nombre, null, texto, e.Message, cid, ct); }

        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        // The partial unique index admits one accepted first delivery per event id; a concurrent
        // delivery of the same id waits here for this transaction and then inserts nothing.
        var primero = await cn.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO webhook_eventos (gateway, evento_id, aceptado, cuerpo, cid, recibido_en)
            VALUES (@gateway, @id, true, @texto, @cid, @ahora)
            ON CONFLICT (gateway, evento_id) WHERE aceptado AND NOT duplicado DO NOTHING
            RETURNING id
            """, new { gateway = adaptador.Nombre, id = evento.EventoId, texto, cid, ahora }, tx, cancellationToken: ct));
        if (primero is null)
        {
            await cn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO webhook_eventos (gateway, evento_id, aceptado, duplicado, cuerpo, cid, recibido_en)
                VALUES (@gateway, @id, true, true, @texto, @cid, @ahora)
                """, new { gateway = adaptador.Nombre, id = evento.EventoId, texto, cid, ahora }, tx, cancellationToken: ct));
            var previo = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                "SELECT id FROM pagos WHERE gateway_evento_id = @id", new { id = Clave(adaptador.Nombre, evento.EventoId) }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            Recibidos.Add(1, new KeyValuePair<string, object?>("resultado", "duplicado"));
            return new ResultadoWebhook.Aceptado(evento.EventoId, previo, true);
        }

        Guid? pagoId = null;
        if (evento.ConfirmaPago)
        {
            var existe = await cn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM clientes WHERE id = @ClienteId)", evento, tx, cancellationToken: ct));
            if (!existe)
            {
                await tx.RollbackAsync(ct);
                return await RechazarAsync(adaptador.Nombre, evento.EventoId, texto, "cliente_desconocido", cid, ct);
            }
            pagoId = await RepositorioPagos.InsertarConfirmadoAsync(cn, tx, new PagoNuevo(
                evento.ClienteId!.Value, evento.Monto!.Value, evento.Metodo!, evento.Referencia, adaptador.Nombre,
                Clave(adaptador.Nombre, evento.EventoId), evento.Facturas.ToArray()), cid, ahora, ct);
        }
        await tx.CommitAsync(ct);
        Recibidos.Add(1, new KeyValuePair<string, object?>("resultado", "aceptado"));
        return new ResultadoWebhook.Aceptado(evento.EventoId, pagoId, false);
    }

    /// <summary>pagos.gateway_evento_id is unique across gateways: prefix the gateway's own id.</summary>
    public static string Clave(string gateway, string eventoId) => $"{gateway}:{eventoId}";

    private async Task<ResultadoWebhook> RechazarAsync(string gateway, string? eventoId, string cuerpo, string motivo, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO webhook_eventos (gateway, evento_id, aceptado, motivo_rechazo, cuerpo, cid, recibido_en)
            VALUES (@gateway, @eventoId, false, @motivo, @cuerpo, @cid, @ahora)
            """, new { gateway, eventoId, motivo, cuerpo, cid, ahora = reloj.GetUtcNow() }, cancellationToken: ct));
        Recibidos.Add(1, new KeyValuePair<string, object?>("resultado", "rechazado"));
        return new ResultadoWebhook.Rechazado(motivo);
    }
}
