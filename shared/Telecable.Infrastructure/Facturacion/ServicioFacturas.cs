using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;
using QRCoder;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Facturacion;

public sealed record FacturaResumen(
    Guid Id, Guid? Uuid, string Serie, long Folio, Guid ClienteId, string? ClienteNombre, string? Periodo, decimal Total, string Estado,
    DateTimeOffset? FechaEmision, DateOnly? FechaVencimiento, string? ErrorCodigo, string? ErrorMensaje);

public sealed record Pagina<T>(IReadOnlyList<T> Elementos, int Numero, int Tamano, long Total);

public sealed record KpiMes(string Mes, decimal Facturado, decimal Cobrado, int Facturas);

public sealed record Kpis(decimal Facturado, decimal Cobrado, decimal Vencido, int FacturasVencidas, IReadOnlyList<KpiMes> PorMes);

public sealed record SolicitudCancelacion(string? Motivo, string? FolioSustitucion);

public sealed record SolicitudPago(string? Metodo, string? Referencia);

public sealed record FacturaPagada(Guid Uuid, string Estado, Guid PagoId, decimal Monto);

/// <summary>Invoices after stamping: listing, KPIs, download, printable representation, cancellation and manual payment.
/// A cliente reaches only their own invoices; anything else answers 404.</summary>
public sealed class ServicioFacturas(NpgsqlDataSource db, IPacClient pac, AlmacenBlobs blobs, OpcionesEmisor emisor, TimeProvider reloj)
{
    public const string EventoFacturaCancelada = "FacturaCancelada";

    private const string Columnas = """
        f.id AS Id, f.uuid AS Uuid, f.serie AS Serie, f.folio AS Folio, f.cliente_id AS ClienteId, cl.nombre AS ClienteNombre,
        to_char(f.periodo, 'YYYY-MM') AS Periodo, f.total AS Total, f.estado AS Estado, f.fecha_emision AS FechaEmision,
        f.fecha_vencimiento AS FechaVencimiento, f.error_codigo AS ErrorCodigo, f.error_mensaje AS ErrorMensaje
        """;

    public async Task<Pagina<FacturaResumen>> UltimasAsync(Usuario u, int pagina, int tamano, string? estado, CancellationToken ct)
    {
        var clienteId = VeTodo(u) ? (Guid?)null : u.ClienteId ?? Guid.Empty;
        await using var cn = await db.OpenConnectionAsync(ct);
        var p = new { clienteId, estado, limite = tamano, salto = (pagina - 1) * tamano };
        const string filtro = "(@clienteId::uuid IS NULL OR f.cliente_id = @clienteId) AND (@estado::text IS NULL OR f.estado = @estado)";
        var filas = await cn.QueryAsync<FilaResumen>(new CommandDefinition($"""
            SELECT {Columnas} FROM facturas f JOIN clientes cl ON cl.id = f.cliente_id
            WHERE {filtro} ORDER BY f.fecha_emision DESC NULLS LAST, f.folio DESC LIMIT @limite OFFSET @salto
            """, p, cancellationToken: ct));
        var total = await cn.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM facturas f WHERE {filtro}", p, cancellationToken: ct));
        return new Pagina<FacturaResumen>(filas.Select(f => f.Resumen()).ToList(), pagina, tamano, total);
    }

    public async Task<Kpis> KpisAsync(int meses, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var hoy = DateOnly.FromDateTime(FormatoCfdi.HoraMexico(reloj.GetUtcNow()));
        var desde = new DateOnly(hoy.Year, hoy.Month, 1).AddMonths(1 - meses);
        var porMes = (await cn.QueryAsync<KpiMes>(new CommandDefinition("""
            SELECT to_char(date_trunc('month', f.fecha_emision AT TIME ZONE 'America/Mexico_City'), 'YYYY-MM') AS Mes,
                   coalesce(sum(f.total), 0) AS Facturado,
                   coalesce(sum(f.total) FILTER (WHERE f.estado = 'pagada'), 0) AS Cobrado,
                   count(*)::int AS Facturas
            FROM facturas f
            WHERE f.estado IN ('timbrada', 'pagada') AND f.fecha_emision >= @desde::date
            GROUP BY 1 ORDER BY 1
            """, new { desde }, cancellationToken: ct))).ToList();
        var (vencido, vencidas) = await cn.QuerySingleAsync<(decimal, int)>(new CommandDefinition("""
            SELECT coalesce(sum(total), 0), count(*)::int FROM facturas WHERE estado = 'timbrada' AND fecha_vencimiento < @hoy
            """, new { hoy }, cancellationToken: ct));
        return new Kpis(porMes.Sum(m => m.Facturado), porMes.Sum(m => m.Cobrado), vencido, vencidas, porMes);
    }

    public async Task<string> XmlAsync(Usuario u, Guid uuid, CancellationToken ct)
    {
        var f = await DetalleAsync(u, uuid, ct);
        var xml = f.XmlBlob is null ? null : await blobs.DescargarAsync(f.XmlBlob, ct);
        return xml?.ToString() ?? throw new ErrorNoEncontrado("xml de la factura", uuid.ToString());
    }

    public async Task<ResultadoCancelacion> CancelarAsync(Guid uuid, SolicitudCancelacion s, string actor, string cid, CancellationToken ct)
    {
        var v = new Validador()
            .Regla(s.Motivo is "01" or "02" or "03" or "04", "motivo", "Debe ser 01, 02, 03 o 04.")
            .Regla(s.Motivo != "01" || Guid.TryParse(s.FolioSustitucion, out _), "folioSustitucion", "Es obligatorio (UUID) con motivo 01.")
            .Regla(s.Motivo == "01" || s.FolioSustitucion is null, "folioSustitucion", "Solo se admite con motivo 01.");
        v.Lanzar();
        Guid? sustituto = s.Motivo == "01" ? Guid.Parse(s.FolioSustitucion!) : null;
        if (sustituto == uuid) throw new ErrorValidacion("folioSustitucion", "No puede ser la misma factura.");

        await using var cn = await db.OpenConnectionAsync(ct);
        var f = await cn.QuerySingleOrDefaultAsync<(Guid Id, string Estado, string? Motivo)?>(new CommandDefinition(
            "SELECT id, estado, motivo_cancelacion FROM facturas WHERE uuid = @uuid", new { uuid }, cancellationToken: ct))
            ?? throw new ErrorNoEncontrado("factura", uuid.ToString());
        if (f.Estado == EstadosFactura.Cancelada)
        {
            if (f.Motivo == s.Motivo) return new ResultadoCancelacion(true, CodigosPac.PreviamenteCancelado, "Factura ya cancelada.", uuid.ToString(), null);
            throw new ErrorConflicto("La factura ya está cancelada con otro motivo.", "factura_cancelada");
        }
        if (!EstadosFactura.PuedeCancelarse(f.Estado))
        {
            throw new ErrorConflicto($"Una factura en estado {f.Estado} no se puede cancelar.", "estado_invalido");
        }
        if (sustituto is { } sus && await cn.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT count(*) FROM facturas WHERE uuid = @sus AND estado IN ('timbrada', 'pagada')", new { sus }, cancellationToken: ct)) == 0)
        {
            throw new ErrorRegla("El folio de sustitución debe ser una factura timbrada.", "folioSustitucion");
        }
        var r = await pac.CancelarAsync(uuid.ToString().ToUpperInvariant(), emisor.Rfc, s.Motivo!, sustituto?.ToString().ToUpperInvariant(), ct);
        if (!r.Exitoso)
        {
            if (r.EsTransitorio) throw new ErrorConflicto("El PAC no está disponible; reintente.", "pac_no_disponible");
            throw new ErrorRegla($"El PAC rechazó la cancelación ({r.Codigo}): {r.Mensaje}");
        }
        await using var tx = await cn.BeginTransactionAsync(ct);
        var ahora = reloj.GetUtcNow();
        var n = await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE facturas SET estado = 'cancelada', cancelada_en = @ahora, motivo_cancelacion = @Motivo, folio_sustitucion = @sustituto,
                   version = version + 1
            WHERE id = @Id AND estado = 'timbrada'
            """, new { ahora, s.Motivo, sustituto, f.Id }, tx, cancellationToken: ct));
        if (n == 1)
        {
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(EventoFacturaCancelada, "factura", f.Id.ToString(),
                new { facturaId = f.Id, uuid, motivo = s.Motivo, folioSustitucion = sustituto, actor }, cid, ahora), ct);
        }
        await tx.CommitAsync(ct);
        return r;
    }

    /// <summary>Records a manual payment of the whole invoice (pago aplicado + its application). Idempotent: a paid
    /// invoice answers with the payment it already has.</summary>
    /// <summary>Printable HTML with the fiscal data of the stamped XML and SAT's verification QR (inline PNG).</summary>
    public async Task<string> RepresentacionAsync(Usuario u, Guid uuid, CancellationToken ct)
    {
        var xml = System.Xml.Linq.XDocument.Parse(await XmlAsync(u, uuid, ct)).Root!;
        var cfdi = ComprobanteXml.Cfdi;
        var em = xml.Element(cfdi + "Emisor")!;
        var re = xml.Element(cfdi + "Receptor")!;
        var tfd = xml.Element(cfdi + "Complemento")!.Element(ComprobanteXml.Tfd + "TimbreFiscalDigital")!;
        string A(System.Xml.Linq.XElement e, string n) => Html.Encode((string?)e.Attribute(n) ?? "");
        var total = decimal.Parse((string)xml.Attribute("Total")!, CultureInfo.InvariantCulture);
        var url = VerificacionSat.Url((string)tfd.Attribute("UUID")!, (string)em.Attribute("Rfc")!, (string)re.Attribute("Rfc")!, total, (string)xml.Attribute("Sello")!);
        using var qr = new QRCodeGenerator();
        var png = new PngByteQRCode(qr.CreateQrCode(url, QRCodeGenerator.ECCLevel.M)).GetGraphic(4);
        var h = new StringBuilder();
        h.Append($"""
            <!doctype html><html lang="es"><head><meta charset="utf-8"><title>Factura {A(xml, "Serie")}-{A(xml, "Folio")}</title>
            {Estilo}</head><body>
            <h1>Factura {A(xml, "Serie")}-{A(xml, "Folio")}</h1>
            <p><b>Emisor:</b> {A(em, "Nombre")} — RFC {A(em, "Rfc")} — Régimen {A(em, "RegimenFiscal")} — Lugar de expedición {A(xml, "LugarExpedicion")}</p>
            <p><b>Receptor:</b> {A(re, "Nombre")} — RFC {A(re, "Rfc")} — Régimen {A(re, "RegimenFiscalReceptor")} — CP {A(re, "DomicilioFiscalReceptor")} — Uso CFDI {A(re, "UsoCFDI")}</p>
            <p><b>Folio fiscal (UUID):</b> {A(tfd, "UUID")} — <b>Fecha:</b> {A(xml, "Fecha")} — <b>Timbrado:</b> {A(tfd, "FechaTimbrado")}
            — <b>Tipo:</b> {A(xml, "TipoDeComprobante")} — <b>Método:</b> {A(xml, "MetodoPago")} — <b>Forma:</b> {A(xml, "FormaPago")} — <b>Moneda:</b> {A(xml, "Moneda")}
            — <b>Exportación:</b> {A(xml, "Exportacion")}</p>
            <table><tr><th>Clave</th><th>Unidad</th><th>Descripción</th><th>Cantidad</th><th>Valor unitario</th><th>Descuento</th><th>Importe</th><th>Objeto imp.</th></tr>
            """);
        foreach (var c in xml.Element(cfdi + "Conceptos")!.Elements(cfdi + "Concepto"))
        {
            h.Append($"<tr><td>{A(c, "ClaveProdServ")}</td><td>{A(c, "ClaveUnidad")}</td><td>{A(c, "Descripcion")}</td><td class=d>{A(c, "Cantidad")}</td>" +
                     $"<td class=d>{A(c, "ValorUnitario")}</td><td class=d>{A(c, "Descuento")}</td><td class=d>{A(c, "Importe")}</td><td>{A(c, "ObjetoImp")}</td></tr>");
        }
        h.Append("</table><table style=\"width:auto;margin-top:1em\">");
        h.Append($"<tr><th>Subtotal</th><td class=d>{A(xml, "SubTotal")}</td></tr><tr><th>Descuento</th><td class=d>{A(xml, "Descuento")}</td></tr>");
        foreach (var t in xml.Element(cfdi + "Impuestos")?.Element(cfdi + "Traslados")?.Elements(cfdi + "Traslado") ?? [])
        {
            var nombre = (string?)t.Attribute("Impuesto") == CatalogoSat.ImpuestoIeps ? "IEPS" : "IVA";
            h.Append($"<tr><th>{nombre} {A(t, "TasaOCuota")}</th><td class=d>{A(t, "Importe")}</td></tr>");
        }
        h.Append($"<tr><th>Total</th><td class=d><b>{A(xml, "Total")}</b></td></tr></table>");
        h.Append($"""
            <p><img alt="QR de verificación SAT" width="160" height="160" src="data:image/png;base64,{Convert.ToBase64String(png)}"></p>
            <p>Verificación: <a href="{Html.Encode(url)}">{Html.Encode(url)}</a></p>
            <p><b>No. de certificado del emisor:</b> {A(xml, "NoCertificado")} — <b>No. de certificado SAT:</b> {A(tfd, "NoCertificadoSAT")} — <b>RFC PAC:</b> {A(tfd, "RfcProvCertif")}</p>
            <p><b>Sello digital del CFDI:</b></p><p class=s>{A(xml, "Sello")}</p>
            <p><b>Sello del SAT:</b></p><p class=s>{A(tfd, "SelloSAT")}</p>
            <p><b>Cadena original del complemento de certificación digital del SAT:</b></p>
            <p class=s>||1.1|{A(tfd, "UUID")}|{A(tfd, "FechaTimbrado")}|{A(tfd, "RfcProvCertif")}|{A(tfd, "SelloCFD")}|{A(tfd, "NoCertificadoSAT")}||</p>
            <p>Este documento es una representación impresa de un CFDI.</p></body></html>
            """);
        return h.ToString();
    }

    // Escapes markup only: names with Ñ and accents stay readable in the page source.
    private static readonly System.Text.Encodings.Web.HtmlEncoder Html = System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    private const string Estilo = """
        <style>body{font-family:sans-serif;font-size:12px;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:4px}
        .d{text-align:right}.s{word-break:break-all;font-family:monospace;font-size:10px}@media print{body{margin:0}}</style>
        """;

    private async Task<(Guid Id, string? XmlBlob)> DetalleAsync(Usuario u, Guid uuid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var f = await cn.QuerySingleOrDefaultAsync<(Guid Id, Guid ClienteId, string? XmlBlob)?>(new CommandDefinition(
            "SELECT id, cliente_id, xml_blob FROM facturas WHERE uuid = @uuid", new { uuid }, cancellationToken: ct));
        if (f is null || !PuedeVer(u, f.Value.ClienteId)) throw new ErrorNoEncontrado("factura", uuid.ToString());
        return (f.Value.Id, f.Value.XmlBlob);
    }

    private static bool VeTodo(Usuario u) => u.TieneAlguno([Roles.Admin, Roles.Cobranzas]);

    private static bool PuedeVer(Usuario u, Guid clienteId) => VeTodo(u) || u.ClienteId == clienteId;

    private sealed record FilaResumen(Guid Id, Guid? Uuid, string Serie, long Folio, Guid ClienteId, string? ClienteNombre, string? Periodo,
        decimal Total, string Estado, DateTime? FechaEmision, DateOnly? FechaVencimiento, string? ErrorCodigo, string? ErrorMensaje)
    {
        public FacturaResumen Resumen() => new(Id, Uuid, Serie, Folio, ClienteId, ClienteNombre, Periodo, Total, Estado,
            FechaEmision is { } e ? new DateTimeOffset(DateTime.SpecifyKind(e, DateTimeKind.Utc)) : null,
            FechaVencimiento, ErrorCodigo, ErrorMensaje);
    }
}
