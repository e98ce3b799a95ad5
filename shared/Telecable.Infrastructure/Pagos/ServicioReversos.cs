using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Application.Pagos;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>POST /api/pagos/{id}/reembolsos: a refund the ISP made itself by SPEI transfer (OXXO cash, SPEI, bank or
/// branch payments, which no provider refunds): the amount, the customer's CLABE it went to, the transfer's clave de
/// rastreo and a note.</summary>
public sealed record SolicitudReembolso(decimal? Monto, string? ClabeDestino, string? ClaveRastreo, string? Nota);

/// <summary>A recorded reversal, carried out by the IniciarReversosPago timer.</summary>
public sealed record ReversoRegistrado(Guid PagoId, string Tipo, string Origen, decimal Monto, string Estado, string ClaveRastreo, string ClabeDestino);

/// <summary>What one pass over the pending reversals did.</summary>
public sealed record ResultadoReversos(int Aplicados, int Revision, int EnEspera);

/// <summary>
/// Carries out the refunds and chargebacks that providers reported (<c>pago_reversos</c>, written by the webhook):
/// the payment complement is cancelled at the PAC through the existing <see cref="IEmisorComplementoPago.CancelarAsync"/>
/// (motive 02, as the saga's own compensation does: SAT requires a complement only for money actually received),
/// then in one transaction the applications are removed (the invoices' balances reopen and a settled invoice is
/// 'timbrada' again), the credit the payment left is debited, the payment ends 'reembolsado' or 'contracargado'
/// and the event goes to the outbox. Every step is idempotent, so a crash anywhere is repaired by the next pass.
/// A payment whose ProcesarPago is still running waits for the next pass.
/// A partial refund or dispute (less than the payment) does the same and, in that same transaction, records what the
/// customer kept as a new confirmed payment (<c>pago_origen_id</c>) for the same invoices: ProcesarPago applies it and
/// stamps a new complement for that amount, which is what SAT wants (a complement states money actually received;
/// the one for the full amount is cancelled). The original ends 'reembolsado_parcial' (or 'contracargado').
/// </summary>
public sealed class ServicioReversos(NpgsqlDataSource db, IEmisorComplementoPago complementos, TimeProvider reloj, ILogger<ServicioReversos> log)
{
    private static readonly Counter<long> Reversos = Telemetria.Medidor.CreateCounter<long>(
        "telecable.pagos.reversos", description: "Reembolsos y contracargos aplicados (por tipo y resultado)");

    private sealed record Pendiente(Guid PagoId, string Tipo, decimal Monto, string EstadoPago, decimal MontoPago, string? Cid);

    /// <summary>Estados a payment can be reversed from.</summary>
    public static readonly string[] EstadosReversibles = ["confirmado", "aplicado"];

    public async Task<ResultadoReversos> ProcesarPendientesAsync(Func<Guid, Task<bool>> sagaEnCurso, CancellationToken ct)
    {
        List<Pendiente> pendientes;
        await using (var cn = await db.OpenConnectionAsync(ct))
            pendientes = (await cn.QueryAsync<Pendiente>(new CommandDefinition("""
                SELECT r.pago_id AS PagoId, r.tipo, r.monto, p.estado AS EstadoPago, p.monto AS MontoPago, r.cid
                FROM pago_reversos r JOIN pagos p ON p.id = r.pago_id
                WHERE r.estado = 'pendiente' ORDER BY r.recibido_en LIMIT 100
                """, cancellationToken: ct))).ToList();
        int aplicados = 0, revision = 0, espera = 0;
        foreach (var r in pendientes)
        {
            using var _ = log.BeginScope(new Dictionary<string, object?> { ["cid"] = r.Cid, ["pagoId"] = r.PagoId });
            if (r.Monto > r.MontoPago)
            {
                // The provider reversed more than it collected: nothing this system can state; an operator looks.
                await CerrarAsync(r.PagoId, "revision_manual", "reverso_mayor_al_pago", ct);
                log.LogWarning("Reverso ({Tipo}) de {Monto} mayor que el pago {PagoId} de {MontoPago}: revisión manual", r.Tipo, r.Monto, r.PagoId, r.MontoPago);
                Reversos.Add(1, new("tipo", r.Tipo), new("resultado", "revision_manual"));
                revision++;
                continue;
            }
            if (await sagaEnCurso(r.PagoId)) { espera++; continue; }
            await complementos.CancelarAsync(r.PagoId, ct);
            var parcial = r.Monto < r.MontoPago;
            var remanente = await RevertirAsync(r.PagoId, r.Tipo, parcial ? r.MontoPago - r.Monto : 0m, r.Cid ?? Correlacion.Normalizar(null), ct);
            log.LogInformation("Pago {PagoId} {Tipo} por {Monto} de {MontoPago}: aplicación revertida, complemento cancelado; remanente {Remanente}",
                r.PagoId, r.Tipo, r.Monto, r.MontoPago, remanente);
            Reversos.Add(1, new("tipo", r.Tipo), new("resultado", parcial ? "parcial" : "aplicado"));
            aplicados++;
        }
        return new ResultadoReversos(aplicados, revision, espera);
    }

    /// <summary>Reverses the payment; with <paramref name="resto"/> &gt; 0 (a partial reversal) the amount kept becomes a new
    /// confirmed payment for the invoices the original paid. Returns that payment's id.</summary>
    private async Task<Guid?> RevertirAsync(Guid pagoId, string tipo, decimal resto, string cid, CancellationToken ct)
    {
        var ahora = reloj.GetUtcNow();
        var estadoFinal = tipo == "reembolso" ? (resto > 0 ? "reembolsado_parcial" : "reembolsado") : "contracargado";
        Guid? remanente = null;
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var estado = await cn.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT estado FROM pagos WHERE id = @pagoId FOR UPDATE", new { pagoId }, tx, cancellationToken: ct));
        if (estado is "aplicado" or "confirmado")
        {
            var facturas = (await cn.QueryAsync<Guid>(new CommandDefinition(
                "SELECT factura_id FROM pago_aplicaciones WHERE pago_id = @pagoId ORDER BY aplicado_en, factura_id", new { pagoId }, tx, cancellationToken: ct))).ToArray();
            await Cobranza.ServicioCobranza.ReabrirSuspensionAsync(cn, tx, pagoId, ct);
            await cn.ExecuteAsync(new CommandDefinition($"""
                UPDATE facturas SET estado = 'timbrada' WHERE estado = 'pagada' AND id = ANY(@facturas);
                DELETE FROM pago_aplicaciones WHERE pago_id = @pagoId;
                INSERT INTO movimientos_saldo (cliente_id, tipo, monto, pago_id, concepto, actor, created_at)
                SELECT cliente_id, 'cargo', monto, pago_id, 'Reverso de saldo a favor ({tipo})', 'sistema', @ahora
                FROM movimientos_saldo m WHERE m.pago_id = @pagoId AND m.tipo = 'abono'
                  AND NOT EXISTS (SELECT 1 FROM movimientos_saldo c WHERE c.pago_id = @pagoId AND c.tipo = 'cargo');
                UPDATE pagos SET estado = @estadoFinal, version = version + 1 WHERE id = @pagoId;
                """, new { pagoId, facturas, ahora, estadoFinal }, tx, cancellationToken: ct));
            if (resto > 0)
            {
                // What the customer kept, as the same method and reference, for the invoices the original paid (its own
                // request when it was never applied); no provider ids, so the provider's dedupe keys stay the original's.
                remanente = Guid.CreateVersion7(ahora);
                var p = await cn.QuerySingleAsync<(Guid ClienteId, string Metodo, string? Referencia, string? Gateway, Guid[] Solicitadas)>(new CommandDefinition(
                    "SELECT cliente_id, metodo, referencia, gateway, facturas_solicitadas FROM pagos WHERE id = @pagoId", new { pagoId }, tx, cancellationToken: ct));
                var destino = facturas.Length > 0 ? facturas : p.Solicitadas;
                await cn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO pagos (id, cliente_id, monto, metodo, referencia, gateway, estado, recibido_en, cid, facturas_solicitadas, pago_origen_id)
                    VALUES (@remanente, @ClienteId, @resto, @Metodo, @Referencia, @Gateway, 'confirmado', @ahora, @cid, @destino, @pagoId)
                    """, new { remanente, p.ClienteId, resto, p.Metodo, p.Referencia, p.Gateway, ahora, cid, destino, pagoId }, tx, cancellationToken: ct));
                await Outbox.Outbox.AgregarAsync(cn, tx, RepositorioPagos.EventoRecibido(remanente.Value,
                    new PagoNuevo(p.ClienteId, resto, p.Metodo, p.Referencia, p.Gateway, null, destino), cid, ahora), ct);
            }
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(tipo == "reembolso" ? "PagoReembolsado" : "PagoContracargado", "pago",
                pagoId.ToString(), new { pagoId, facturasReabiertas = facturas, pagoRemanenteId = remanente }, cid, ahora), ct);
        }
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE pago_reversos SET estado = 'aplicado', procesado_en = @ahora, pago_remanente_id = @remanente WHERE pago_id = @pagoId AND estado = 'pendiente'",
            new { pagoId, ahora, remanente }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return remanente;
    }

    /// <summary>
    /// Records the operator's own refund of a payment no provider can refund (cash at OXXO cannot be handed back by the
    /// aggregator; a SPEI deposit is returned by a new outgoing transfer): then carried out like a provider's. A card
    /// payment is refunded at its gateway (its charge.refunded event does the rest), so it is a 409 here; so is a payment
    /// already reversed (a partial refund's remainder is its own payment, refunded by its own id).
    /// </summary>
    public async Task<ReversoRegistrado> RegistrarManualAsync(Guid pagoId, SolicitudReembolso s, string usuario, string cid, CancellationToken ct)
    {
        var rastreo = s.ClaveRastreo?.Trim();
        new Validador()
            .Regla(s.Monto is { } m && Montos.EsValido(m), "monto", "Debe ser mayor que 0 con a lo más 2 decimales.")
            .Regla(Clabe.EsValida(s.ClabeDestino), "clabeDestino", "Debe ser una CLABE de 18 dígitos con dígito verificador válido.")
            .Regla(rastreo is { Length: > 0 and <= 30 } && rastreo.All(char.IsAsciiLetterOrDigit), "claveRastreo", "La clave de rastreo SPEI de la transferencia: 1 a 30 letras o dígitos.")
            .Regla(s.Nota is null || s.Nota.Length <= 500, "nota", "A lo más 500 caracteres.")
            .Lanzar();
        var ahora = reloj.GetUtcNow();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var p = await cn.QuerySingleOrDefaultAsync<(decimal Monto, string Metodo, string Estado, string? Gateway)?>(new CommandDefinition(
            "SELECT monto, metodo, estado, gateway FROM pagos WHERE id = @pagoId FOR UPDATE", new { pagoId }, tx, cancellationToken: ct))
            ?? throw new ErrorNoEncontrado("pago", pagoId.ToString());
        var existente = await cn.QuerySingleOrDefaultAsync<ReversoRegistrado>(new CommandDefinition("""
            SELECT pago_id AS PagoId, tipo, origen, monto, estado, evento_id AS ClaveRastreo, coalesce(clabe_destino, '') AS ClabeDestino
            FROM pago_reversos WHERE pago_id = @pagoId
            """, new { pagoId }, tx, cancellationToken: ct));
        if (existente is not null)
            throw new ErrorConflicto($"El pago ya tiene un reverso ({existente.Tipo}, {existente.Estado}).", "reverso_registrado") { Recurso = $"/api/pagos/{pagoId}" };
        if (p.Metodo == MetodosPago.Tarjeta)
            throw new ErrorConflicto("Un pago con tarjeta se reembolsa en la pasarela; su evento charge.refunded hace el resto.", "reembolso_por_la_pasarela");
        if (!EstadosReversibles.Contains(p.Estado))
            throw new ErrorConflicto($"El pago está {p.Estado}: no se puede reembolsar.", "pago_no_reembolsable");
        if (s.Monto > p.Monto) throw new ErrorValidacion("monto", $"Excede el pago ({p.Monto:0.00}).");
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pago_reversos (pago_id, tipo, gateway, evento_id, monto, recibido_en, cid, origen, clabe_destino, registrado_por, nota)
            VALUES (@pagoId, 'reembolso', @gateway, @rastreo, @monto, @ahora, @cid, 'operador', @clabe, @usuario, @nota)
            """, new { pagoId, gateway = p.Gateway ?? "manual", rastreo, monto = s.Monto, ahora, cid, clabe = s.ClabeDestino, usuario, nota = s.Nota },
            tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        log.LogInformation("Reembolso manual de {Monto} del pago {PagoId} por SPEI {Rastreo}, registrado por {Usuario}; cid {Cid}", s.Monto, pagoId, rastreo, usuario, cid);
        Reversos.Add(1, new("tipo", "reembolso"), new("resultado", "registrado_operador"));
        return new ReversoRegistrado(pagoId, "reembolso", "operador", s.Monto!.Value, "pendiente", rastreo!, s.ClabeDestino!);
    }

    private async Task CerrarAsync(Guid pagoId, string estado, string motivo, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE pago_reversos SET estado = @estado, motivo = @motivo, procesado_en = @ahora WHERE pago_id = @pagoId AND estado = 'pendiente'",
            new { pagoId, estado, motivo, ahora = reloj.GetUtcNow() }, cancellationToken: ct));
    }
}
