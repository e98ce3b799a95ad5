using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Datos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>A verified, understood delivery ready to be recorded; <see cref="Pago"/> when it confirms a payment.</summary>
public sealed record EntregaWebhook(string Gateway, string EventoId, string Cuerpo, string Cid, DateTimeOffset RecibidoEn, PagoConfirmado? Pago);

/// <summary>The payment a delivery confirms, with the id it will have and its PagoRecibido event.</summary>
public sealed record PagoConfirmado(Guid Id, PagoNuevo Datos, EventoDominio Evento)
{
    public static PagoConfirmado Crear(PagoNuevo datos, string cid, DateTimeOffset ahora)
    {
        var id = Guid.CreateVersion7(ahora);
        return new(id, datos, RepositorioPagos.EventoRecibido(id, datos, cid, ahora));
    }
}

/// <summary>What recording one delivery did: <see cref="Primero"/> when it is the event id's first accepted delivery;
/// <see cref="PagoNuevo"/> false when it confirms a payment the gateway had already confirmed under another event id.</summary>
public readonly record struct RegistroWebhook(bool Primero, bool PagoNuevo);

/// <summary>
/// Records accepted deliveries with group commit (<see cref="EscritorPorLotes{TFila, TClave, TResultado}"/>): one
/// statement per batch writes each delivery's webhook_eventos row and, for the first delivery of a payment
/// event, the payment and its outbox event; every caller answers the gateway only after that commit. The
/// partial unique index admits one accepted first delivery per event id, so a delivery racing another batch
/// waits for its commit and is recorded as a duplicate. Rows go in (gateway, event id) order so that two
/// batches holding re-deliveries of the same events cannot deadlock. A payment for an unknown customer
/// fails its batch on the foreign key, and is then retried alone and fails alone.
/// A payment is also unique per (gateway, provider payment id): a new event for a payment already recorded,
/// in this batch or a concurrent one, inserts nothing (ON CONFLICT DO NOTHING on that unique index), and
/// payments go in that key's order so that two batches cannot deadlock on it either.
/// </summary>
public sealed class LoteWebhooks : IAsyncDisposable
{
    private const string Sql = $"""
        WITH v AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::uuid[], $7::uuid[],
                                 $8::numeric[], $9::text[], $10::text[], $11::text[], $12::jsonb[], $13::uuid[], $14::jsonb[])
                AS v(gateway, evento_id, cuerpo, cid, recibido_en, pago_id, cliente_id, monto, metodo, referencia, clave, facturas, outbox_id, datos)),
        primero AS (
            INSERT INTO webhook_eventos (gateway, evento_id, aceptado, cuerpo, cid, recibido_en)
            SELECT gateway, evento_id, true, cuerpo, cid, recibido_en FROM v ORDER BY gateway, evento_id
            ON CONFLICT (gateway, evento_id) WHERE aceptado AND NOT duplicado DO NOTHING
            RETURNING gateway, evento_id),
        repetido AS (
            INSERT INTO webhook_eventos (gateway, evento_id, aceptado, duplicado, cuerpo, cid, recibido_en)
            SELECT gateway, evento_id, true, true, cuerpo, cid, recibido_en FROM v
            WHERE NOT EXISTS (SELECT 1 FROM primero p WHERE p.gateway = v.gateway AND p.evento_id = v.evento_id)),
        pago AS (
            INSERT INTO pagos (id, cliente_id, monto, metodo, referencia, gateway, gateway_pago_id, gateway_evento_id, estado, recibido_en, cid, facturas_solicitadas)
            SELECT v.pago_id, v.cliente_id, v.monto, v.metodo, v.referencia, v.gateway, v.referencia, v.clave, 'confirmado', v.recibido_en, v.cid,
                   ARRAY(SELECT jsonb_array_elements_text(v.facturas)::uuid)
            FROM v JOIN primero p USING (gateway, evento_id)
            WHERE v.pago_id IS NOT NULL ORDER BY v.gateway, v.referencia, v.clave
            ON CONFLICT (gateway, gateway_pago_id) WHERE gateway_pago_id IS NOT NULL DO NOTHING
            RETURNING id),
        evento AS (
            {Outbox.Outbox.Insertar}
            SELECT v.outbox_id, 'PagoRecibido', 'pago', v.pago_id::text, v.datos, v.cid, v.recibido_en FROM v JOIN pago ON pago.id = v.pago_id)
        SELECT p.gateway, p.evento_id, v.pago_id IS NULL OR EXISTS (SELECT 1 FROM pago WHERE pago.id = v.pago_id)
        FROM primero p JOIN v USING (gateway, evento_id)
        """;

    private readonly NpgsqlDataSource _db;
    private readonly EscritorPorLotes<EntregaWebhook, (string, string), RegistroWebhook> _escritor;

    public LoteWebhooks(NpgsqlDataSource db, ILogger<LoteWebhooks> log)
    {
        _db = db;
        _escritor = new(e => (e.Gateway, e.EventoId), EscribirAsync, log);
    }

    /// <summary>Records the delivery once committed. The payment's <c>referencia</c> is the provider's payment id.</summary>
    public Task<RegistroWebhook> RegistrarAsync(EntregaWebhook entrega) => _escritor.EscribirAsync(entrega);

    private async Task<IReadOnlyList<RegistroWebhook>> EscribirAsync(IReadOnlyList<EntregaWebhook> filas)
    {
        await using var cmd = _db.CreateCommand(Sql);
        var p = cmd.Parameters;
        p.Add(new NpgsqlParameter<string[]> { TypedValue = filas.Select(f => f.Gateway).ToArray() });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = filas.Select(f => f.EventoId).ToArray() });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = filas.Select(f => f.Cuerpo).ToArray() });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = filas.Select(f => f.Cid).ToArray() });
        p.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = filas.Select(f => f.RecibidoEn).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter<Guid?[]> { TypedValue = filas.Select(f => f.Pago?.Id).ToArray() });
        p.Add(new NpgsqlParameter<Guid?[]> { TypedValue = filas.Select(f => f.Pago?.Datos.ClienteId).ToArray() });
        p.Add(new NpgsqlParameter<decimal?[]> { TypedValue = filas.Select(f => f.Pago?.Datos.Monto).ToArray() });
        p.Add(new NpgsqlParameter<string?[]> { TypedValue = filas.Select(f => f.Pago?.Datos.Metodo).ToArray() });
        p.Add(new NpgsqlParameter<string?[]> { TypedValue = filas.Select(f => f.Pago?.Datos.Referencia).ToArray() });
        p.Add(new NpgsqlParameter<string?[]> { TypedValue = filas.Select(f => f.Pago?.Datos.GatewayEventoId).ToArray() });
        p.Add(new NpgsqlParameter<string[]>
        {
            TypedValue = filas.Select(f => System.Text.Json.JsonSerializer.Serialize(f.Pago?.Datos.Facturas ?? [])).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
        });
        p.Add(new NpgsqlParameter<Guid?[]> { TypedValue = filas.Select(f => f.Pago?.Evento.Id).ToArray() });
        p.Add(new NpgsqlParameter<string?[]>
        {
            TypedValue = filas.Select(f => f.Pago?.Evento.Datos.GetRawText()).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
        });

        var primeros = new Dictionary<(string, string), bool>();
        await using (var rd = await cmd.ExecuteReaderAsync())
            while (await rd.ReadAsync())
                primeros[(rd.GetString(0), rd.GetString(1))] = rd.GetBoolean(2);
        return filas.Select(f => primeros.TryGetValue((f.Gateway, f.EventoId), out var nuevo)
            ? new RegistroWebhook(true, nuevo) : new RegistroWebhook(false, false)).ToList();
    }

    public ValueTask DisposeAsync() => _escritor.DisposeAsync();
}
