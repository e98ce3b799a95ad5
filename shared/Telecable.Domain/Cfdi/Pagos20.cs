namespace Telecable.Domain.Cfdi;

/// <summary>Complemento para recepción de pagos 2.0: what a type P CFDI carries to record the payment of
/// invoices issued PPD.</summary>
public sealed record ComplementoPagos(TotalesPagos Totales, IReadOnlyList<Pago> Pagos)
{
    public const string Version = "2.0";
}

/// <summary>Sums over all Pagos in MXN; SAT's Totales only break down IVA traslados (16, 8, 0, exento).</summary>
public sealed record TotalesPagos
{
    public required decimal MontoTotalPagos { get; init; }
    public decimal? TotalTrasladosBaseIVA16 { get; init; }
    public decimal? TotalTrasladosImpuestoIVA16 { get; init; }
    public decimal? TotalTrasladosBaseIVA8 { get; init; }
    public decimal? TotalTrasladosImpuestoIVA8 { get; init; }
    public decimal? TotalTrasladosBaseIVA0 { get; init; }
    public decimal? TotalTrasladosImpuestoIVA0 { get; init; }
    public decimal? TotalTrasladosBaseIVAExento { get; init; }
}

public sealed record Pago
{
    public required DateTime FechaPago { get; init; }
    public required string FormaDePagoP { get; init; }
    public string MonedaP { get; init; } = "MXN";
    /// <summary>SAT requires TipoCambioP, "1" for MXN.</summary>
    public decimal TipoCambioP { get; init; } = 1m;
    public required decimal Monto { get; init; }
    public string? NumOperacion { get; init; }
    public required IReadOnlyList<DoctoRelacionado> Documentos { get; init; }
    public IReadOnlyList<Traslado> TrasladosP { get; init; } = [];
}

public sealed record DoctoRelacionado
{
    public required string IdDocumento { get; init; }
    public string? Serie { get; init; }
    public string? Folio { get; init; }
    public string MonedaDR { get; init; } = "MXN";
    public decimal EquivalenciaDR { get; init; } = 1m;
    public required int NumParcialidad { get; init; }
    public required decimal ImpSaldoAnt { get; init; }
    public required decimal ImpPagado { get; init; }
    public required decimal ImpSaldoInsoluto { get; init; }
    public required string ObjetoImpDR { get; init; }
    public IReadOnlyList<Traslado> TrasladosDR { get; init; } = [];
}

/// <summary>A payment applied to one invoice (the PPD Comprobante as issued, and its UUID).</summary>
public sealed record DocumentoPagado(Comprobante Factura, string Uuid, int NumParcialidad, decimal ImpSaldoAnt, decimal ImpPagado);

public sealed record PagoAplicado(DateTime FechaPago, string FormaDePagoP, IReadOnlyList<DocumentoPagado> Documentos, string? NumOperacion = null);

/// <summary>
/// Builds the type P Comprobante with its Pagos 2.0 complement (MXN). Each related document carries every
/// traslado of the invoice (IVA 16 %, IEPS 3 %, exento...: its comprobante-level Impuestos) in proportion to
/// the share paid (Guía de llenado del complemento de pagos 2.0, ImpuestosDR). The share is taken
/// cumulatively: BaseDR = round(Base x paid after / Total) - round(Base x paid before / Total), and the
/// same for ImporteDR over the invoice's Importe. A first payment is thus plain proportion, every payment
/// depends only on its own ImpSaldoAnt and ImpPagado (no history needed, the same on every retry), and the
/// parts of all payments add up exactly to the invoice's bases and amounts: the one that settles the
/// invoice absorbs the rounding. TrasladosP and Totales are sums of the TrasladosDR.
/// </summary>
public static class CalculadoraPagos
{
    private const string ClaveProdServPago = "84111506";
    private const string UsoPagos = "CP01";

    public static Comprobante Calcular(DatosComprobante datos, IReadOnlyList<PagoAplicado> pagos)
    {
        if (pagos.Count == 0 || pagos.Any(p => p.Documentos.Count == 0))
        {
            throw new ArgumentException("Cada pago debe aplicarse al menos a un documento.");
        }
        var calculados = pagos.Select(CalcularPago).ToList();
        var trasladosP = calculados.SelectMany(p => p.TrasladosP).ToList();
        decimal? Suma(decimal? tasa, bool impuesto)
        {
            var grupo = trasladosP.Where(t => t.Impuesto == CatalogoSat.ImpuestoIva && t.TasaOCuota == tasa).ToList();
            return grupo.Count == 0 ? null : grupo.Sum(t => impuesto ? t.Importe ?? 0m : t.Base);
        }

        var totales = new TotalesPagos
        {
            MontoTotalPagos = calculados.Sum(p => p.Monto),
            TotalTrasladosBaseIVA16 = Suma(0.16m, false),
            TotalTrasladosImpuestoIVA16 = Suma(0.16m, true),
            TotalTrasladosBaseIVA8 = Suma(0.08m, false),
            TotalTrasladosImpuestoIVA8 = Suma(0.08m, true),
            TotalTrasladosBaseIVA0 = Suma(0m, false),
            TotalTrasladosImpuestoIVA0 = Suma(0m, true),
            TotalTrasladosBaseIVAExento = Suma(null, false),
        };
        // Anexo 20 for type P: amounts zero, Moneda XXX, no FormaPago/MetodoPago, one fixed concept.
        return new Comprobante
        {
            Serie = datos.Serie,
            Folio = datos.Folio,
            Fecha = datos.Fecha,
            SubTotal = 0m,
            Moneda = "XXX",
            Total = 0m,
            TipoDeComprobante = CatalogoSat.TipoPago,
            LugarExpedicion = datos.LugarExpedicion,
            CfdiRelacionados = datos.CfdiRelacionados,
            Emisor = datos.Emisor,
            Receptor = datos.Receptor with { UsoCFDI = UsoPagos },
            Conceptos =
            [
                new Concepto
                {
                    ClaveProdServ = ClaveProdServPago, Cantidad = 1m, ClaveUnidad = "ACT", Descripcion = "Pago",
                    ValorUnitario = 0m, Importe = 0m, ObjetoImp = CatalogoSat.ObjetoNoObjeto,
                },
            ],
            Pagos = new ComplementoPagos(totales, calculados),
        };
    }

    private static Pago CalcularPago(PagoAplicado pago)
    {
        var documentos = pago.Documentos.Select(CalcularDocumento).ToList();
        return new Pago
        {
            FechaPago = pago.FechaPago,
            FormaDePagoP = pago.FormaDePagoP,
            Monto = documentos.Sum(d => d.ImpPagado),
            NumOperacion = pago.NumOperacion,
            Documentos = documentos,
            TrasladosP = documentos
                .SelectMany(d => d.TrasladosDR)
                .GroupBy(t => (t.Impuesto, t.TipoFactor, t.TasaOCuota))
                .Select(g => new Traslado(g.Sum(t => t.Base), g.Key.Impuesto, g.Key.TipoFactor, g.Key.TasaOCuota,
                    g.Key.TipoFactor == CatalogoSat.FactorExento ? null : g.Sum(t => t.Importe ?? 0m)))
                .ToList(),
        };
    }

    private static DoctoRelacionado CalcularDocumento(DocumentoPagado d)
    {
        if (d.Factura.MetodoPago != CatalogoSat.MetodoPpd || d.Factura.Moneda != "MXN")
        {
            throw new ArgumentException($"El documento {d.Uuid} no es una factura PPD en MXN: no lleva complemento de pagos.");
        }
        if (d.ImpPagado <= 0m || d.ImpPagado > d.ImpSaldoAnt || d.NumParcialidad < 1)
        {
            throw new ArgumentException($"Pago de {d.ImpPagado} inválido para el saldo {d.ImpSaldoAnt} del documento {d.Uuid}.");
        }
        var total = d.Factura.Total;
        if (d.ImpSaldoAnt > total)
        {
            throw new ArgumentException($"El saldo anterior {d.ImpSaldoAnt} del documento {d.Uuid} excede su total {total}.");
        }
        var pagadoAntes = total - d.ImpSaldoAnt;
        var pagadoDespues = pagadoAntes + d.ImpPagado;
        decimal Parte(decimal monto) =>
            CalculadoraCfdi.Redondear(monto * pagadoDespues / total) - CalculadoraCfdi.Redondear(monto * pagadoAntes / total);
        var traslados = (d.Factura.Impuestos?.Traslados ?? [])
            .Select(t => t with { Base = Parte(t.Base), Importe = t.Importe is { } importe ? Parte(importe) : null })
            .ToList();
        return new DoctoRelacionado
        {
            IdDocumento = d.Uuid,
            Serie = d.Factura.Serie,
            Folio = d.Factura.Folio,
            NumParcialidad = d.NumParcialidad,
            ImpSaldoAnt = d.ImpSaldoAnt,
            ImpPagado = d.ImpPagado,
            ImpSaldoInsoluto = d.ImpSaldoAnt - d.ImpPagado,
            ObjetoImpDR = traslados.Count > 0 ? CatalogoSat.ObjetoSiObjeto : CatalogoSat.ObjetoNoObjeto,
            TrasladosDR = traslados,
        };
    }
}
