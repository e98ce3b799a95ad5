using Telecable.Domain.Facturacion;

namespace Telecable.Domain.Catalogo;

/// <summary>A promotion as the quote needs it. Tipo: 'porcentaje' or 'monto_fijo'.</summary>
public sealed record Promocion(Guid Id, string Clave, string Nombre, string TipoDescuento, decimal Valor, int Meses,
    DateOnly VigenteDesde, DateOnly VigenteHasta)
{
    public const string Porcentaje = "porcentaje";
    public const string MontoFijo = "monto_fijo";

    public bool VigenteEn(DateOnly fecha) => fecha >= VigenteDesde && fecha <= VigenteHasta;

    /// <summary>Monthly discount over a monthly price: a percentage of it, or a fixed amount never above it.</summary>
    public decimal DescuentoSobre(decimal precio) => TipoDescuento switch
    {
        Porcentaje => ReglasFiscalesTelecom.Redondear(precio * Valor / 100m),
        MontoFijo => Math.Min(ReglasFiscalesTelecom.Redondear(Valor), precio),
        _ => throw new InvalidOperationException($"Tipo de descuento desconocido: {TipoDescuento}."),
    };
}

/// <summary>One part of what is sold: a plan alone is one part; a combo has one per plan, each with its own price.
/// <paramref name="PrecioIndependiente"/> is the plan's standalone catalog price in the zone on the quoted date (what
/// LIEPS art. 8-IV-d prices internet at inside a bundle); null when the zone has none.</summary>
public sealed record ParteCotizable(Guid PlanId, string Clave, string Nombre, string TipoServicio, string ClaveProdServ, decimal PrecioMensual,
    decimal? PrecioIndependiente = null);

/// <summary>A quoted line: the part, its price, the promotion's share of discount and its taxes.</summary>
public sealed record LineaCotizacion(Guid PlanId, string Clave, string Nombre, string TipoServicio, string ClaveProdServ,
    decimal PrecioMensual, decimal Descuento, decimal Neto, decimal TasaIeps, decimal Ieps, decimal TasaIva, decimal Iva, decimal Total);

/// <summary>
/// The monthly price of a plan or combo: lines per part, totals, the regular total (without
/// promotion) and, when a promotion applies, for how many months.
/// </summary>
public sealed record Cotizacion(string Moneda, IReadOnlyList<LineaCotizacion> Lineas, decimal Subtotal, decimal Descuento,
    decimal Ieps, decimal Iva, decimal Total, decimal TotalRegular, Promocion? Promocion, int? MesesPromocion);

/// <summary>
/// Prices parts, applies at most one promotion (the one with the largest discount) and taxes each line. A combo is
/// quoted through the same rules its invoice is billed with, so the quote and the invoice agree to the cent:
/// <see cref="ReglasFiscalesTelecom.DividirPaquete"/> (LIEPS art. 8-IV-d: internet at its standalone price, exempt up to
/// 30 % of the bundle, the excess taxed at 3 %), the promotion spread as <see cref="ArmadoFactura.Descuentos"/> spreads it,
/// and each line taxed at its own IEPS rate. The quote shows the IEPS itemized; an invoice that folds it into the price
/// (art. 19-II) has the same total.
/// </summary>
public static class Cotizador
{
    public static Cotizacion Cotizar(IReadOnlyList<ParteCotizable> partes, IEnumerable<Promocion> promociones, DateOnly fecha, bool esPaquete = false)
    {
        if (partes.Count == 0) throw new ArgumentException("Se necesita al menos una parte.", nameof(partes));
        var precio = partes.Sum(p => ReglasFiscalesTelecom.Redondear(p.PrecioMensual));
        var promo = promociones.Where(p => p.VigenteEn(fecha))
            .OrderByDescending(p => p.DescuentoSobre(precio)).ThenBy(p => p.Clave, StringComparer.Ordinal)
            .FirstOrDefault();
        var descuento = promo?.DescuentoSobre(precio) ?? 0m;

        var porPlan = partes.GroupBy(p => p.PlanId).ToDictionary(g => g.Key, g => g.First());
        var contrato = partes.Select(p => new LineaContrato(p.PlanId, p.Clave, p.Nombre, p.ClaveProdServ, ClaveUnidad: "",
            ReglasFiscalesTelecom.TasaIepsPara(p.TipoServicio), ReglasFiscalesTelecom.Redondear(p.PrecioMensual), p.TipoServicio,
            p.PrecioIndependiente)).ToList();
        var lineas = esPaquete ? ReglasFiscalesTelecom.DividirPaquete(contrato, precio) : contrato;
        var repartos = descuento > 0
            ? ArmadoFactura.Descuentos(lineas, new PromocionVigente(promo!.Clave, promo.TipoDescuento, promo.Valor))
            : new decimal[lineas.Count];

        var cotizadas = lineas.Select((l, i) =>
        {
            var t = ReglasFiscalesTelecom.Calcular(l.TasaIeps, l.Precio, repartos[i]);
            var parte = porPlan[l.PlanId];
            return new LineaCotizacion(l.PlanId, l.ClavePlan, l.NombrePlan, parte.TipoServicio, parte.ClaveProdServ,
                t.Precio, t.Descuento, t.Neto, t.TasaIeps, t.Ieps, t.TasaIva, t.Iva, t.Total);
        }).ToList();
        var regular = lineas.Sum(l => ReglasFiscalesTelecom.Calcular(l.TasaIeps, l.Precio).Total);
        return new Cotizacion(ReglasFiscalesTelecom.Moneda, cotizadas, cotizadas.Sum(l => l.PrecioMensual), cotizadas.Sum(l => l.Descuento),
            cotizadas.Sum(l => l.Ieps), cotizadas.Sum(l => l.Iva), cotizadas.Sum(l => l.Total), regular,
            descuento > 0 ? promo : null, descuento > 0 ? promo!.Meses : null);
    }

    /// <summary>
    /// Splits a discount over parts in proportion to their prices, in whole cents (largest remainder):
    /// shares add up to the discount exactly and no part gets more than its own price.
    /// </summary>
    public static decimal[] Repartir(decimal descuento, decimal[] precios)
    {
        var total = precios.Sum();
        var r = new decimal[precios.Length];
        if (descuento <= 0 || total <= 0) return r;
        descuento = Math.Min(descuento, total);
        var exactos = precios.Select(p => descuento * p / total).ToArray();
        for (var i = 0; i < r.Length; i++) r[i] = Math.Floor(exactos[i] * 100m) / 100m;
        var centavos = (int)Math.Round((descuento - r.Sum()) * 100m);
        foreach (var i in Enumerable.Range(0, r.Length).OrderByDescending(i => exactos[i] - r[i]).ThenByDescending(i => precios[i]))
        {
            if (centavos == 0) break;
            if (r[i] + 0.01m > precios[i]) continue;
            r[i] += 0.01m;
            centavos--;
        }
        return r;
    }
}
