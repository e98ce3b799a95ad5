using Dapper;
using Npgsql;
using Telecable.Application.Ciclos;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>Adapter of <see cref="IRepositorioAplicacionSaldo"/>: aplicaciones_saldo and the movimientos_saldo ledger (0021, 0038).</summary>
public sealed class RepositorioAplicacionSaldo(NpgsqlDataSource db, TimeProvider reloj) : IRepositorioAplicacionSaldo
{
    public const string EventoSaldoAFavorAplicado = "SaldoAFavorAplicado";

    private static readonly System.Diagnostics.Metrics.Counter<double> Aplicado = Telemetria.Medidor.CreateCounter<double>(
        "facturacion.saldo_a_favor.aplicado", "MXN", "Credit balance applied to invoices with a stamped CFDI de egreso, by TipoRelacion");

    public async Task<IReadOnlyList<Guid>> PendientesAsync(int limite, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return (await cn.QueryAsync<Guid>(new CommandDefinition("""
            SELECT a.factura_id FROM aplicaciones_saldo a JOIN facturas f ON f.id = a.factura_id
            WHERE a.estado = 'pendiente_cfdi' AND (f.uuid IS NOT NULL OR f.estado IN ('cancelada', 'pagada'))
            ORDER BY a.created_at LIMIT @limite
            """, new { limite }, cancellationToken: ct))).ToList();
    }

    public async Task<AplicacionSaldoFijada?> FijarAsync(Guid facturaId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var a = await cn.QuerySingleOrDefaultAsync<FilaAplicacion>(new CommandDefinition("""
            SELECT a.factura_id AS FacturaId, f.uuid AS FacturaUuid, a.cliente_id AS ClienteId, a.monto AS Monto, a.monto_anticipo AS Anticipo,
                   a.estado AS Estado, f.estado AS EstadoFactura,
                   f.total - f.acreditado - coalesce((SELECT sum(p.monto) FROM pago_aplicaciones p WHERE p.factura_id = f.id), 0) AS SaldoFactura
            FROM aplicaciones_saldo a JOIN facturas f ON f.id = a.factura_id
            WHERE a.factura_id = @facturaId
            FOR UPDATE OF a
            """, new { facturaId }, tx, cancellationToken: ct));
        if (a is null || a.Estado != "pendiente_cfdi") return null;
        if (a.Anticipo is { } fijado && a.FacturaUuid is { } u)
            return new AplicacionSaldoFijada(a.FacturaId, u, a.ClienteId, a.Monto, fijado);

        // First attempt: never more than the invoice still owes, nor than the credit the customer still has.
        var disponible = await cn.ExecuteScalarAsync<decimal?>(new CommandDefinition(
            "SELECT saldo FROM saldos_a_favor WHERE cliente_id = @ClienteId", new { a.ClienteId }, tx, cancellationToken: ct)) ?? 0m;
        var monto = Math.Min(a.Monto, Math.Min(a.SaldoFactura, disponible));
        if (a.EstadoFactura != "timbrada" || a.FacturaUuid is null || monto <= 0m)
        {
            await LiberarAsync(cn, tx, facturaId, ct);
            await tx.CommitAsync(ct);
            return null;
        }
        // Paid in advance: overpayments credited (abono with pago_id) less what reversals took back (cargo with pago_id) and
        // less what 07 notes already applied or are fixed to apply. The rest of the credit is bonuses (01).
        var anticipo = await cn.ExecuteScalarAsync<decimal>(new CommandDefinition("""
            SELECT greatest(0,
                   coalesce((SELECT sum(CASE m.tipo WHEN 'abono' THEN m.monto ELSE -m.monto END) FROM movimientos_saldo m
                             WHERE m.cliente_id = @ClienteId AND m.pago_id IS NOT NULL), 0)
                 - coalesce((SELECT sum(m.monto) FROM movimientos_saldo m JOIN notas_credito n ON n.id = m.nota_credito_id
                             WHERE m.cliente_id = @ClienteId AND n.tipo_relacion = '07'), 0)
                 - coalesce((SELECT sum(o.monto_anticipo) FROM aplicaciones_saldo o
                             WHERE o.cliente_id = @ClienteId AND o.estado = 'pendiente_cfdi' AND o.factura_id <> @FacturaId), 0))
            """, new { a.ClienteId, a.FacturaId }, tx, cancellationToken: ct));
        anticipo = Math.Min(anticipo, monto);
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE aplicaciones_saldo SET monto = @monto, monto_anticipo = @anticipo WHERE factura_id = @facturaId",
            new { monto, anticipo, facturaId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new AplicacionSaldoFijada(a.FacturaId, a.FacturaUuid.Value, a.ClienteId, monto, anticipo);
    }

    public async Task LiberarAsync(Guid facturaId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        await LiberarAsync(cn, tx, facturaId, ct);
        await tx.CommitAsync(ct);
    }

    private static Task LiberarAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid facturaId, CancellationToken ct) =>
        cn.ExecuteAsync(new CommandDefinition(
            "UPDATE aplicaciones_saldo SET estado = 'liberada' WHERE factura_id = @facturaId AND estado = 'pendiente_cfdi'",
            new { facturaId }, tx, cancellationToken: ct));

    public async Task RegistrarAsync(AplicacionSaldoFijada aplicacion, IReadOnlyList<NotaAplicada> notas, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var folio = await cn.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT serie || '-' || folio FROM facturas WHERE id = @FacturaId", new { aplicacion.FacturaId }, tx, cancellationToken: ct));
        foreach (var n in notas)
        {
            var escritas = await cn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO movimientos_saldo (cliente_id, tipo, monto, factura_id, nota_credito_id, concepto, actor)
                VALUES (@ClienteId, 'cargo', @Total, @FacturaId, @NotaId, @concepto, 'saldo_a_favor')
                ON CONFLICT (nota_credito_id) WHERE nota_credito_id IS NOT NULL DO NOTHING
                """, new
            {
                aplicacion.ClienteId, n.Total, aplicacion.FacturaId, n.NotaId,
                concepto = (n.TipoRelacion == "07" ? "Saldo a favor aplicado (anticipo) a la factura " : "Bonificación aplicada a la factura ") + folio,
            }, tx, cancellationToken: ct));
            if (escritas == 1) Aplicado.Add((double)n.Total, new KeyValuePair<string, object?>("tipo_relacion", n.TipoRelacion));
        }
        var marcada = await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE aplicaciones_saldo SET estado = 'aplicada', aplicada_en = now()
            WHERE factura_id = @FacturaId AND estado = 'pendiente_cfdi'
            """, new { aplicacion.FacturaId }, tx, cancellationToken: ct));
        if (marcada == 1)
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(EventoSaldoAFavorAplicado, "factura", aplicacion.FacturaId.ToString(), new
            {
                facturaId = aplicacion.FacturaId, facturaUuid = aplicacion.FacturaUuid, clienteId = aplicacion.ClienteId,
                monto = notas.Sum(n => n.Total), notas = notas.Select(n => new { notaId = n.NotaId, tipoRelacion = n.TipoRelacion, total = n.Total }),
            }, cid, reloj.GetUtcNow()), ct);
        await tx.CommitAsync(ct);
    }

    private sealed record FilaAplicacion(Guid FacturaId, Guid? FacturaUuid, Guid ClienteId, decimal Monto, decimal? Anticipo, string Estado,
        string EstadoFactura, decimal SaldoFactura);
}
