using Dapper;
using Npgsql;
using Telecable.Domain.Catalogo;
using Telecable.Domain.Facturacion;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>A contract to bill in a period, with its customer's fiscal data as of now and its priced lines.</summary>
public sealed record ContratoAFacturar(
    Guid ContratoId, Guid ClienteId, string? Rfc, string? Nombre, string? Regimen, string? UsoCfdi, string? Cp,
    IReadOnlyList<LineaContrato> Lineas, PromocionVigente? Promocion);

/// <summary>
/// The pricing of contract lines for a period, in ONE place so the catalog's tax-rule class can replace it:
/// active contracts activated before the period ends and not yet billed for it; a plan contract bills its agreed
/// price; a combo bills each part (its own SAT keys and IEPS) scaled so the parts add up to the agreed price;
/// the contract's promotion applies while the period is within its first <c>meses</c> months since activation
/// (and the promotion is active and, when zoned, of the contract's zone).
/// </summary>
public static class TarifasContratos
{
    public static async Task<IReadOnlyList<ContratoAFacturar>> PorFacturarAsync(
        NpgsqlConnection cn, NpgsqlTransaction tx, DateOnly periodo, CancellationToken ct)
    {
        const string porFacturar = """
            SELECT c.id, c.cliente_id, c.plan_id, c.combo_id, c.precio_pactado, c.zona_id, c.promocion_id, c.fecha_activacion
            FROM contratos c
            WHERE c.estado = 'activo' AND c.fecha_activacion < (@periodo::date + interval '1 month')
              AND NOT EXISTS (SELECT 1 FROM facturas f
                              WHERE f.contrato_id = c.id AND f.periodo = @periodo::date AND f.estado <> 'cancelada')
            """;
        var contratos = (await cn.QueryAsync<FilaContrato>(new CommandDefinition($"""
            WITH pc AS ({porFacturar})
            SELECT pc.id AS ContratoId, pc.cliente_id AS ClienteId, pc.precio_pactado AS Pactado, pc.combo_id IS NOT NULL AS EsCombo,
                   cl.rfc AS Rfc, cl.nombre AS Nombre, cl.regimen_fiscal AS Regimen, cl.uso_cfdi AS UsoCfdi, cl.cp_fiscal AS Cp,
                   pr.clave AS PromoClave, pr.tipo_descuento AS PromoTipo, pr.valor AS PromoValor,
                   cl.contribuyente_ieps_telecom AS ContribuyenteIeps, cl.solicita_desglose_ieps AS SolicitaDesglose
            FROM pc JOIN clientes cl ON cl.id = pc.cliente_id
            LEFT JOIN promociones pr ON pr.id = pc.promocion_id AND pr.activa
                 AND (pr.zona_id IS NULL OR pr.zona_id = pc.zona_id)
                 AND @periodo::date >= date_trunc('month', pc.fecha_activacion)
                 AND @periodo::date < date_trunc('month', pc.fecha_activacion) + make_interval(months => pr.meses)
            ORDER BY cl.numero_cliente, pc.id
            """, new { periodo }, tx, cancellationToken: ct))).ToList();

        var lineas = (await cn.QueryAsync<FilaLinea>(new CommandDefinition($"""
            WITH pc AS ({porFacturar})
            SELECT pc.id AS ContratoId, pl.id AS PlanId, pl.clave AS Clave, pl.nombre AS Nombre, pl.clave_prod_serv AS ClaveProdServ,
                   pl.clave_unidad AS ClaveUnidad, pl.tasa_ieps AS TasaIeps, pc.precio_pactado AS Precio, pl.tipo AS Tipo,
                   NULL::numeric AS PrecioIndependiente
            FROM pc JOIN planes pl ON pl.id = pc.plan_id
            UNION ALL
            -- A combo part's standalone price: the plan's catalog price in the contract's zone for the period (LIEPS art. 8-IV-d).
            SELECT pc.id, pl.id, pl.clave, pl.nombre, pl.clave_prod_serv, pl.clave_unidad, pl.tasa_ieps, cp.precio_mensual, pl.tipo,
                   (SELECT pz.precio_mensual FROM precios_plan_zona pz
                    WHERE pz.plan_id = pl.id AND pz.zona_id = pc.zona_id AND pz.vigente_desde <= @periodo::date
                      AND (pz.vigente_hasta IS NULL OR pz.vigente_hasta > @periodo::date)
                    ORDER BY pz.vigente_desde DESC LIMIT 1)
            FROM pc JOIN combo_planes cp ON cp.combo_id = pc.combo_id JOIN planes pl ON pl.id = cp.plan_id
            ORDER BY 1, 9, 3
            """, new { periodo }, tx, cancellationToken: ct))).ToLookup(l => l.ContratoId);

        return contratos
            .Where(c => lineas[c.ContratoId].Any())
            .Select(c =>
            {
                var partes = lineas[c.ContratoId]
                    .Select(l => new LineaContrato(l.PlanId, l.Clave, l.Nombre, l.ClaveProdServ.Trim(), l.ClaveUnidad, l.TasaIeps, l.Precio,
                        l.Tipo, l.PrecioIndependiente))
                    .ToList();
                // LIEPS art. 8-IV-d (bundle split, 30 % cap) and art. 19-II (itemized only when asked by an IEPS taxpayer).
                var ajustadas = ReglasFiscalesTelecom.Aplicar(partes, c.Pactado, c.EsCombo,
                    ReglasFiscalesTelecom.DesglosaIeps(c.ContribuyenteIeps, c.SolicitaDesglose));
                var promo = c.PromoClave is null ? null : new PromocionVigente(c.PromoClave, c.PromoTipo!, c.PromoValor!.Value);
                return new ContratoAFacturar(c.ContratoId, c.ClienteId, c.Rfc, c.Nombre, c.Regimen?.Trim(), c.UsoCfdi, c.Cp?.Trim(), ajustadas, promo);
            })
            .ToList();
    }

    private sealed record FilaContrato(Guid ContratoId, Guid ClienteId, decimal Pactado, bool EsCombo, string? Rfc, string? Nombre,
        string? Regimen, string? UsoCfdi, string? Cp, string? PromoClave, string? PromoTipo, decimal? PromoValor,
        bool ContribuyenteIeps, bool SolicitaDesglose);

    private sealed record FilaLinea(Guid ContratoId, Guid PlanId, string Clave, string Nombre, string ClaveProdServ,
        string ClaveUnidad, decimal TasaIeps, decimal Precio, string Tipo, decimal? PrecioIndependiente);
}
