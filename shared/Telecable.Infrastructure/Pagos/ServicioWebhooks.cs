using System.Diagnostics.Metrics;
using System.Text;
using Dapper;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Application.Pagos;
using Telecable.Domain.Comun;

namespace Telecable.Infrastructure.Pagos;

public abstract record ResultadoWebhook
{
    /// <summary>Signed and understood. <see cref="PagoId"/> is set when it confirmed a payment;
    /// <see cref="Duplicado"/> when nothing changed: the event id was already processed, or the event confirms a payment
    /// the gateway had already confirmed under another event id (then <see cref="PagoId"/> is that payment).</summary>
    public sealed record Aceptado(string EventoId, Guid? PagoId, bool Duplicado) : ResultadoWebhook;
    /// <summary><see cref="Campo"/>: the signature header when it did not verify, "cuerpo" when a signed body cannot be applied.</summary>
    public sealed record Rechazado(string Campo, string Motivo) : ResultadoWebhook;
}

/// <summary>
/// Receives a gateway's webhook: verifies the signature over the raw bytes, keeps every delivery in
/// webhook_eventos (accepted, duplicate or rejected with the reason) and, for the first delivery of a
/// payment event, records the confirmed payment with the dedupe row (<see cref="LoteWebhooks"/>). ProcesarPago is
/// started later by the IniciarPagosConfirmados timer, so the gateway gets its 2xx as soon as this commits.
/// </summary>
public sealed class ServicioWebhooks(NpgsqlDataSource db, LoteWebhooks lote, IEnumerable<IAdaptadorPasarela> adaptadores, TimeProvider reloj)
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
        var firma = adaptador.Verificar(encabezado, cuerpo, ahora);
        if (!firma.Valida) return await RechazarAsync(adaptador.Nombre, null, cuerpo, adaptador.EncabezadoFirma, firma.Motivo!, cid, ct);

        EventoPasarela evento;
        try { evento = adaptador.Interpretar(cuerpo); }
        catch (ErrorEventoPasarela e) { return await RechazarAsync(adaptador.Nombre, null, cuerpo, e.Campo, e.Message, cid, ct); }

        var texto = Texto(cuerpo); // signed and understood: kept whole
        var clienteId = evento.ClienteId;
        var facturas = evento.Facturas.ToArray();
        if (evento.ConfirmaPago && clienteId is null && evento.ReferenciaEfectivo is { } refEfectivo)
        {
            // A cash reference names the customer and, when issued for one, the invoice it pays.
            var r = await ReferenciaAsync(adaptador.Nombre, refEfectivo, ct);
            if (r is null) return await RechazarAsync(adaptador.Nombre, evento.EventoId, cuerpo, "data.object.payment_method.reference", "referencia_desconocida", cid, ct);
            clienteId = r.Value.ClienteId;
            if (r.Value.FacturaId is { } f) facturas = [f];
        }
        else if (evento.ConfirmaPago && clienteId is null)
        {
            clienteId = await ClientePorClabeAsync(evento.Clabe, ct);
            if (clienteId is null) return await RechazarAsync(adaptador.Nombre, evento.EventoId, cuerpo, "clabeBeneficiario", "clabe_desconocida", cid, ct);
        }
        // Effects other than a payment happen before the delivery is recorded and are idempotent, so a crash in
        // between leaves them done and the provider's retry (then a duplicate) changes nothing more.
        switch (evento.Efecto)
        {
            case EfectoEvento.VenceReferencia:
                if (await ReferenciaAsync(adaptador.Nombre, evento.ReferenciaEfectivo!, ct) is null)
                    return await RechazarAsync(adaptador.Nombre, evento.EventoId, cuerpo, "data.object.payment_method.reference", "referencia_desconocida", cid, ct);
                await CerrarReferenciaAsync(adaptador.Nombre, evento.ReferenciaEfectivo!, ahora, ct);
                break;
            case EfectoEvento.Reembolso or EfectoEvento.Contracargo:
                if (!await RegistrarReversoAsync(adaptador.Nombre, evento, cid, ahora, ct))
                    return await RechazarAsync(adaptador.Nombre, evento.EventoId, cuerpo, "data.object.payment_intent", "pago_desconocido", cid, ct);
                break;
        }
        var pago = evento.ConfirmaPago
            ? PagoConfirmado.Crear(new PagoNuevo(clienteId!.Value, evento.Monto!.Value, evento.Metodo!, evento.Referencia,
                adaptador.Nombre, Clave(adaptador.Nombre, evento.EventoId), facturas), cid, ahora)
            : null;
        RegistroWebhook registro;
        try
        {
            registro = await lote.RegistrarAsync(new EntregaWebhook(adaptador.Nombre, evento.EventoId, texto, cid, ahora, pago));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation && e.ConstraintName == "pagos_cliente_id_fkey")
        {
            return await RechazarAsync(adaptador.Nombre, evento.EventoId, cuerpo, "cuerpo", "cliente_desconocido", cid, ct);
        }

        // A paid cash reference is marked paid by every delivery (a first one, or a retry after a crash right here).
        if (pago is not null && evento.ReferenciaEfectivo is { } pagada) await MarcarReferenciaPagadaAsync(adaptador.Nombre, pagada, ahora, ct);
        if (!registro.Primero)
        {
            Recibidos.Add(1, new KeyValuePair<string, object?>("resultado", "duplicado"));
            return new ResultadoWebhook.Aceptado(evento.EventoId, null, true);
        }
        if (pago is not null && !registro.PagoNuevo)
        {
            // Committed before the batch answered (the unique index waited for it), so this read sees it.
            await using var cn = await db.OpenConnectionAsync(ct);
            var existente = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition(
                "SELECT id FROM pagos WHERE gateway = @gateway AND gateway_pago_id = @referencia",
                new { gateway = adaptador.Nombre, referencia = evento.Referencia }, cancellationToken: ct));
            Recibidos.Add(1, new KeyValuePair<string, object?>("resultado", "pago_repetido"));
            return new ResultadoWebhook.Aceptado(evento.EventoId, existente, true);
        }
        Recibidos.Add(1, new KeyValuePair<string, object?>("resultado", "aceptado"));
        return new ResultadoWebhook.Aceptado(evento.EventoId, pago?.Id, false);
    }

    /// <summary>A CLABE, once issued, belongs to its customer for good (clientes.clabe is unique and never reassigned), so
    /// a found one is remembered: a burst of deposits costs no extra round trip per notice. Unknown ones are not cached
    /// (a CLABE may be issued a moment later). Bounded: cleared past 200,000 entries.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Guid> _clientesPorClabe = new(StringComparer.Ordinal);

    private async Task<Guid?> ClientePorClabeAsync(string? clabe, CancellationToken ct)
    {
        if (clabe is null) return null;
        if (_clientesPorClabe.TryGetValue(clabe, out var conocido)) return conocido;
        await using var cn = await db.OpenConnectionAsync(ct);
        var cliente = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("SELECT id FROM clientes WHERE clabe = @clabe", new { clabe }, cancellationToken: ct));
        if (cliente is { } id)
        {
            if (_clientesPorClabe.Count > 200_000) _clientesPorClabe.Clear();
            _clientesPorClabe[clabe] = id;
        }
        return cliente;
    }

    private async Task<(Guid ClienteId, Guid? FacturaId)?> ReferenciaAsync(string proveedor, string referencia, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.QuerySingleOrDefaultAsync<(Guid, Guid?)?>(new CommandDefinition(
            "SELECT cliente_id, factura_id FROM referencias_efectivo WHERE proveedor = @proveedor AND referencia = @referencia",
            new { proveedor, referencia }, cancellationToken: ct));
    }

    private async Task CerrarReferenciaAsync(string proveedor, string referencia, DateTimeOffset ahora, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE referencias_efectivo SET estado = 'vencida', cerrada_en = @ahora WHERE proveedor = @proveedor AND referencia = @referencia AND estado = 'vigente'",
            new { proveedor, referencia, ahora }, cancellationToken: ct));
    }

    /// <summary>The reference is paid by the payment the provider confirmed for it (even if it had lapsed: the money arrived).</summary>
    private async Task MarcarReferenciaPagadaAsync(string proveedor, string referencia, DateTimeOffset ahora, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE referencias_efectivo r SET estado = 'pagada', pago_id = p.id, cerrada_en = @ahora
            FROM pagos p WHERE p.gateway = @proveedor AND p.gateway_pago_id = @referencia
              AND r.proveedor = @proveedor AND r.referencia = @referencia AND r.estado <> 'pagada'
            """, new { proveedor, referencia, ahora }, cancellationToken: ct));
    }

    /// <summary>Records the reversal a refund or dispute asks for (one per payment; the IniciarReversosPago timer carries
    /// it out). False when the provider names a payment this system never recorded.</summary>
    private async Task<bool> RegistrarReversoAsync(string gateway, EventoPasarela evento, string cid, DateTimeOffset ahora, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var pagoId = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM pagos WHERE gateway = @gateway AND gateway_pago_id = @referencia", new { gateway, referencia = evento.Referencia }, cancellationToken: ct));
        if (pagoId is null) return false;
        // A refund's amount is the charge's total refunded so far (Stripe's amount_refunded): after a partial refund the
        // next one reverses, from the remainder payment, only what is new.
        var monto = evento.Monto;
        if (evento.Efecto == EfectoEvento.Reembolso)
            while (await cn.QuerySingleOrDefaultAsync<(Guid Remanente, decimal Monto)?>(new CommandDefinition(
                       "SELECT pago_remanente_id, monto FROM pago_reversos WHERE pago_id = @pagoId AND tipo = 'reembolso' AND pago_remanente_id IS NOT NULL",
                       new { pagoId }, cancellationToken: ct)) is { } previo)
            {
                pagoId = previo.Remanente;
                monto -= previo.Monto;
            }
        if (monto <= 0) return true; // nothing refunded beyond what was already reversed
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pago_reversos (pago_id, tipo, gateway, evento_id, monto, recibido_en, cid)
            VALUES (@pagoId, @tipo, @gateway, @eventoId, @monto, @ahora, @cid)
            ON CONFLICT (pago_id) DO UPDATE SET monto = EXCLUDED.monto, evento_id = EXCLUDED.evento_id
            WHERE pago_reversos.estado = 'pendiente' AND pago_reversos.origen = 'proveedor' AND pago_reversos.tipo = 'reembolso'
              AND EXCLUDED.tipo = 'reembolso' AND EXCLUDED.monto > pago_reversos.monto
            """, new { pagoId, tipo = evento.Efecto == EfectoEvento.Reembolso ? "reembolso" : "contracargo", gateway, evento.EventoId, monto, ahora, cid },
            cancellationToken: ct));
        return true;
    }

    /// <summary>pagos.gateway_evento_id is unique across gateways: prefix the gateway's own id.</summary>
    public static string Clave(string gateway, string eventoId) => $"{gateway}:{eventoId}";

    /// <summary>
    /// Removes rejected and duplicate deliveries older than <paramref name="dias"/>, in batches so one run never
    /// holds a long lock; the first accepted delivery of each event is kept (dedupe). Returns how many went.
    /// </summary>
    public async Task<long> PurgarAsync(int dias, CancellationToken ct)
    {
        var limite = reloj.GetUtcNow().AddDays(-Math.Max(1, dias));
        await using var cn = await db.OpenConnectionAsync(ct);
        long total = 0;
        int n;
        do
        {
            n = await cn.ExecuteAsync(new CommandDefinition("""
                DELETE FROM webhook_eventos WHERE id IN (
                    SELECT id FROM webhook_eventos WHERE recibido_en < @limite AND (NOT aceptado OR duplicado) LIMIT 5000)
                """, new { limite }, cancellationToken: ct));
            total += n;
        } while (n == 5000);
        return total;
    }

    /// <summary>How much of a rejected delivery is kept: enough to diagnose it, never a stranger's 256 KiB.</summary>
    public const int MaximoExtracto = 1024;

    /// <summary>The body as text a text column accepts (NUL replaced; invalid UTF-8 already becomes U+FFFD).</summary>
    private static string Texto(ReadOnlySpan<byte> cuerpo) => Encoding.UTF8.GetString(cuerpo).Replace('\0', '\uFFFD');

    /// <summary>The first bytes of a rejected body, cut on a character boundary.</summary>
    public static string Extracto(ReadOnlySpan<byte> cuerpo)
    {
        var texto = Texto(cuerpo[..Math.Min(cuerpo.Length, MaximoExtracto * 4)]);
        if (texto.Length <= MaximoExtracto) return texto;
        var corte = char.IsHighSurrogate(texto[MaximoExtracto - 1]) ? MaximoExtracto - 1 : MaximoExtracto;
        return texto[..corte] + "…";
    }

    private async Task<ResultadoWebhook> RechazarAsync(string gateway, string? eventoId, byte[] recibido, string campo, string motivo, string cid, CancellationToken ct)
    {
        var cuerpo = Extracto(recibido);
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO webhook_eventos (gateway, evento_id, aceptado, motivo_rechazo, cuerpo, cid, recibido_en)
            VALUES (@gateway, @eventoId, false, @motivo, @cuerpo, @cid, @ahora)
            """, new { gateway, eventoId, motivo, cuerpo, cid, ahora = reloj.GetUtcNow() }, cancellationToken: ct));
        Recibidos.Add(1, new KeyValuePair<string, object?>("resultado", "rechazado"));
        return new ResultadoWebhook.Rechazado(campo, motivo);
    }
}
