using Dapper;
using Npgsql;
using Telecable.Application.Pagos;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Cobranza;

namespace Telecable.Infrastructure.Pagos;

/// <summary>
/// A batch of confirmed payments in one transaction and four round trips, whatever its size (issue 24): the per-payment
/// saga commits three transactions (apply, reactivate, receipt) of about fifteen statements per payment, and at the
/// commit rate of one disk that caps catch-up near 1,200-1,500 payments/s on a quiet machine.
/// </summary>
public sealed partial class PasosPago
{
    public async Task<IReadOnlyList<AplicadoEnLote>> AplicarLoteAsync(IReadOnlyList<Guid> pagoIds, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        // Locked in id order, as every other writer of several payments does; a repeated id is one row. Only confirmed ones:
        // an applied payment (a re-run after a crash) or any other state goes to the saga, which answers it idempotently.
        var pagos = (await cn.QueryAsync<FilaPagoLote>(new CommandDefinition("""
            SELECT p.id, p.cliente_id AS ClienteId, p.monto, p.metodo, p.facturas_solicitadas AS Facturas, c.email
            FROM pagos p JOIN clientes c ON c.id = p.cliente_id
            WHERE p.id = ANY(@ids) AND p.estado = 'confirmado'
            ORDER BY p.id FOR UPDATE OF p
            """, new { ids = pagoIds.Distinct().ToArray() }, tx, cancellationToken: ct))).ToDictionary(p => p.Id);
        if (pagos.Count == 0) { await tx.CommitAsync(ct); return []; }

        var saldos = await SaldosAsync(cn, tx, pagos.Values.Select(p => p.ClienteId).Distinct().ToArray(), ct);
        var ahora = reloj.GetUtcNow();
        var plan = new PlanLote();
        // In the batch's order (the timer's: oldest first), each payment sees the balances the ones before it left.
        foreach (var pago in pagoIds.Distinct().Where(pagos.ContainsKey).Select(id => pagos[id]))
            plan.Agregar(pago, saldos, ahora.AddTicks(plan.Pagos.Count * 10), cid);

        var reactivaciones = (await cn.QueryAsync<(Guid PagoId, Guid ContratoId)>(new CommandDefinition(
            plan.SqlEscrituras, plan.Parametros(reloj.Hoy(), cid), tx, cancellationToken: ct))).ToList();
        if (reactivaciones.Count > 0)
            await ComandosRouter.EncolarAsync(cn, tx, reactivaciones.Select(r => r.ContratoId).ToArray(), "reactivar", "pago", cid, ct);
        await tx.CommitAsync(ct);

        Aplicados.Add(plan.Pagos.Count);
        MontoAplicado.Add(plan.MontoAFacturas);
        var porPago = reactivaciones.ToLookup(r => r.PagoId);
        return plan.Completos.Select(id => new AplicadoEnLote(id, porPago[id].Count())).ToList();
    }

    /// <summary>The open invoices of the batch's customers, locked in id order (as <see cref="AplicarAsync"/> locks one customer's).</summary>
    private static async Task<Dictionary<Guid, SaldoVivo>> SaldosAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid[] clientes, CancellationToken ct) =>
        (await cn.QueryAsync<SaldoVivo>(new CommandDefinition("""
            WITH candidatas AS (
                SELECT id FROM facturas WHERE cliente_id = ANY(@clientes) AND estado = 'timbrada' ORDER BY id FOR UPDATE)
            SELECT f.id, f.cliente_id AS ClienteId, f.total - f.acreditado AS Total, coalesce(sum(a.monto), 0) AS Pagado,
                   count(a.id)::int AS Parcialidades, f.fecha_vencimiento::timestamp AS Vence, f.folio, f.metodo_pago = 'PPD' AS Ppd
            FROM facturas f JOIN candidatas c ON c.id = f.id
            LEFT JOIN pago_aplicaciones a ON a.factura_id = f.id
            GROUP BY f.id
            """, new { clientes }, tx, cancellationToken: ct))).ToDictionary(s => s.Id);

    private sealed record FilaPagoLote
    {
        public Guid Id { get; init; }
        public Guid ClienteId { get; init; }
        public decimal Monto { get; init; }
        public string Metodo { get; init; } = "";
        public Guid[] Facturas { get; init; } = [];
        public string Email { get; init; } = "";
    }

    /// <summary>An open invoice whose paid amount the batch advances as its payments are distributed.</summary>
    private sealed class SaldoVivo
    {
        public Guid Id { get; init; }
        public Guid ClienteId { get; init; }
        public decimal Total { get; init; }
        public decimal Pagado { get; set; }
        public int Parcialidades { get; set; }
        public DateTime? Vence { get; init; }
        public long Folio { get; init; }
        public bool Ppd { get; init; }
    }

    /// <summary>What the batch writes, as arrays for one multi-statement round trip (set-based INSERT/UPDATE over UNNEST).</summary>
    private sealed class PlanLote
    {
        public List<Guid> Pagos { get; } = [];
        private readonly List<DateTimeOffset> aplicadoEn = [];
        private readonly List<(Guid Pago, Guid Factura, decimal Monto, DateTimeOffset En)> aplicaciones = [];
        private readonly List<Guid> liquidadas = [];
        private readonly List<(Guid Pago, Guid Cliente, decimal Monto, DateTimeOffset En)> abonos = [];
        private readonly List<EventoDominio> eventos = [];
        private readonly List<(Guid Pago, Guid Cliente, string Email, string Asunto, string Cuerpo)> avisos = [];
        private readonly HashSet<Guid> clientesConPpd = [];
        private readonly Dictionary<Guid, Guid> ultimoPorCliente = [];
        public decimal MontoAFacturas { get; private set; }

        /// <summary>Payments whose saga ends here; a PPD one's complement, reactivation and receipt follow in its saga.</summary>
        public IEnumerable<Guid> Completos => Pagos.Where(p => !ppd.Contains(p));
        private readonly HashSet<Guid> ppd = [];

        public void Agregar(FilaPagoLote pago, Dictionary<Guid, SaldoVivo> saldos, DateTimeOffset en, string cid)
        {
            // The same choice and order as AplicarAsync: the named invoices in the order named, else oldest due first.
            var candidatas = saldos.Values.Where(s => s.ClienteId == pago.ClienteId && (pago.Facturas.Length == 0 || pago.Facturas.Contains(s.Id)));
            var orden = pago.Facturas.Length > 0
                ? candidatas.OrderBy(s => Array.IndexOf(pago.Facturas, s.Id))
                : candidatas.OrderBy(s => s.Vence ?? DateTime.MaxValue).ThenBy(s => s.Folio);
            var d = DistribuidorPago.Distribuir(pago.Monto, orden.Select(s => new SaldoFactura(s.Id, s.Total, s.Pagado, s.Parcialidades)).ToList());
            foreach (var a in d.Aplicaciones)
            {
                var s = saldos[a.FacturaId];
                s.Pagado += a.Monto;
                s.Parcialidades++;
                aplicaciones.Add((pago.Id, a.FacturaId, a.Monto, en));
                if (a.Liquida) liquidadas.Add(a.FacturaId);
                if (s.Ppd) ppd.Add(pago.Id);
            }
            if (d.SaldoAFavor > 0) abonos.Add((pago.Id, pago.ClienteId, d.SaldoAFavor, en));
            Pagos.Add(pago.Id);
            aplicadoEn.Add(en);
            MontoAFacturas += pago.Monto - d.SaldoAFavor;
            eventos.Add(EventoDominio.Crear("PagoAplicado", "pago", pago.Id.ToString(), new
            {
                pagoId = pago.Id, pago.ClienteId, pago.Monto,
                aplicaciones = d.Aplicaciones.Select(a => new { a.FacturaId, a.Monto, a.SaldoInsoluto }),
                saldoAFavor = d.SaldoAFavor,
            }, cid, en));
            if (ppd.Contains(pago.Id)) { clientesConPpd.Add(pago.ClienteId); return; }
            var (asunto, cuerpo) = PlantillasPago.Aplicado(pago.Monto, pago.Metodo);
            avisos.Add((pago.Id, pago.ClienteId, pago.Email, asunto, cuerpo));
            ultimoPorCliente[pago.ClienteId] = pago.Id;
        }

        /// <summary>
        /// Applications, paid invoices, credit, payment states, outbox events and receipts; then reactivation, once per customer
        /// by its last payment in the batch (after all of them are applied), for customers none of whose batch payments pays a
        /// PPD invoice: those reactivate in the PPD payment's saga, after its complement, as the saga orders it. Each statement
        /// sees the ones before it; the last answers which contracts went back to active, for the router commands.
        /// </summary>
        public string SqlEscrituras => $"""
            INSERT INTO pago_aplicaciones (pago_id, factura_id, monto, aplicado_en) SELECT * FROM unnest(@aPagos, @aFacturas, @aMontos, @aEn);
            UPDATE facturas SET estado = 'pagada' WHERE id = ANY(@liquidadas);
            INSERT INTO movimientos_saldo (cliente_id, tipo, monto, pago_id, concepto, actor, created_at)
            SELECT cliente, 'abono', monto, pago, 'Pago excedente', 'sistema', en FROM unnest(@sPagos, @sClientes, @sMontos, @sEn) AS t(pago, cliente, monto, en);
            UPDATE pagos p SET estado = 'aplicado', aplicado_en = t.en, version = p.version + 1
            FROM unnest(@pagos, @pagosEn) AS t(id, en) WHERE p.id = t.id;
            {Outbox.Outbox.InsertarLote};
            INSERT INTO notificaciones (cliente_id, canal, destino, plantilla, asunto, cuerpo, estado, cid, pago_id, created_at)
            SELECT cliente, 'email', destino, @plantilla, asunto, cuerpo, 'pendiente', @cid, pago, now()
            FROM unnest(@nPagos, @nClientes, @nDestinos, @nAsuntos, @nCuerpos) AS t(pago, cliente, destino, asunto, cuerpo)
            ON CONFLICT DO NOTHING;
            {SqlReactivar}
            """;

        public DynamicParameters Parametros(DateOnly hoy, string cid) => Outbox.Outbox.Parametros(eventos, new DynamicParameters(new
        {
            aPagos = aplicaciones.Select(a => a.Pago).ToArray(), aFacturas = aplicaciones.Select(a => a.Factura).ToArray(),
            aMontos = aplicaciones.Select(a => a.Monto).ToArray(), aEn = aplicaciones.Select(a => a.En).ToArray(),
            liquidadas = liquidadas.ToArray(),
            sPagos = abonos.Select(a => a.Pago).ToArray(), sClientes = abonos.Select(a => a.Cliente).ToArray(),
            sMontos = abonos.Select(a => a.Monto).ToArray(), sEn = abonos.Select(a => a.En).ToArray(),
            pagos = Pagos.ToArray(), pagosEn = aplicadoEn.ToArray(),
            plantilla = PlantillasPago.PagoAplicado, cid,
            nPagos = avisos.Select(a => a.Pago).ToArray(), nClientes = avisos.Select(a => a.Cliente).ToArray(),
            nDestinos = avisos.Select(a => a.Email).ToArray(), nAsuntos = avisos.Select(a => a.Asunto).ToArray(),
            nCuerpos = avisos.Select(a => a.Cuerpo).ToArray(),
            reactivan = ultimoPorCliente.Where(u => !clientesConPpd.Contains(u.Key)).Select(u => u.Value).ToArray(),
            hoy = hoy.ToDateTime(TimeOnly.MinValue),
        }));
    }
}
