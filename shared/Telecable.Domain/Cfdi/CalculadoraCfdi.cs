namespace Telecable.Domain.Cfdi;

/// <summary>A tax that applies to a line. Rates are SAT's TasaOCuota (0.160000 = 16 %).</summary>
public sealed record ImpuestoLinea(string Impuesto, string TipoFactor, decimal? Tasa)
{
    public static readonly ImpuestoLinea Iva16 = new(CatalogoSat.ImpuestoIva, CatalogoSat.FactorTasa, 0.160000m);
    public static readonly ImpuestoLinea Iva0 = new(CatalogoSat.ImpuestoIva, CatalogoSat.FactorTasa, 0.000000m);
    public static readonly ImpuestoLinea IvaExento = new(CatalogoSat.ImpuestoIva, CatalogoSat.FactorExento, null);
    /// <summary>IEPS on telecommunication services (LIEPS art. 2-I-C).</summary>
    public static readonly ImpuestoLinea Ieps3 = new(CatalogoSat.ImpuestoIeps, CatalogoSat.FactorTasa, 0.030000m);
}

public sealed record LineaFactura
{
    public required string ClaveProdServ { get; init; }
    public required string Descripcion { get; init; }
    public required decimal Cantidad { get; init; }
    /// <summary>Before taxes; up to six decimals are kept.</summary>
    public required decimal ValorUnitario { get; init; }
    /// <summary>E48 = unidad de servicio, what an ISP bills.</summary>
    public string ClaveUnidad { get; init; } = "E48";
    public string? Unidad { get; init; }
    public string? NoIdentificacion { get; init; }
    /// <summary>Discount amount for the whole line (not a percentage).</summary>
    public decimal Descuento { get; init; }
    public IReadOnlyList<ImpuestoLinea> Impuestos { get; init; } = [];
}

/// <summary>Everything in a Comprobante that is not computed from the lines.</summary>
public sealed record DatosComprobante
{
    public string? Serie { get; init; }
    public string? Folio { get; init; }
    public required DateTime Fecha { get; init; }
    public string? FormaPago { get; init; }
    public string? MetodoPago { get; init; }
    public string? CondicionesDePago { get; init; }
    public string TipoDeComprobante { get; init; } = CatalogoSat.TipoIngreso;
    public required string LugarExpedicion { get; init; }
    public required Emisor Emisor { get; init; }
    public required Receptor Receptor { get; init; }
    public IReadOnlyList<CfdiRelacionados> CfdiRelacionados { get; init; } = [];
    public InformacionGlobal? InformacionGlobal { get; init; }
}

/// <summary>
/// Builds a Comprobante (types I and E, MXN) whose amounts pass SAT's validations: every amount at two
/// decimals; concept Importe = Cantidad x ValorUnitario rounded; each tax Importe rounded per concept
/// from its own Base; comprobante traslados = sums of the concept ones grouped by Impuesto+TipoFactor+TasaOCuota;
/// Total = SubTotal - Descuento + TotalImpuestosTrasladados.
/// </summary>
public static class CalculadoraCfdi
{
    /// <summary>Half away from zero: the "redondeo" of SAT's Guía de llenado.</summary>
    public static decimal Redondear(decimal valor) => Math.Round(valor, 2, MidpointRounding.AwayFromZero);

    public static Comprobante Calcular(DatosComprobante datos, IReadOnlyList<LineaFactura> lineas)
    {
        Validar(datos, lineas);
        var conceptos = lineas.Select(CalcularConcepto).ToList();

        var subTotal = conceptos.Sum(c => c.Importe);
        decimal? descuento = conceptos.Any(c => c.Descuento is not null) ? conceptos.Sum(c => c.Descuento ?? 0m) : null;
        var traslados = conceptos
            .SelectMany(c => c.Traslados)
            .GroupBy(t => (t.Impuesto, t.TipoFactor, t.TasaOCuota))
            .OrderBy(g => g.Key.Impuesto, StringComparer.Ordinal).ThenBy(g => g.Key.TasaOCuota)
            .Select(g => new Traslado(
                g.Sum(t => t.Base), g.Key.Impuesto, g.Key.TipoFactor, g.Key.TasaOCuota,
                g.Key.TipoFactor == CatalogoSat.FactorExento ? null : g.Sum(t => t.Importe ?? 0m)))
            .ToList();
        // SAT: TotalImpuestosTrasladados must be absent when every traslado is Exento.
        decimal? totalTrasladados = traslados.Any(t => t.Importe is not null) ? traslados.Sum(t => t.Importe ?? 0m) : null;

        return new Comprobante
        {
            Serie = datos.Serie,
            Folio = datos.Folio,
            Fecha = datos.Fecha,
            FormaPago = datos.FormaPago,
            MetodoPago = datos.MetodoPago,
            CondicionesDePago = datos.CondicionesDePago,
            SubTotal = subTotal,
            Descuento = descuento,
            Total = subTotal - (descuento ?? 0m) + (totalTrasladados ?? 0m),
            TipoDeComprobante = datos.TipoDeComprobante,
            LugarExpedicion = datos.LugarExpedicion,
            InformacionGlobal = datos.InformacionGlobal,
            CfdiRelacionados = datos.CfdiRelacionados,
            Emisor = datos.Emisor,
            Receptor = datos.Receptor,
            Conceptos = conceptos,
            Impuestos = traslados.Count == 0 ? null : new ImpuestosComprobante(null, totalTrasladados, [], traslados),
        };
    }

    private static Concepto CalcularConcepto(LineaFactura l)
    {
        var valorUnitario = Math.Round(l.ValorUnitario, 6, MidpointRounding.AwayFromZero);
        var importe = Redondear(l.Cantidad * valorUnitario);
        var descuento = Redondear(l.Descuento);
        if (descuento > importe)
        {
            throw new ArgumentException($"El descuento {descuento} excede el importe {importe} de '{l.Descripcion}'.");
        }
        var neto = importe - descuento;

        // IEPS first: by LIVA art. 18 the IVA base includes the IEPS charged on the same service.
        var ieps = l.Impuestos.Where(i => i.Impuesto == CatalogoSat.ImpuestoIeps).Select(i => Trasladar(i, neto)).ToList();
        var baseIva = neto + ieps.Sum(t => t.Importe ?? 0m);
        var otros = l.Impuestos.Where(i => i.Impuesto != CatalogoSat.ImpuestoIeps).Select(i => Trasladar(i, baseIva));
        var traslados = otros.Concat(ieps).ToList();

        return new Concepto
        {
            ClaveProdServ = l.ClaveProdServ,
            NoIdentificacion = l.NoIdentificacion,
            Cantidad = l.Cantidad,
            ClaveUnidad = l.ClaveUnidad,
            Unidad = l.Unidad,
            Descripcion = l.Descripcion,
            ValorUnitario = valorUnitario,
            Importe = importe,
            Descuento = descuento > 0m ? descuento : null,
            ObjetoImp = traslados.Count > 0 ? CatalogoSat.ObjetoSiObjeto : CatalogoSat.ObjetoNoObjeto,
            Traslados = traslados,
        };
    }

    private static Traslado Trasladar(ImpuestoLinea impuesto, decimal baseGravable) => impuesto.TipoFactor switch
    {
        CatalogoSat.FactorExento => new Traslado(baseGravable, impuesto.Impuesto, impuesto.TipoFactor, null, null),
        CatalogoSat.FactorTasa when impuesto.Tasa is { } tasa =>
            new Traslado(baseGravable, impuesto.Impuesto, impuesto.TipoFactor, tasa, Redondear(baseGravable * tasa)),
        _ => throw new NotSupportedException($"Impuesto {impuesto.Impuesto} {impuesto.TipoFactor} no soportado."),
    };

    private static void Validar(DatosComprobante d, IReadOnlyList<LineaFactura> lineas)
    {
        if (d.TipoDeComprobante is not (CatalogoSat.TipoIngreso or CatalogoSat.TipoEgreso))
        {
            throw new ArgumentException("La calculadora produce comprobantes de ingreso (I) o egreso (E).");
        }
        if (lineas.Count == 0)
        {
            throw new ArgumentException("Un comprobante necesita al menos un concepto.");
        }
        foreach (var l in lineas)
        {
            if (l.Cantidad <= 0m || l.ValorUnitario < 0m || l.Descuento < 0m)
            {
                throw new ArgumentException($"Cantidad, valor unitario o descuento inválidos en '{l.Descripcion}'.");
            }
            if (l.Impuestos.GroupBy(i => i.Impuesto).Any(g => g.Count() > 1))
            {
                throw new ArgumentException($"Impuesto repetido en '{l.Descripcion}'.");
            }
        }
        // Guía de llenado: PPD is paid later, so its FormaPago is 99 (por definir); PUE names the real one.
        var esPpd = d.MetodoPago == CatalogoSat.MetodoPpd;
        if (d.MetodoPago is not (CatalogoSat.MetodoPue or CatalogoSat.MetodoPpd) || d.FormaPago is null
            || esPpd != (d.FormaPago == CatalogoSat.FormaPorDefinir))
        {
            throw new ArgumentException($"MetodoPago {d.MetodoPago} con FormaPago {d.FormaPago} no es válido (PPD exige 99, PUE lo prohíbe).");
        }
    }
}
