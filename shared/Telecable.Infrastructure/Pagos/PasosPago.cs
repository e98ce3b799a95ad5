using System.Diagnostics.Metrics;
using Dapper;
using Telecable.Application.Observabilidad;
using Telecable.Application.Pagos;
using Telecable.Infrastructure.Cobranza;
using Npgsql;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>
/// The steps of the ProcesarPago saga and their compensations. Each step is idempotent (a retried
/// activity changes nothing twice) and each compensation undoes exactly what its step recorded.
/// </summary>
public sealed partial class PasosPago(NpgsqlDataSource db, TimeProvider reloj) : IPasosPago
{
    private static readonly Counter<long> Aplicados = Telemetria.Medidor.CreateCounter<long>(
        "telecable.pagos.aplicados", description: "Pagos aplicados a facturas");
    private static readonly Counter<decimal> MontoAplicado = Telemetria.Medidor.CreateCounter<decimal>(
        "telecable.pagos.monto_aplicado", unit: "MXN", description: "Monto aplicado a facturas");

    /// <summary>Applies a confirmed payment: named invoices in order (or the oldest open ones), the rest as credit.</summary>
    public async Task<ResultadoAplicacion> AplicarAsync(Guid pagoId, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var pago = await cn.QuerySingleOrDefaultAsync<FilaPago>(new CommandDefinition(
            "SELECT cliente_id AS ClienteId, monto, estado, facturas_solicitadas AS Facturas FROM pagos WHERE id = @pagoId FOR UPDATE",
            new { pagoId }, tx, cancellationToken: ct)) ?? throw new InvalidOperationException($"El pago {pagoId} no existe.");
        if (pago.Estado == "aplicado") return await LeerAplicacionAsync(cn, tx, pagoId, pago.ClienteId, ct);
        if (pago.Estado != "confirmado") throw new InvalidOperationException($"El pago {pagoId} está {pago.Estado}; no se aplica.");

        // Lock the candidate invoices (in id order, so two payments of one customer never deadlock).
        var saldos = (await cn.QueryAsync<(Guid Id, decimal Total, decimal Pagado, int Parcialidades, DateTime? Vence, long Folio)>(new CommandDefinition("""
            WITH candidatas AS (
                SELECT id FROM facturas
                WHERE cliente_id = @ClienteId AND estado = 'timbrada'
                  AND (cardinality(@Facturas) = 0 OR id = ANY(@Facturas))
                ORDER BY id FOR UPDATE)
            SELECT f.id, f.total - f.acreditado, coalesce(sum(a.monto), 0), count(a.id)::int, f.fecha_vencimiento::timestamp, f.folio
            FROM facturas f JOIN candidatas c ON c.id = f.id
            LEFT JOIN pago_aplicaciones a ON a.factura_id = f.id
            GROUP BY f.id
            """, new { pago.ClienteId, pago.Facturas }, tx, cancellationToken: ct))).ToList();
        var orden = pago.Facturas.Length > 0
            ? saldos.OrderBy(s => Array.IndexOf(pago.Facturas, s.Id))
            : saldos.OrderBy(s => s.Vence ?? DateTime.MaxValue).ThenBy(s => s.Folio);
        var distribucion = DistribuidorPago.Distribuir(pago.Monto, orden.Select(s => new SaldoFactura(s.Id, s.Total, s.Pagado, s.Parcialidades)));

        var ahora = reloj.GetUtcNow();
        foreach (var a in distribucion.Aplicaciones)
        {
            await cn.ExecuteAsync(new CommandDefinition(
                "INSERT INTO pago_aplicaciones (pago_id, factura_id, monto, aplicado_en) VALUES (@pagoId, @FacturaId, @Monto, @ahora)",
                new { pagoId, a.FacturaId, a.Monto, ahora }, tx, cancellationToken: ct));
            if (a.Liquida)
                await cn.ExecuteAsync(new CommandDefinition("UPDATE facturas SET estado = 'pagada' WHERE id = @FacturaId", a, tx, cancellationToken: ct));
        }
        if (distribucion.SaldoAFavor > 0)
            await cn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO movimientos_saldo (cliente_id, tipo, monto, pago_id, concepto, actor, created_at)
                VALUES (@ClienteId, 'abono', @monto, @pagoId, 'Pago excedente', 'sistema', @ahora)
                """, new { pago.ClienteId, monto = distribucion.SaldoAFavor, pagoId, ahora }, tx, cancellationToken: ct));
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE pagos SET estado = 'aplicado', aplicado_en = @ahora, version = version + 1 WHERE id = @pagoId", new { pagoId, ahora }, tx, cancellationToken: ct));
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("PagoAplicado", "pago", pagoId.ToString(), new
        {
            pagoId, pago.ClienteId, pago.Monto,
            aplicaciones = distribucion.Aplicaciones.Select(a => new { a.FacturaId, a.Monto, a.SaldoInsoluto }),
            saldoAFavor = distribucion.SaldoAFavor,
        }, cid, ahora), ct);
        var resultado = await LeerAplicacionAsync(cn, tx, pagoId, pago.ClienteId, ct);
        await tx.CommitAsync(ct);
        Aplicados.Add(1);
        MontoAplicado.Add(pago.Monto - distribucion.SaldoAFavor);
        return resultado;
    }

    private sealed record FilaPago
    {
        public Guid ClienteId { get; init; }
        public decimal Monto { get; init; }
        public string Estado { get; init; } = "";
        public Guid[] Facturas { get; init; } = [];
    }

    private static async Task<ResultadoAplicacion> LeerAplicacionAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid pagoId, Guid clienteId, CancellationToken ct)
    {
        var apps = (await cn.QueryAsync<(Guid FacturaId, decimal Monto, int Parcialidad, decimal SaldoAnterior, string Metodo)>(new CommandDefinition("""
            SELECT a.factura_id, a.monto,
                   (SELECT count(*) FROM pago_aplicaciones p WHERE p.factura_id = a.factura_id AND (p.aplicado_en, p.id) <= (a.aplicado_en, a.id))::int,
                   f.total - f.acreditado - coalesce((SELECT sum(p.monto) FROM pago_aplicaciones p WHERE p.factura_id = a.factura_id AND (p.aplicado_en, p.id) < (a.aplicado_en, a.id)), 0),
                   f.metodo_pago
            FROM pago_aplicaciones a JOIN facturas f ON f.id = a.factura_id
            WHERE a.pago_id = @pagoId
            """, new { pagoId }, tx, cancellationToken: ct))).ToList();
        var abono = await cn.ExecuteScalarAsync<decimal?>(new CommandDefinition(
            "SELECT monto FROM movimientos_saldo WHERE pago_id = @pagoId AND tipo = 'abono'", new { pagoId }, tx, cancellationToken: ct)) ?? 0m;
        return new ResultadoAplicacion(pagoId, clienteId,
            apps.Select(a => new AplicacionCalculada(a.FacturaId, a.Parcialidad, a.SaldoAnterior, a.Monto)).ToList(), abono,
            apps.Any(a => a.Metodo == "PPD"));
    }

    /// <summary>Compensation of <see cref="AplicarAsync"/>: removes the applications, reopens the invoices,
    /// debits the credit it created (the ledger is append-only) and leaves the payment confirmed for review.</summary>
    public async Task RevertirAplicacionAsync(Guid pagoId, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var estado = await cn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT estado FROM pagos WHERE id = @pagoId FOR UPDATE", new { pagoId }, tx, cancellationToken: ct));
        if (estado != "aplicado") { await tx.CommitAsync(ct); return; }
        var ahora = reloj.GetUtcNow();
        await ServicioCobranza.ReabrirSuspensionAsync(cn, tx, pagoId, ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE facturas SET estado = 'timbrada' WHERE estado = 'pagada' AND id IN (SELECT factura_id FROM pago_aplicaciones WHERE pago_id = @pagoId);
            DELETE FROM pago_aplicaciones WHERE pago_id = @pagoId;
            INSERT INTO movimientos_saldo (cliente_id, tipo, monto, pago_id, concepto, actor, created_at)
            SELECT cliente_id, 'cargo', monto, pago_id, 'Reverso de pago excedente (compensación)', 'sistema', @ahora
            FROM movimientos_saldo WHERE pago_id = @pagoId AND tipo = 'abono';
            UPDATE pagos SET estado = 'confirmado', aplicado_en = NULL, version = version + 1 WHERE id = @pagoId;
            """, new { pagoId, ahora }, tx, cancellationToken: ct));
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("AplicacionPagoRevertida", "pago", pagoId.ToString(), new { pagoId }, cid, ahora), ct);
        await tx.CommitAsync(ct);
    }

    public async Task NotificarAsync(Guid pagoId, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var p = await cn.QuerySingleOrDefaultAsync<(Guid ClienteId, string Email, decimal Monto, string Metodo)?>(new CommandDefinition("""
            SELECT c.id, c.email, p.monto, p.metodo FROM pagos p JOIN clientes c ON c.id = p.cliente_id WHERE p.id = @pagoId
            """, new { pagoId }, cancellationToken: ct));
        if (p is not { } pago) return;
        var (asunto, cuerpo) = PlantillasPago.Aplicado(pago.Monto, pago.Metodo);
        await AltasYTickets.ColaNotificaciones.EncolarAsync(cn, null,
            new(pago.ClienteId, "email", pago.Email, PlantillasPago.PagoAplicado, asunto, cuerpo, cid, PagoId: pagoId), ct);
    }

    /// <summary>Suspended contracts of the customer go back to active when nothing else is overdue, and their routers
    /// get a 'reactivar' command in the answer to their next report (seconds, with the 10 s reporting period).</summary>
    public async Task<int> ReactivarAsync(Guid pagoId, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var hoy = reloj.Hoy();
        var contratos = (await cn.QueryAsync<(Guid PagoId, Guid ContratoId)>(new CommandDefinition(SqlReactivar,
            new { reactivan = new[] { pagoId }, hoy = hoy.ToDateTime(TimeOnly.MinValue) }, tx, cancellationToken: ct))).Select(r => r.ContratoId).ToArray();
        if (contratos.Length > 0) await ComandosRouter.EncolarAsync(cn, tx, contratos, "reactivar", "pago", cid, ct);
        await tx.CommitAsync(ct);
        return contratos.Length;
    }

    /// <summary>
    /// Each payment of @reactivan (at most one per customer) puts its customer's suspended contracts back to active when no
    /// stamped invoice of theirs is overdue with a balance, and records them as its own (the compensation undoes just those).
    /// </summary>
    private const string SqlReactivar = """
        WITH pago AS (SELECT id, cliente_id FROM pagos WHERE id = ANY(@reactivan)),
        reactivados AS (
            UPDATE contratos c SET estado = 'activo', version = c.version + 1
            FROM pago WHERE c.cliente_id = pago.cliente_id AND c.estado = 'suspendido'
              AND NOT EXISTS (
                SELECT 1 FROM facturas f WHERE f.cliente_id = pago.cliente_id AND f.estado = 'timbrada'
                  AND f.fecha_vencimiento < @hoy
                  AND f.total - f.acreditado > coalesce((SELECT sum(a.monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0))
            RETURNING pago.id AS pago_id, c.id)
        INSERT INTO pago_reactivaciones (pago_id, contrato_id) SELECT pago_id, id FROM reactivados
        ON CONFLICT DO NOTHING
        RETURNING pago_id, contrato_id
        """;

    public async Task ResuspenderAsync(Guid pagoId, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var contratos = (await cn.QueryAsync<Guid>(new CommandDefinition("""
            WITH r AS (UPDATE pago_reactivaciones SET revertida = true WHERE pago_id = @pagoId AND NOT revertida RETURNING contrato_id)
            UPDATE contratos SET estado = 'suspendido', version = version + 1 FROM r WHERE contratos.id = r.contrato_id AND contratos.estado = 'activo'
            RETURNING contratos.id
            """, new { pagoId }, tx, cancellationToken: ct))).ToArray();
        if (contratos.Length > 0) await ComandosRouter.EncolarAsync(cn, tx, contratos, "suspender", "pago-compensacion", cid, ct);
        await tx.CommitAsync(ct);
    }
}
