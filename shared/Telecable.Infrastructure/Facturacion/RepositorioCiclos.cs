using System.Diagnostics.Metrics;
using Dapper;
using Npgsql;
using Telecable.Application.Ciclos;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Catalogo;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>Metrics of billing cycles: what operators chart next to the runs.</summary>
public static class CiclosMetricas
{
    public static readonly Counter<long> Recargos = Telemetria.Medidor.CreateCounter<long>("facturacion.recargos", "{recargo}",
        "Late fees put on a contract's next invoice");
    public static readonly Counter<double> SaldoApartado = Telemetria.Medidor.CreateCounter<double>("facturacion.saldo_a_favor.apartado", "MXN",
        "Credit balance earmarked for the next invoice (applied with a CFDI E 07)");
    public static readonly Counter<long> CambiosPlan = Telemetria.Medidor.CreateCounter<long>("facturacion.cambios_plan", "{cambio}",
        "Plan changes, by mode (inmediato, siguiente_corte)");
}

/// <summary>PostgreSQL adapter of <see cref="IRepositorioCiclos"/>: plan changes and the statement of account.</summary>
public sealed class RepositorioCiclos(NpgsqlDataSource db, ServicioCatalogo catalogo, TimeProvider reloj) : IRepositorioCiclos
{
    public async Task<ContratoCiclo?> ContratoAsync(Guid contratoId, DateOnly hoy, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var k = await cn.QuerySingleOrDefaultAsync<FilaContrato>(new CommandDefinition("""
            SELECT id AS Id, cliente_id AS ClienteId, zona_id AS ZonaId, plan_id AS PlanId, combo_id AS ComboId, precio_pactado AS PrecioPactado,
                   dia_corte::int AS DiaCorte, estado AS Estado,
                   EXISTS (SELECT 1 FROM cambios_plan c WHERE c.contrato_id = k.id AND c.aplicado_en IS NULL) AS CambioPendiente
            FROM contratos k WHERE id = @contratoId
            """, new { contratoId }, cancellationToken: ct));
        if (k is null) return null;
        var periodo = CicloFacturacion.PeriodoDe(hoy, k.DiaCorte);
        var facturado = await cn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM facturas WHERE contrato_id = @contratoId AND periodo = @periodo AND estado <> 'cancelada')",
            new { contratoId, periodo }, cancellationToken: ct));
        return new ContratoCiclo(k.Id, k.ClienteId, k.ZonaId, k.PlanId, k.ComboId, k.PrecioPactado, k.DiaCorte, k.Estado, facturado, k.CambioPendiente);
    }

    public async Task<OfertaCambio> CotizarAsync(Guid zonaId, Guid? planId, Guid? comboId, DateOnly fecha, CancellationToken ct)
    {
        var o = await catalogo.CotizarAsync(new SolicitudCotizacion(zonaId.ToString(), null, planId, comboId, fecha), ct);
        var planCargo = o.Cotizacion.Lineas.OrderByDescending(l => l.PrecioMensual).First().PlanId;
        return new OfertaCambio(o.PlanId, o.ComboId, o.Nombre, o.Cotizacion.Subtotal, o.Cotizacion.Promocion?.Id, planCargo);
    }

    public async Task RegistrarAsync(CambioPlanRegistrado c, OfertaCambio oferta, string concepto, string actor, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var inmediato = c.Modo == ModosCambioPlan.Inmediato;
        try
        {
            await cn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO cambios_plan (id, contrato_id, plan_id, combo_id, promocion_id, precio_pactado, precio_anterior, modo, efectivo_desde,
                                          credito, cargo, aplicado_en, solicitado_por, cid)
                VALUES (@Id, @ContratoId, @PlanId, @ComboId, @Promo, @PrecioNuevo, @PrecioAnterior, @Modo, @EfectivoDesde,
                        @Credito, @Cargo, CASE WHEN @inmediato THEN now() END, @actor, @cid)
                """, new { c.Id, c.ContratoId, c.PlanId, c.ComboId, Promo = oferta.PromocionId, c.PrecioNuevo, c.PrecioAnterior, c.Modo,
                    c.EfectivoDesde, c.Credito, c.Cargo, inmediato, actor, cid }, tx, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ErrorConflicto("El contrato ya tiene un cambio de plan programado para su siguiente corte.", "cambio_pendiente");
        }
        Guid clienteId;
        if (inmediato)
        {
            clienteId = await cn.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
                UPDATE contratos SET plan_id = @PlanId, combo_id = @ComboId, precio_pactado = @PrecioNuevo, promocion_id = @Promo, version = version + 1
                WHERE id = @ContratoId AND estado = 'activo' RETURNING cliente_id
                """, new { c.ContratoId, c.PlanId, c.ComboId, c.PrecioNuevo, Promo = oferta.PromocionId }, tx, cancellationToken: ct))
                ?? throw new ErrorConflicto("El contrato dejó de estar activo.", "estado_invalido");
            if (c.Neto > 0)
                await cn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO cargos_pendientes (contrato_id, plan_id, origen, origen_id, concepto, importe)
                    VALUES (@ContratoId, @plan, 'cambio_plan', @Id, @concepto, @Neto)
                    """, new { c.ContratoId, plan = oferta.PlanParaCargo, c.Id, concepto, c.Neto }, tx, cancellationToken: ct));
            else if (c.Neto < 0)
                // A bonus for the unused days of a billed cycle: credit balance, applied to the next invoice with a CFDI E.
                await cn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO movimientos_saldo (cliente_id, tipo, monto, concepto, actor, created_at)
                    VALUES (@clienteId, 'abono', @monto, @concepto, @actor, now())
                    """, new { clienteId, monto = -c.Neto, concepto, actor }, tx, cancellationToken: ct));
        }
        else
        {
            clienteId = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("SELECT cliente_id FROM contratos WHERE id = @ContratoId",
                new { c.ContratoId }, tx, cancellationToken: ct));
        }
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("CambioPlanRegistrado", "contrato", c.ContratoId.ToString(),
            new { cambioId = c.Id, c.ContratoId, clienteId, c.Modo, c.EfectivoDesde, c.PlanId, c.ComboId, c.PrecioAnterior, c.PrecioNuevo,
                c.Credito, c.Cargo, c.Neto, actor }, cid, reloj.GetUtcNow()), ct);
        await tx.CommitAsync(ct);
        CiclosMetricas.CambiosPlan.Add(1, new KeyValuePair<string, object?>("modo", c.Modo));
    }

    public async Task<EstadoDeCuenta> EstadoDeCuentaAsync(Guid clienteId, DateOnly desde, DateOnly hasta, DateOnly hoy, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var cliente = await cn.QuerySingleOrDefaultAsync<(string Nombre, string Numero)?>(new CommandDefinition(
            "SELECT nombre, numero_cliente::text FROM clientes WHERE id = @clienteId", new { clienteId }, cancellationToken: ct))
            ?? throw new ErrorNoEncontrado("cliente", clienteId.ToString());
        // Charges: stamped or paid invoices (a cancelled one never was owed); credits: applied payments (an overpayment's
        // excess is in the payment itself), ledger movements not born of a payment (bonuses, credit used or refunded) and
        // stamped credit notes (CFDI E: credit balance applied, SLA credits, goodwill).
        var filas = (await cn.QueryAsync<FilaMovimiento>(new CommandDefinition("""
            SELECT (f.fecha_emision AT TIME ZONE 'America/Mexico_City')::date AS Fecha, 'factura' AS Tipo, f.serie || '-' || f.folio AS Referencia,
                   'Factura ' || f.serie || '-' || f.folio ||
                     CASE WHEN f.ciclo_desde IS NOT NULL THEN ' del ' || to_char(f.ciclo_desde, 'DD/MM/YYYY') || ' al ' || to_char(f.ciclo_hasta, 'DD/MM/YYYY') ELSE '' END ||
                     ', vence ' || to_char(f.fecha_vencimiento, 'DD/MM/YYYY') AS Concepto,
                   f.total AS Cargo, 0::numeric AS Abono, f.fecha_emision AS Orden
            FROM facturas f WHERE f.cliente_id = @clienteId AND f.estado IN ('timbrada', 'pagada')
            UNION ALL
            SELECT (p.aplicado_en AT TIME ZONE 'America/Mexico_City')::date, 'pago', coalesce(p.referencia, left(p.id::text, 8)),
                   'Pago (' || p.metodo || ')', 0, p.monto, p.aplicado_en
            FROM pagos p WHERE p.cliente_id = @clienteId AND p.estado = 'aplicado'
            UNION ALL
            SELECT (m.created_at AT TIME ZONE 'America/Mexico_City')::date, CASE m.tipo WHEN 'abono' THEN 'credito' ELSE 'cargo_saldo' END,
                   left(m.id::text, 8), m.concepto, CASE m.tipo WHEN 'cargo' THEN m.monto ELSE 0 END, CASE m.tipo WHEN 'abono' THEN m.monto ELSE 0 END,
                   m.created_at
            FROM movimientos_saldo m WHERE m.cliente_id = @clienteId AND m.pago_id IS NULL
            UNION ALL
            SELECT (n.timbrada_en AT TIME ZONE 'America/Mexico_City')::date, 'nota_credito', n.serie || '-' || n.folio,
                   'Nota de crédito ' || n.serie || '-' || n.folio || ' a la factura ' || f.serie || '-' || f.folio ||
                     CASE n.tipo_relacion WHEN '07' THEN ' (aplicación de anticipo)' ELSE '' END,
                   0, n.total, n.timbrada_en
            FROM notas_credito n JOIN facturas f ON f.id = n.factura_id
            WHERE n.cliente_id = @clienteId AND n.estado = 'timbrada' AND f.estado IN ('timbrada', 'pagada')
            ORDER BY 7, 2
            """, new { clienteId }, cancellationToken: ct))).ToList();
        var saldoInicial = filas.Where(f => f.Fecha < desde).Sum(f => f.Cargo - f.Abono);
        var saldo = saldoInicial;
        var movimientos = new List<MovimientoCuenta>();
        foreach (var f in filas.Where(f => f.Fecha >= desde && f.Fecha <= hasta))
        {
            saldo += f.Cargo - f.Abono;
            movimientos.Add(new MovimientoCuenta(f.Fecha, f.Tipo, f.Referencia, f.Concepto, f.Cargo, f.Abono, saldo));
        }
        var saldoAFavor = await cn.ExecuteScalarAsync<decimal?>(new CommandDefinition(
            "SELECT saldo FROM saldos_a_favor WHERE cliente_id = @clienteId", new { clienteId }, cancellationToken: ct)) ?? 0m;
        var cargos = (await cn.QueryAsync<CargoPorFacturar>(new CommandDefinition("""
            SELECT c.concepto AS Concepto, c.importe AS Importe FROM cargos_pendientes c JOIN contratos k ON k.id = c.contrato_id
            WHERE k.cliente_id = @clienteId AND c.factura_id IS NULL ORDER BY c.created_at
            """, new { clienteId }, cancellationToken: ct))).ToList();
        return new EstadoDeCuenta(clienteId, cliente.Nombre, cliente.Numero, desde, hasta, saldoInicial, movimientos, saldo,
            Math.Max(0m, saldoAFavor), cargos, await ProximoCorteAsync(cn, clienteId, hoy, saldoAFavor, cargos.Sum(c => c.Importe), ct));
    }

    /// <summary>The customer portal's summary: the next cut-off of their active contracts, an estimate of that invoice
    /// (agreed prices with IEPS and IVA, plus pending charges), what is due now and the suspension warning.</summary>
    private static async Task<ProximoCorte?> ProximoCorteAsync(NpgsqlConnection cn, Guid clienteId, DateOnly hoy, decimal saldoAFavor,
        decimal cargos, CancellationToken ct)
    {
        var contratos = (await cn.QueryAsync<(int DiaCorte, decimal Pactado, decimal TasaIeps, string Estado, int DiasGracia)>(new CommandDefinition("""
            SELECT k.dia_corte::int, k.precio_pactado, coalesce(pl.tasa_ieps, 0), k.estado, coalesce(pl.dias_gracia, 5)::int
            FROM contratos k LEFT JOIN planes pl ON pl.id = k.plan_id
            WHERE k.cliente_id = @clienteId AND k.estado IN ('activo', 'suspendido')
            """, new { clienteId }, cancellationToken: ct))).ToList();
        if (contratos.Count == 0) return null;
        var abiertas = await cn.QuerySingleAsync<(decimal Saldo, DateTime? Vence)>(new CommandDefinition("""
            SELECT coalesce(sum(f.total - f.acreditado - coalesce((SELECT sum(a.monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0)), 0),
                   min(f.fecha_vencimiento)::timestamp
            FROM facturas f WHERE f.cliente_id = @clienteId AND f.estado = 'timbrada'
            """, new { clienteId }, cancellationToken: ct));
        var promesa = await cn.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "SELECT max(hasta)::timestamp FROM promesas_pago WHERE cliente_id = @clienteId AND hasta >= @hoy", new { clienteId, hoy }, cancellationToken: ct));
        var fecha = contratos.Select(k => CicloFacturacion.SiguienteCorte(hoy, k.DiaCorte)).Min();
        var estimado = Domain.Catalogo.ReglasFiscalesTelecom.Redondear(
            contratos.Sum(k => k.Pactado * (1m + k.TasaIeps) * 1.16m) + cargos * 1.16m);
        var porPagar = Math.Max(0m, abiertas.Saldo - Math.Max(0m, saldoAFavor));
        var vence = abiertas.Vence is { } v ? DateOnly.FromDateTime(v) : (DateOnly?)null;
        var aviso = AvisoCuenta.Texto(contratos.Any(k => k.Estado == "suspendido"), porPagar, vence, contratos.Min(k => k.DiasGracia),
            promesa is { } p ? DateOnly.FromDateTime(p) : null, hoy);
        return new ProximoCorte(fecha, estimado, porPagar, vence, aviso);
    }

    private sealed record FilaContrato(Guid Id, Guid ClienteId, Guid ZonaId, Guid? PlanId, Guid? ComboId, decimal PrecioPactado, int DiaCorte,
        string Estado, bool CambioPendiente);

    private sealed record FilaMovimiento(DateOnly Fecha, string Tipo, string Referencia, string Concepto, decimal Cargo, decimal Abono, DateTime Orden);
}
