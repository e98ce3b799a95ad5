using Dapper;
using Npgsql;
using Telecable.Application.Facturacion;
using Telecable.Domain.Catalogo;
using Telecable.Domain.Facturacion;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>A contract to bill for one cycle, with its customer's fiscal data as of now, its priced (prorated) lines,
/// the promotion share in force, the charges that travel on this invoice and its due date.</summary>
public sealed record ContratoAFacturar(
    Guid ContratoId, Guid ClienteId, string? Rfc, string? Nombre, string? Regimen, string? UsoCfdi, string? Cp,
    IReadOnlyList<LineaContrato> Lineas, PromocionVigente? Promocion)
{
    /// <summary>The cycle (period and days) this invoice covers.</summary>
    public Cobertura? Cobertura { get; init; }
    /// <summary>Extra lines (late fee, plan-change difference), never discounted by the promotion.</summary>
    public IReadOnlyList<CargoAFacturar> Cargos { get; init; } = [];
    public DateOnly? Vence { get; init; }
}

/// <summary>A pending charge (cargos_pendientes) priced as a line of the invoice it is attached to.</summary>
public sealed record CargoAFacturar(Guid Id, LineaContrato Linea);

/// <summary>
/// The pricing of contract lines for a billing run, in ONE place so the catalog's tax-rule class can replace it.
/// Which cycle each contract bills (issue 18, rules in <see cref="CicloFacturacion"/>):
/// <list type="bullet">
/// <item>a manual run of period P bills cycle P of every active contract with service in it;</item>
/// <item>the daily run of date D (period P = D's month) bills cycle P of the contracts whose cut-off day is on or before
/// D's day (so a missed day is caught up), and the first, partial cycle P-1 of a contract activated since its cut-off
/// in the previous month (activation to the day before its next cut-off);</item>
/// <item>a contract cancelled within a cycle not billed yet bills that cycle up to its cancellation date;</item>
/// <item>never a cycle already billed (NOT EXISTS, and <c>ux_facturas_contrato_periodo</c>).</item>
/// </list>
/// A plan bills its agreed price, a combo each part scaled to the agreed price, prorated to the covered days; the
/// promotion applies to the days of the cycle within its first <c>meses</c> months since activation (and when active
/// and, if zoned, of the contract's zone).
/// </summary>
public static class TarifasContratos
{
    private const string Candidatos = """
        SELECT c.*, make_date(extract(year FROM c.pk)::int, extract(month FROM c.pk)::int, c.dia_corte) AS corte,
               make_date(extract(year FROM c.pk + interval '1 month')::int, extract(month FROM c.pk + interval '1 month')::int, c.dia_corte) AS siguiente
        FROM (SELECT k.id, k.cliente_id, k.plan_id, k.combo_id, k.precio_pactado, k.zona_id, k.promocion_id, k.fecha_activacion,
                     k.fecha_cancelacion, k.estado, k.dia_corte,
                     CASE WHEN @fechaCorte::date IS NULL OR k.dia_corte <= extract(day FROM @fechaCorte::date) THEN @periodo::date
                          ELSE (@periodo::date - interval '1 month')::date END AS pk
              FROM contratos k
              WHERE k.estado IN ('activo', 'cancelado') AND k.fecha_activacion IS NOT NULL) c
        """;

    private const string PorFacturar = $"""
        SELECT * FROM ({Candidatos}) pc
        WHERE pc.fecha_activacion < pc.siguiente
          -- A cancelled contract bills only the cycle it was cancelled in, up to that day, if it was not billed before.
          AND (pc.estado = 'activo' OR pc.fecha_cancelacion >= pc.corte)
          AND (@fechaCorte::date IS NULL OR pc.fecha_activacion <= @fechaCorte::date)
          AND (pc.pk = @periodo::date OR pc.fecha_activacion >= pc.corte)
          AND NOT EXISTS (SELECT 1 FROM facturas f
                          WHERE f.contrato_id = pc.id AND f.periodo = pc.pk AND f.estado <> 'cancelada')
        """;

    /// <summary>One page of the contracts to bill, in (customer number, contract id) order after <paramref name="despues"/>
    /// (keyset: a run of any size is read <paramref name="limite"/> contracts at a time), and the cursor of the page's last
    /// contract (null: none left). A contract without lines is read and skipped, so the cursor still moves past it.</summary>
    /// <param name="fechaCorte">The daily run's date; null for a manual run of the whole period.</param>
    /// <param name="hoy">Mexico business date (due dates, late fees).</param>
    public static async Task<(IReadOnlyList<ContratoAFacturar> Contratos, CursorContratos? Cursor)> PorFacturarAsync(
        NpgsqlConnection cn, NpgsqlTransaction tx, DateOnly periodo, DateOnly? fechaCorte, DateOnly hoy, CursorContratos? despues, int limite,
        CancellationToken ct)
    {
        var contratos = (await cn.QueryAsync<FilaContrato>(new CommandDefinition($"""
            WITH pc AS ({PorFacturar})
            SELECT pc.id AS ContratoId, pc.cliente_id AS ClienteId, pc.precio_pactado AS Pactado, pc.combo_id IS NOT NULL AS EsCombo,
                   pc.pk AS Periodo, pc.dia_corte::int AS DiaCorte, pc.fecha_activacion AS Activacion, pc.fecha_cancelacion AS Cancelacion,
                   cl.rfc AS Rfc, cl.nombre AS Nombre, cl.regimen_fiscal AS Regimen, cl.uso_cfdi AS UsoCfdi, cl.cp_fiscal AS Cp,
                   pr.clave AS PromoClave, pr.tipo_descuento AS PromoTipo, pr.valor AS PromoValor, pr.meses AS PromoMeses,
                   cl.contribuyente_ieps_telecom AS ContribuyenteIeps, cl.solicita_desglose_ieps AS SolicitaDesglose,
                   cl.numero_cliente AS NumeroCliente
            FROM pc JOIN clientes cl ON cl.id = pc.cliente_id
            LEFT JOIN promociones pr ON pr.id = pc.promocion_id AND pr.activa
                 AND (pr.zona_id IS NULL OR pr.zona_id = pc.zona_id)
            WHERE @numero::bigint IS NULL OR (cl.numero_cliente, pc.id) > (@numero::bigint, @contrato::uuid)
            ORDER BY cl.numero_cliente, pc.id
            LIMIT @limite
            """, new { periodo, fechaCorte, hoy, numero = despues?.NumeroCliente, contrato = despues?.ContratoId, limite }, tx,
            cancellationToken: ct))).ToList();
        if (contratos.Count == 0) return ([], null);
        var cursor = new CursorContratos(contratos[^1].NumeroCliente, contratos[^1].ContratoId);

        var ids = contratos.Select(c => c.ContratoId).ToArray();
        var p = new { periodo, fechaCorte, hoy, ids };
        var lineas = (await cn.QueryAsync<FilaLinea>(new CommandDefinition($"""
            WITH pc AS (SELECT * FROM ({PorFacturar}) x WHERE x.id = ANY(@ids))
            SELECT pc.id AS ContratoId, pl.id AS PlanId, pl.clave AS Clave, pl.nombre AS Nombre, pl.clave_prod_serv AS ClaveProdServ,
                   pl.clave_unidad AS ClaveUnidad, pl.tasa_ieps AS TasaIeps, pc.precio_pactado AS Precio, pl.tipo AS Tipo,
                   NULL::numeric AS PrecioIndependiente, pl.dias_pago::int AS DiasPago
            FROM pc JOIN planes pl ON pl.id = pc.plan_id
            UNION ALL
            -- A combo part's standalone price: the plan's catalog price in the contract's zone for the period (LIEPS art. 8-IV-d).
            SELECT pc.id, pl.id, pl.clave, pl.nombre, pl.clave_prod_serv, pl.clave_unidad, pl.tasa_ieps, cp.precio_mensual, pl.tipo,
                   (SELECT pz.precio_mensual FROM precios_plan_zona pz
                    WHERE pz.plan_id = pl.id AND pz.zona_id = pc.zona_id AND pz.vigente_desde <= pc.pk
                      AND (pz.vigente_hasta IS NULL OR pz.vigente_hasta > pc.pk)
                    ORDER BY pz.vigente_desde DESC LIMIT 1),
                   pl.dias_pago::int
            FROM pc JOIN combo_planes cp ON cp.combo_id = pc.combo_id JOIN planes pl ON pl.id = cp.plan_id
            ORDER BY 1, 9, 3
            """, p, tx, cancellationToken: ct))).ToLookup(l => l.ContratoId);

        var cargos = (await cn.QueryAsync<FilaCargo>(new CommandDefinition("""
            SELECT cp.id AS Id, cp.contrato_id AS ContratoId, pl.id AS PlanId, pl.clave AS Clave, cp.concepto AS Concepto,
                   pl.clave_prod_serv AS ClaveProdServ, pl.clave_unidad AS ClaveUnidad, pl.tasa_ieps AS TasaIeps, cp.importe AS Importe
            FROM cargos_pendientes cp JOIN planes pl ON pl.id = cp.plan_id
            WHERE cp.factura_id IS NULL AND cp.contrato_id = ANY(@ids)
            ORDER BY cp.created_at, cp.id
            """, new { ids }, tx, cancellationToken: ct))).ToLookup(c => c.ContratoId);

        return (contratos
            .Where(c => lineas[c.ContratoId].Any())
            .Select(c =>
            {
                var cobertura = CicloFacturacion.Cubierta(c.Periodo, c.DiaCorte, c.Activacion, c.Cancelacion)!;
                var pactado = CicloFacturacion.Prorratear(c.Pactado, cobertura);
                var partes = lineas[c.ContratoId]
                    .Select(l => new LineaContrato(l.PlanId, l.Clave, l.Nombre, l.ClaveProdServ.Trim(), l.ClaveUnidad, l.TasaIeps,
                        c.EsCombo ? l.Precio : pactado, l.Tipo,
                        l.PrecioIndependiente is { } solo ? CicloFacturacion.Prorratear(solo, cobertura) : null))
                    .ToList();
                // LIEPS art. 8-IV-d (bundle split, 30 % cap, on the prorated prices) and art. 19-II (IEPS itemized only
                // when an IEPS taxpayer asks for it, otherwise folded into the price, extra charges included).
                var desglosa = ReglasFiscalesTelecom.DesglosaIeps(c.ContribuyenteIeps, c.SolicitaDesglose);
                var ajustadas = ReglasFiscalesTelecom.Aplicar(partes, pactado, c.EsCombo, desglosa);
                var promo = Promocion(c, cobertura);
                var extra = cargos[c.ContratoId].Select(x =>
                {
                    var linea = new LineaContrato(x.PlanId, x.Clave, x.Concepto, x.ClaveProdServ.Trim(), x.ClaveUnidad, x.TasaIeps, x.Importe);
                    return new CargoAFacturar(x.Id, desglosa ? linea : ReglasFiscalesTelecom.IepsEnPrecio([linea])[0]);
                }).ToList();
                var diasPago = lineas[c.ContratoId].Min(l => l.DiasPago);
                return new ContratoAFacturar(c.ContratoId, c.ClienteId, c.Rfc, c.Nombre, c.Regimen?.Trim(), c.UsoCfdi, c.Cp?.Trim(), ajustadas, promo)
                {
                    Cobertura = cobertura,
                    Cargos = extra,
                    Vence = CicloFacturacion.Vencimiento(cobertura, hoy, diasPago),
                };
            })
            .ToList(), cursor);
    }

    /// <summary>The promotion's share for the covered days: a percentage scaled by the share of the covered days it is in
    /// force; a fixed monthly amount scaled by the days in force over the cycle's days.</summary>
    private static PromocionVigente? Promocion(FilaContrato c, Cobertura cobertura)
    {
        if (c.PromoClave is null || c.PromoMeses is null) return null;
        var fraccion = CicloFacturacion.FraccionPromocion(cobertura, c.Activacion, c.PromoMeses.Value);
        if (fraccion <= 0m) return null;
        var valor = c.PromoTipo == PromocionVigente.Porcentaje
            ? c.PromoValor!.Value * fraccion
            : Domain.Catalogo.ReglasFiscalesTelecom.Redondear(c.PromoValor!.Value * fraccion * cobertura.Dias / cobertura.DiasCiclo);
        return valor <= 0m ? null : new PromocionVigente(c.PromoClave, c.PromoTipo!, valor);
    }

    /// <summary>
    /// Late fees earned since the last run: each invoice of a plan with <c>recargo_mora</c> that was not paid in full by
    /// its due date (<see cref="RecargoMora"/>) gets one pending charge on its contract (unique per invoice), which the
    /// contract's next invoice carries. Looks back 120 days.
    /// </summary>
    public static async Task<int> RegistrarRecargosAsync(NpgsqlConnection cn, NpgsqlTransaction tx, DateOnly hoy, CancellationToken ct)
    {
        var candidatas = await cn.QueryAsync<FilaMora>(new CommandDefinition("""
            SELECT f.id AS FacturaId, f.contrato_id AS ContratoId, f.serie || '-' || f.folio AS Folio, f.fecha_vencimiento AS Vence,
                   CASE WHEN f.estado = 'pagada' THEN (SELECT max(a.aplicado_en AT TIME ZONE 'America/Mexico_City')::date
                                                      FROM pago_aplicaciones a WHERE a.factura_id = f.id) END AS LiquidadaEl,
                   pl.id AS PlanId, pl.recargo_mora AS Recargo
            FROM facturas f JOIN contratos k ON k.id = f.contrato_id
            JOIN LATERAL (SELECT p.id, p.recargo_mora FROM planes p
                          WHERE p.id = k.plan_id OR p.id IN (SELECT cp.plan_id FROM combo_planes cp WHERE cp.combo_id = k.combo_id)
                          ORDER BY p.recargo_mora DESC NULLS LAST, p.clave LIMIT 1) pl ON true
            WHERE f.estado IN ('timbrada', 'pagada') AND f.fecha_vencimiento < @hoy AND f.fecha_vencimiento >= @hoy - 120
              AND pl.recargo_mora IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM cargos_pendientes c WHERE c.origen = 'recargo_mora' AND c.origen_id = f.id)
            """, new { hoy }, tx, cancellationToken: ct));
        var n = 0;
        foreach (var f in candidatas.Where(f => RecargoMora.Aplica(f.Recargo, f.Vence, f.LiquidadaEl, hoy)))
        {
            n += await cn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO cargos_pendientes (contrato_id, plan_id, origen, origen_id, concepto, importe)
                VALUES (@ContratoId, @PlanId, 'recargo_mora', @FacturaId, @Concepto, @Recargo)
                ON CONFLICT (origen, origen_id) DO NOTHING
                """, new { f.ContratoId, f.PlanId, f.FacturaId, Concepto = $"{RecargoMora.Concepto} (factura {f.Folio})", f.Recargo }, tx, cancellationToken: ct));
        }
        return n;
    }

    /// <summary>Deferred plan changes (downgrade at the next cut-off) whose day has come are applied before pricing.</summary>
    public static Task<int> AplicarCambiosProgramadosAsync(NpgsqlConnection cn, NpgsqlTransaction tx, DateOnly hoy, CancellationToken ct) =>
        cn.ExecuteAsync(new CommandDefinition("""
            WITH listos AS (
                UPDATE cambios_plan SET aplicado_en = now()
                WHERE aplicado_en IS NULL AND modo = 'siguiente_corte' AND efectivo_desde <= @hoy
                RETURNING contrato_id, plan_id, combo_id, promocion_id, precio_pactado)
            UPDATE contratos k SET plan_id = l.plan_id, combo_id = l.combo_id, promocion_id = l.promocion_id,
                   precio_pactado = l.precio_pactado, version = k.version + 1
            FROM listos l WHERE k.id = l.contrato_id
            """, new { hoy }, tx, cancellationToken: ct));

    private sealed record FilaContrato(Guid ContratoId, Guid ClienteId, decimal Pactado, bool EsCombo, DateOnly Periodo, int DiaCorte,
        DateOnly Activacion, DateOnly? Cancelacion, string? Rfc, string? Nombre,
        string? Regimen, string? UsoCfdi, string? Cp, string? PromoClave, string? PromoTipo, decimal? PromoValor, int? PromoMeses,
        bool ContribuyenteIeps, bool SolicitaDesglose, long NumeroCliente);

    private sealed record FilaLinea(Guid ContratoId, Guid PlanId, string Clave, string Nombre, string ClaveProdServ,
        string ClaveUnidad, decimal TasaIeps, decimal Precio, string Tipo, decimal? PrecioIndependiente, int DiasPago);

    private sealed record FilaCargo(Guid Id, Guid ContratoId, Guid PlanId, string Clave, string Concepto, string ClaveProdServ,
        string ClaveUnidad, decimal TasaIeps, decimal Importe);

    private sealed record FilaMora(Guid FacturaId, Guid ContratoId, string Folio, DateOnly Vence, DateOnly? LiquidadaEl, Guid PlanId, decimal Recargo);
}
