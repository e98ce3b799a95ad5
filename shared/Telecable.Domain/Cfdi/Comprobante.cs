namespace Telecable.Domain.Cfdi;

/// <summary>CFDI 4.0 (Anexo 20). Amounts are already rounded (see <see cref="CalculadoraCfdi"/>);
/// the XML writer only formats them.</summary>
public sealed record Comprobante
{
    public const string VersionCfdi = "4.0";

    public string? Serie { get; init; }
    public string? Folio { get; init; }
    /// <summary>Local time of the place of issue (Mexico), no offset: SAT's yyyy-MM-ddTHH:mm:ss.</summary>
    public required DateTime Fecha { get; init; }
    public string? FormaPago { get; init; }
    public string? MetodoPago { get; init; }
    public string? CondicionesDePago { get; init; }
    public required decimal SubTotal { get; init; }
    public decimal? Descuento { get; init; }
    public string Moneda { get; init; } = "MXN";
    public decimal? TipoCambio { get; init; }
    public required decimal Total { get; init; }
    public required string TipoDeComprobante { get; init; }
    public string Exportacion { get; init; } = "01";
    public required string LugarExpedicion { get; init; }
    public string? Confirmacion { get; init; }
    public InformacionGlobal? InformacionGlobal { get; init; }
    public IReadOnlyList<CfdiRelacionados> CfdiRelacionados { get; init; } = [];
    public required Emisor Emisor { get; init; }
    public required Receptor Receptor { get; init; }
    public required IReadOnlyList<Concepto> Conceptos { get; init; }
    public ImpuestosComprobante? Impuestos { get; init; }
    /// <summary>Only in type P comprobantes (see <see cref="CalculadoraPagos"/>).</summary>
    public ComplementoPagos? Pagos { get; init; }

    // Filled by SelladorCfdi; null until sealed.
    public string? NoCertificado { get; init; }
    public string? Certificado { get; init; }
    public string? Sello { get; init; }
}

public sealed record InformacionGlobal(string Periodicidad, string Meses, int Anio);

/// <summary>TipoRelacion "04" (sustitución) links the replacement of a CFDI cancelled with motive 01.</summary>
public sealed record CfdiRelacionados(string TipoRelacion, IReadOnlyList<string> Uuids);

public sealed record Emisor(string Rfc, string Nombre, string RegimenFiscal, string? FacAtrAdquirente = null);

public sealed record Receptor(
    string Rfc,
    string Nombre,
    string DomicilioFiscalReceptor,
    string RegimenFiscalReceptor,
    string UsoCFDI,
    string? ResidenciaFiscal = null,
    string? NumRegIdTrib = null);

public sealed record Concepto
{
    public required string ClaveProdServ { get; init; }
    public string? NoIdentificacion { get; init; }
    public required decimal Cantidad { get; init; }
    public required string ClaveUnidad { get; init; }
    public string? Unidad { get; init; }
    public required string Descripcion { get; init; }
    public required decimal ValorUnitario { get; init; }
    public required decimal Importe { get; init; }
    public decimal? Descuento { get; init; }
    public required string ObjetoImp { get; init; }
    public IReadOnlyList<Traslado> Traslados { get; init; } = [];
    public IReadOnlyList<Retencion> Retenciones { get; init; } = [];
    public ACuentaTerceros? ACuentaTerceros { get; init; }
    public IReadOnlyList<string> InformacionAduanera { get; init; } = [];
    public IReadOnlyList<string> CuentaPredial { get; init; } = [];
    public IReadOnlyList<Parte> Partes { get; init; } = [];
}

/// <summary>Used for a concept and, grouped, for the comprobante. TasaOCuota and Importe are absent
/// when TipoFactor is Exento.</summary>
public sealed record Traslado(decimal Base, string Impuesto, string TipoFactor, decimal? TasaOCuota, decimal? Importe);

public sealed record Retencion(decimal Base, string Impuesto, string TipoFactor, decimal TasaOCuota, decimal Importe);

public sealed record RetencionComprobante(string Impuesto, decimal Importe);

public sealed record ImpuestosComprobante(
    decimal? TotalImpuestosRetenidos,
    decimal? TotalImpuestosTrasladados,
    IReadOnlyList<RetencionComprobante> Retenciones,
    IReadOnlyList<Traslado> Traslados);

public sealed record ACuentaTerceros(string Rfc, string Nombre, string RegimenFiscal, string DomicilioFiscal);

public sealed record Parte(
    string ClaveProdServ,
    decimal Cantidad,
    string Descripcion,
    string? NoIdentificacion = null,
    string? Unidad = null,
    decimal? ValorUnitario = null,
    decimal? Importe = null,
    IReadOnlyList<string>? InformacionAduanera = null);

/// <summary>SAT catalog codes this system uses (c_Impuesto, c_TipoFactor, c_TipoDeComprobante...).</summary>
public static class CatalogoSat
{
    public const string ImpuestoIsr = "001";
    public const string ImpuestoIva = "002";
    public const string ImpuestoIeps = "003";
    public const string FactorTasa = "Tasa";
    public const string FactorCuota = "Cuota";
    public const string FactorExento = "Exento";
    public const string TipoIngreso = "I";
    public const string TipoEgreso = "E";
    public const string TipoPago = "P";
    public const string MetodoPue = "PUE";
    public const string MetodoPpd = "PPD";
    public const string FormaPorDefinir = "99";
    public const string ObjetoNoObjeto = "01";
    public const string ObjetoSiObjeto = "02";
    public const string RelacionSustitucion = "04";
}
