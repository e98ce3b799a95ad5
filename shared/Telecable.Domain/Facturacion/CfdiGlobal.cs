using System.Globalization;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Identidad;

namespace Telecable.Domain.Facturacion;

/// <summary>One line of a receipt (nota de venta): its amount before taxes, its discount and its IEPS rate (0 = none); every
/// line carries IVA 16 %.</summary>
public sealed record LineaRecibo(decimal Importe, decimal Descuento, decimal TasaIeps);

/// <summary>A receipt's amounts, computed once per receipt (not per line) so that they are exactly the amounts of its
/// concept in the global CFDI: each tax Importe is its rate times the receipt's base for it, rounded (SAT checks a concept's
/// traslado against Base x TasaOCuota within half a cent of the base).</summary>
public sealed record ImportesRecibo(decimal Importe, decimal Descuento, decimal BaseIva, decimal Iva, IReadOnlyList<(decimal Tasa, decimal Base, decimal Importe)> Ieps)
{
    public decimal TotalIeps => Ieps.Sum(i => i.Importe);
    public decimal Total => Importe - Descuento + Iva + TotalIeps;
}

/// <summary>A receipt as it enters the global CFDI: its folio (NoIdentificacion) and its amounts.</summary>
public sealed record ReciboGlobal(string Serie, long Folio, ImportesRecibo Importes);

/// <summary>
/// The global CFDI (Anexo 20 4.0 and its Guía de llenado, "CFDI global"; RMF rule on operations with the general public,
/// 2.7.1.21 in the 2022-2024 RMFs): a type I CFDI to RFC XAXX010101000 "PUBLICO EN GENERAL", regime 616, UsoCFDI S01,
/// DomicilioFiscalReceptor = the issuer's LugarExpedicion, with InformacionGlobal (c_Periodicidad, c_Meses, Año), one
/// concept per receipt (NoIdentificacion = the receipt's folio, ClaveProdServ 01010101, ClaveUnidad ACT, Descripcion
/// "Venta", its own taxes), MetodoPago PUE. Issued within the 24 hours after the period closes. Pure.
/// </summary>
public static class ReglasCfdiGlobal
{
    public const string PeriodicidadMensual = "04";
    public const string ClaveProdServ = "01010101";
    public const string ClaveUnidad = "ACT";
    public const string NombrePublico = "PUBLICO EN GENERAL";
    public const string RegimenSinObligaciones = "616";
    public const string UsoSinEfectos = "S01";
    public const string Descripcion = "Venta";
    /// <summary>Cash: the form of payment when the receipts' payments name none (a PUE CFDI may not say 99).</summary>
    public const string FormaEfectivo = "01";

    /// <summary>The SAT c_FormaPago of a PUE CFDI from the payment method that paid most of what it covers: 03 transfer (SPEI),
    /// 04 card, 01 cash (also when nothing is paid yet: a PUE CFDI may not say 99).</summary>
    public static string FormaPago(string? metodoPago) => metodoPago switch { "spei" => "03", "tarjeta" => "04", _ => FormaEfectivo };

    /// <summary>A customer "no necesita factura": no RFC of their own (empty or the generic XAXX010101000/XEXX010101000).
    /// Their monthly bill is a receipt, and the receipt goes into the month's global CFDI.</summary>
    public static bool FacturaConRecibo(string? rfc) =>
        string.IsNullOrWhiteSpace(rfc) || rfc.Trim().ToUpperInvariant() is Rfc.GenericoNacional or Rfc.GenericoExtranjero;

    /// <summary>The receipt's amounts from its lines: IEPS per rate over the net of the lines that carry it, IVA 16 % over
    /// the whole net plus the IEPS (LIVA art. 18), each rounded once for the receipt.</summary>
    public static ImportesRecibo Importes(IReadOnlyList<LineaRecibo> lineas)
    {
        if (lineas.Count == 0) throw new ArgumentException("Un recibo necesita al menos una línea.", nameof(lineas));
        var importe = lineas.Sum(l => CalculadoraCfdi.Redondear(l.Importe));
        var descuento = lineas.Sum(l => CalculadoraCfdi.Redondear(l.Descuento));
        var ieps = lineas.Where(l => l.TasaIeps > 0m).GroupBy(l => l.TasaIeps).OrderBy(g => g.Key)
            .Select(g =>
            {
                var b = g.Sum(l => CalculadoraCfdi.Redondear(l.Importe) - CalculadoraCfdi.Redondear(l.Descuento));
                return (g.Key, b, CalculadoraCfdi.Redondear(b * g.Key));
            }).ToList();
        var baseIva = importe - descuento + ieps.Sum(i => i.Item3);
        return new ImportesRecibo(importe, descuento, baseIva, CalculadoraCfdi.Redondear(baseIva * ImpuestoLinea.Iva16.Tasa!.Value), ieps);
    }

    /// <summary>InformacionGlobal of a monthly global CFDI: Periodicidad 04, Meses = the month (c_Meses 01-12), Año.</summary>
    public static InformacionGlobal Mensual(DateOnly periodo) =>
        new(PeriodicidadMensual, periodo.Month.ToString("00", CultureInfo.InvariantCulture), periodo.Year);

    /// <summary>A month can be covered once it has closed (Mexico City calendar): from its last day's midnight on.</summary>
    public static bool Cerrado(DateOnly periodo, DateOnly hoy) => hoy >= new DateOnly(periodo.Year, periodo.Month, 1).AddMonths(1);

    /// <summary>SAT's deadline: within the 24 hours after the period closes, that is, by the end of the first day of the next
    /// month (Mexico City time). Returns the first local instant that is late.</summary>
    public static DateTime Limite(DateOnly periodo) =>
        new DateOnly(periodo.Year, periodo.Month, 1).AddMonths(1).AddDays(1).ToDateTime(TimeOnly.MinValue);

    public static bool FueraDePlazo(DateOnly periodo, DateTime fechaMexico) => fechaMexico >= Limite(periodo);

    /// <summary>The concept of one receipt.</summary>
    public static Concepto Concepto(ReciboGlobal r)
    {
        var i = r.Importes;
        var traslados = new List<Traslado> { new(i.BaseIva, CatalogoSat.ImpuestoIva, CatalogoSat.FactorTasa, ImpuestoLinea.Iva16.Tasa, i.Iva) };
        traslados.AddRange(i.Ieps.Select(x => new Traslado(x.Base, CatalogoSat.ImpuestoIeps, CatalogoSat.FactorTasa, x.Tasa, x.Importe)));
        return new Concepto
        {
            ClaveProdServ = ClaveProdServ,
            NoIdentificacion = r.Serie + "-" + r.Folio.ToString(CultureInfo.InvariantCulture),
            Cantidad = 1m,
            ClaveUnidad = ClaveUnidad,
            Descripcion = Descripcion,
            ValorUnitario = i.Importe,
            Importe = i.Importe,
            Descuento = i.Descuento > 0m ? i.Descuento : null,
            ObjetoImp = CatalogoSat.ObjetoSiObjeto,
            Traslados = traslados,
        };
    }

    /// <summary>The receptor of every global CFDI: the general public, domiciled at the place of issue.</summary>
    public static Receptor Receptor(string lugarExpedicion) =>
        new(Rfc.GenericoNacional, NombrePublico, lugarExpedicion, RegimenSinObligaciones, UsoSinEfectos);

    /// <summary>The global CFDI of <paramref name="recibos"/> for the month <paramref name="periodo"/>. One concept per receipt;
    /// the comprobante's traslados are their sums by tax and rate (<see cref="ComprobantePue"/>).</summary>
    public static Comprobante Armar(string serie, long folio, DateTime fecha, string lugarExpedicion, Emisor emisor, DateOnly periodo,
        string formaPago, IEnumerable<ReciboGlobal> recibos)
    {
        var conceptos = new List<Concepto>();
        foreach (var r in recibos)
        {
            if (r.Importes.Importe <= 0m) throw new ArgumentException($"El recibo {r.Serie}-{r.Folio} no tiene importe (SAT exige ValorUnitario > 0).");
            conceptos.Add(Concepto(r));
        }
        if (conceptos.Count == 0) throw new ArgumentException("Un CFDI global necesita al menos un recibo.", nameof(recibos));
        if (formaPago == CatalogoSat.FormaPorDefinir) throw new ArgumentException("Un CFDI global es PUE: su forma de pago no puede ser 99.", nameof(formaPago));
        return ComprobantePue.Armar(serie, folio, fecha, formaPago, lugarExpedicion, emisor, Receptor(lugarExpedicion), conceptos, Mensual(periodo));
    }

    /// <summary>
    /// Whether a customer may still get an individual CFDI for a receipt (the "factura de un recibo"). SAT allows a
    /// nominative CFDI for an operation the issuer has not yet reported in a global CFDI; once the receipt is in a stamped (or
    /// sealed) global CFDI, the operation is already invoiced: a second CFDI would report the income twice, and undoing it
    /// needs the global CFDI cancelled and re-issued without that receipt, which this system does not do automatically.
    /// Returns null when allowed, or the reason.
    /// </summary>
    public static string? MotivoNoFacturable(string tipoDocumento, string estado, bool incluidoEnGlobal)
    {
        if (tipoDocumento != TiposDocumento.Recibo) return "El documento ya es un CFDI, no un recibo.";
        if (incluidoEnGlobal)
            return "El recibo ya está incluido en el CFDI global de su periodo: emitir otro CFDI por la misma operación la declararía dos veces. " +
                   "Solo cancelando y reexpidiendo el CFDI global sin él podría facturarse por separado.";
        if (estado is not (EstadosFactura.Timbrada or EstadosFactura.Pagada)) return $"Un recibo en estado {estado} no se factura.";
        return null;
    }
}

/// <summary>What a row of facturas is: an individual CFDI, or a receipt (nota de venta) of a customer without an RFC, which a
/// global CFDI covers.</summary>
public static class TiposDocumento
{
    public const string Cfdi = "cfdi";
    public const string Recibo = "recibo";
}
