using System.Globalization;
using Telecable.Domain.Cfdi;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>
/// An invoice as stored (<c>facturas</c>, alias f, and its <c>factura_conceptos</c>), read back to rebuild the very CFDI that
/// is sealed: the billing run's chunks (<see cref="TimbradorFacturas"/>) and the substitute (<see cref="ServicioSustitucion"/>)
/// read and arm it the same way, so a re-seal after a crash gives the same XML and the same Sello.
/// </summary>
internal sealed class FacturaGuardada
{
    /// <summary>The SELECT list over <c>facturas f</c> that fills it.</summary>
    public const string Columnas = """
        f.id AS Id, f.uuid AS Uuid, f.serie AS Serie, f.folio AS Folio, f.cliente_id AS ClienteId, f.corrida_id AS CorridaId,
        f.fecha_emision AS FechaEmision, f.metodo_pago AS MetodoPago, f.forma_pago AS FormaPago, f.uso_cfdi AS UsoCfdi,
        f.receptor_rfc AS ReceptorRfc, f.receptor_nombre AS ReceptorNombre, f.receptor_regimen AS ReceptorRegimen,
        f.receptor_cp AS ReceptorCp, f.total AS Total
        """;

    public Guid Id { get; init; }
    public Guid? Uuid { get; init; }
    public string Serie { get; init; } = "";
    public long Folio { get; init; }
    public Guid ClienteId { get; init; }
    public Guid? CorridaId { get; init; }
    public DateTime FechaEmision { get; init; }
    public string MetodoPago { get; init; } = "";
    public string FormaPago { get; init; } = "";
    public string? UsoCfdi { get; init; }
    public string? ReceptorRfc { get; init; }
    public string? ReceptorNombre { get; init; }
    public string? ReceptorRegimen { get; init; }
    public string? ReceptorCp { get; init; }
    public decimal Total { get; init; }
    public IReadOnlyList<ConceptoGuardado> Conceptos { get; set; } = [];

    /// <summary>The CFDI of this invoice for <paramref name="receptor"/>, its Fecha the stored one (never the clock).</summary>
    public Comprobante Armar(OpcionesEmisor emisor, Receptor receptor, IReadOnlyList<CfdiRelacionados>? relacionados = null) =>
        CalculadoraCfdi.Calcular(new DatosComprobante
        {
            Serie = Serie,
            Folio = Folio.ToString(CultureInfo.InvariantCulture),
            Fecha = FormatoCfdi.HoraMexico(FechasDb.Utc(FechaEmision)),
            FormaPago = FormaPago,
            MetodoPago = MetodoPago,
            LugarExpedicion = emisor.LugarExpedicion,
            Emisor = emisor.ComoEmisor(),
            Receptor = receptor,
            CfdiRelacionados = relacionados ?? [],
        }, Conceptos.Select(c => c.ComoLinea()).ToList());
}

/// <summary>One stored concept line of an invoice (<c>factura_conceptos</c>, alias c).</summary>
internal sealed class ConceptoGuardado
{
    /// <summary>The SELECT list over <c>factura_conceptos c</c> that fills it.</summary>
    public const string Columnas = """
        c.factura_id AS FacturaId, c.clave_prod_serv AS ClaveProdServ, c.clave_unidad AS ClaveUnidad, c.unidad AS Unidad,
        c.no_identificacion AS NoIdentificacion, c.descripcion AS Descripcion, c.cantidad AS Cantidad,
        c.valor_unitario AS ValorUnitario, c.descuento AS Descuento, c.tasa_ieps AS TasaIeps
        """;

    public Guid FacturaId { get; init; }
    public string ClaveProdServ { get; init; } = "";
    public string ClaveUnidad { get; init; } = "";
    public string? Unidad { get; init; }
    public string? NoIdentificacion { get; init; }
    public string Descripcion { get; init; } = "";
    public decimal Cantidad { get; init; }
    public decimal ValorUnitario { get; init; }
    public decimal Descuento { get; init; }
    public decimal TasaIeps { get; init; }

    /// <summary>The line as the calculator takes it: IVA 16 %, and IEPS before it when the concept carries a rate.</summary>
    public LineaFactura ComoLinea() => new()
    {
        ClaveProdServ = ClaveProdServ.Trim(),
        ClaveUnidad = ClaveUnidad,
        Unidad = Unidad,
        NoIdentificacion = NoIdentificacion,
        Descripcion = Descripcion,
        Cantidad = Cantidad,
        ValorUnitario = ValorUnitario,
        Descuento = Descuento,
        Impuestos = TasaIeps > 0m
            ? [new ImpuestoLinea(CatalogoSat.ImpuestoIeps, CatalogoSat.FactorTasa, TasaIeps), ImpuestoLinea.Iva16]
            : [ImpuestoLinea.Iva16],
    };
}
