using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Comun;
using PaginaGlobales = Telecable.Application.Comun.Pagina<Telecable.Application.Facturacion.CfdiGlobalEmitido>;
using PaginaRecibos = Telecable.Application.Comun.Pagina<Telecable.Application.Facturacion.ReciboEmitido>;
using Telecable.Application.Facturacion;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>
/// The month's global CFDI over the receipts of customers without an RFC (<see cref="ReglasCfdiGlobal"/>). Exactly once per
/// period: under a transaction-scoped advisory lock on the period, the receipts issued in the month and not yet in a global
/// CFDI are taken (FOR UPDATE, so a concurrent "invoice this receipt" waits), the CFDI is built, sealed with a fixed Fecha
/// and folio and stored as 'sellada' together with the receipts' link to it, in one transaction before the first PAC call.
/// Every later attempt (a repeat, the timer after a crash) re-sends that stored XML, which the PAC answers with the original
/// stamp (307); the unique index per period makes a second CFDI impossible. A PAC rejection marks it 'rechazada' and gives
/// the receipts back.
/// </summary>
public sealed class ServicioCfdiGlobal(NpgsqlDataSource db, ITimbradoUnico timbrado, AlmacenBlobs blobs, ProveedorCsd proveedorCsd,
    OpcionesEmisor emisor, TimeProvider reloj, ILogger<ServicioCfdiGlobal> log) : IServicioCfdiGlobal
{
    public const string Serie = "G";
    public const string EventoCfdiGlobalTimbrado = "CfdiGlobalTimbrado";

    private static readonly Counter<long> Timbrados = Telemetria.Medidor.CreateCounter<long>("facturacion.cfdi_global.timbrados", "{cfdi}",
        "Global CFDIs stamped, by whether they were late (fuera_de_plazo)");
    private static readonly Counter<long> RecibosIncluidos = Telemetria.Medidor.CreateCounter<long>("facturacion.cfdi_global.recibos", "{recibo}",
        "Receipts covered by stamped global CFDIs");
    private static readonly Histogram<double> Duracion = Telemetria.Medidor.CreateHistogram<double>("facturacion.cfdi_global.duracion", "ms",
        "Building and sealing one global CFDI (before the PAC)");

    private const string Columnas = """
        id AS Id, uuid AS Uuid, serie AS Serie, folio AS Folio, periodo AS Periodo, periodicidad AS Periodicidad, meses AS Meses,
        anio AS Anio, recibos AS Recibos, subtotal AS Subtotal, descuento AS Descuento, iva AS Iva, ieps AS Ieps, total AS Total,
        estado AS Estado, fuera_de_plazo AS FueraDePlazo, created_at AS CreadoEn, timbrada_en AS TimbradoEn
        """;

    public async Task<ResultadoCfdiGlobal> EmitirAsync(DateOnly periodo, string actor, string cid, CancellationToken ct)
    {
        periodo = new DateOnly(periodo.Year, periodo.Month, 1);
        if (!ReglasCfdiGlobal.Cerrado(periodo, reloj.Hoy()))
            throw new ErrorValidacion("periodo", $"El periodo {Periodo.Texto(periodo)} no ha cerrado: su CFDI global se emite a partir del día 1 del mes siguiente.");
        var (fila, xml, creado) = await PrepararAsync(periodo, actor, cid, ct);
        if (fila.Estado != "sellada") return new ResultadoCfdiGlobal(fila.Emitido(), creado, false);
        var (final, pacNoDisponible) = await TimbrarAsync(fila.Id, xml, cid, ct);
        return new ResultadoCfdiGlobal(final, creado, pacNoDisponible);
    }

    private async Task<(FilaGlobal Fila, string Xml, bool Creado)> PrepararAsync(DateOnly periodo, string actor, string cid, CancellationToken ct)
    {
        var ig = ReglasCfdiGlobal.Mensual(periodo);
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        // One creator per period at a time, on any host; the unique index is the last word.
        await cn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('cfdi_global:' || @clave))",
            new { clave = $"{ig.Periodicidad}-{ig.Anio}-{ig.Meses}" }, tx, cancellationToken: ct));
        var existente = await cn.QuerySingleOrDefaultAsync<(Guid Id, string Xml)?>(new CommandDefinition("""
            SELECT id, xml_sellado FROM cfdi_globales
            WHERE periodicidad = @Periodicidad AND anio = @Anio AND meses = @Meses AND estado <> 'rechazada'
            """, new { ig.Periodicidad, Anio = (short)ig.Anio, ig.Meses }, tx, cancellationToken: ct));
        if (existente is { } e)
        {
            await tx.CommitAsync(ct);
            return ((await LeerAsync(cn, e.Id, ct))!, e.Xml, false);
        }

        var inicio = Stopwatch.GetTimestamp();
        // The receipts issued in the month (Mexico City calendar), not yet in a global CFDI, streamed in folio order.
        var desde = RelojMexico.Instante(periodo.ToDateTime(TimeOnly.MinValue)).UtcDateTime;
        var hasta = RelojMexico.Instante(periodo.AddMonths(1).ToDateTime(TimeOnly.MinValue)).UtcDateTime;
        var recibos = new List<(Guid Id, ReciboGlobal R, decimal Total)>();
        (Guid Id, string Serie, long Folio, decimal Total)? actual = null;
        var lineas = new List<LineaRecibo>();
        void Cerrar()
        {
            if (actual is not { } a) return;
            var importes = ReglasCfdiGlobal.Importes(lineas);
            if (importes.Total != a.Total)
                throw new InvalidOperationException($"El recibo {a.Serie}-{a.Folio} suma {importes.Total} y registra {a.Total}.");
            recibos.Add((a.Id, new ReciboGlobal(a.Serie, a.Folio, importes), a.Total));
            lineas = [];
        }
        await foreach (var l in cn.QueryUnbufferedAsync<FilaLinea>("""
            SELECT f.id AS Id, f.serie AS Serie, f.folio AS Folio, f.total AS Total,
                   c.importe AS Importe, c.descuento AS Descuento, c.tasa_ieps AS TasaIeps
            FROM facturas f JOIN factura_conceptos c ON c.factura_id = f.id
            WHERE f.tipo_documento = 'recibo' AND f.cfdi_global_id IS NULL AND f.factura_de_recibo_id IS NULL AND f.estado IN ('timbrada', 'pagada')
              AND f.fecha_emision >= @desde AND f.fecha_emision < @hasta AND f.subtotal > 0
            ORDER BY f.serie, f.folio, c.numero_linea
            FOR UPDATE OF f
            """, new { desde, hasta }, tx).WithCancellation(ct))
        {
            if (actual?.Id != l.Id)
            {
                Cerrar();
                actual = (l.Id, l.Serie, l.Folio, l.Total);
            }
            lineas.Add(new LineaRecibo(l.Importe, l.Descuento, l.TasaIeps));
        }
        Cerrar();
        if (recibos.Count == 0)
            throw new ErrorConflicto($"No hay recibos de {Periodo.Texto(periodo)} pendientes de un CFDI global.", "sin_recibos");

        var ids = recibos.Select(r => r.Id).ToArray();
        // PUE names the real form of payment: the one that paid the most of these receipts (cash when none is paid yet).
        var metodo = await cn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            SELECT p.metodo FROM pago_aplicaciones a JOIN pagos p ON p.id = a.pago_id
            WHERE a.factura_id = ANY(@ids) GROUP BY p.metodo ORDER BY sum(a.monto) DESC, p.metodo LIMIT 1
            """, new { ids }, tx, cancellationToken: ct));
        var forma = ReglasCfdiGlobal.FormaPago(metodo);

        var folio = await SeriesFolios.SiguienteAsync(cn, tx, Serie, ct);
        var ahora = reloj.GetUtcNow();
        var fecha = FormatoCfdi.HoraMexico(ahora);
        var csd = proveedorCsd.Csd;
        Comprobante cfdi;
        CfdiSellado sellado;
        try
        {
            cfdi = ReglasCfdiGlobal.Armar(Serie, folio, fecha, emisor.LugarExpedicion, emisor.ComoEmisor() with { Rfc = csd.Rfc }, periodo, forma,
                recibos.Select(r => r.R));
            sellado = SelladorCfdi.Sellar(cfdi, csd);
        }
        catch (ArgumentException ex)
        {
            throw new ErrorRegla($"El CFDI global no es válido: {ex.Message}");
        }
        var (iva, ieps) = ServicioCorridas.Impuestos(cfdi);
        var fueraDePlazo = ReglasCfdiGlobal.FueraDePlazo(periodo, fecha);
        var id = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            INSERT INTO cfdi_globales (periodicidad, meses, anio, periodo, serie, folio, recibos, subtotal, descuento, iva, ieps, total,
                                       estado, xml_sellado, fuera_de_plazo, actor, cid)
            VALUES (@Periodicidad, @Meses, @Anio, @periodo, @Serie, @folio, @recibos, @SubTotal, @descuento, @iva, @ieps, @Total,
                    'sellada', @Xml, @fueraDePlazo, @actor, @cid)
            RETURNING id
            """, new
        {
            ig.Periodicidad, ig.Meses, Anio = (short)ig.Anio, periodo, Serie, folio, recibos = recibos.Count, cfdi.SubTotal,
            descuento = cfdi.Descuento ?? 0m, iva, ieps, cfdi.Total, sellado.Xml, fueraDePlazo, actor, cid,
        }, tx, cancellationToken: ct));
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE facturas SET cfdi_global_id = @id, version = version + 1 WHERE id = ANY(@ids) AND cfdi_global_id IS NULL",
            new { id, ids }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        Duracion.Record(Stopwatch.GetElapsedTime(inicio).TotalMilliseconds);
        if (fueraDePlazo)
            log.LogWarning("CFDI global {Serie}-{Folio} de {Periodo} sellado fuera del plazo del SAT (24 h tras el cierre)", Serie, folio, Periodo.Texto(periodo));
        log.LogInformation("CFDI global {Serie}-{Folio} de {Periodo} sellado: {Recibos} recibos, total {Total}", Serie, folio,
            Periodo.Texto(periodo), recibos.Count, cfdi.Total);
        return ((await LeerAsync(cn, id, ct))!, sellado.Xml, true);
    }

    private async Task<(CfdiGlobalEmitido Cfdi, bool PacNoDisponible)> TimbrarAsync(Guid id, string xml, string cid, CancellationToken ct)
    {
        // The same XML every time (ITimbradoUnico): a resend is answered with the original stamp (307), never a second UUID.
        var timbre = await timbrado.TimbrarAsync(xml, ct);
        await using var cn = await db.OpenConnectionAsync(ct);
        if (timbre.Resultado == ResultadoEstampado.PacNoDisponible)
        {
            log.LogWarning("CFDI global {Id} sellado; el PAC no está disponible ({Codigo}): queda para reintento", id, timbre.Codigo);
            return ((await LeerAsync(cn, id, ct))!.Emitido(), true);
        }
        if (timbre.Resultado == ResultadoEstampado.Rechazado)
        {
            await using var txr = await cn.BeginTransactionAsync(ct);
            await cn.ExecuteAsync(new CommandDefinition("""
                WITH g AS (UPDATE cfdi_globales SET estado = 'rechazada', error_codigo = @Codigo, error_mensaje = @Mensaje
                           WHERE id = @id AND estado = 'sellada' RETURNING id)
                UPDATE facturas f SET cfdi_global_id = NULL, version = f.version + 1 FROM g WHERE f.cfdi_global_id = g.id
                """, new { id, timbre.Codigo, timbre.Mensaje }, txr, cancellationToken: ct));
            await txr.CommitAsync(ct);
            log.LogWarning("El PAC rechazó el CFDI global {Id}: {Codigo} {Mensaje}; sus recibos quedan libres", id, timbre.Codigo, timbre.Mensaje);
            throw new ErrorRegla($"El PAC rechazó el CFDI global ({timbre.Codigo}): {timbre.Mensaje}");
        }

        var (uuid, blob) = (timbre.Uuid!.Value, timbre.Blob!);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var cambio = await cn.QuerySingleOrDefaultAsync<(string Periodo, int Recibos, decimal Total, bool Tarde)?>(new CommandDefinition("""
            UPDATE cfdi_globales SET uuid = @uuid, estado = 'timbrada', xml_blob = @blob, timbrada_en = @timbrada
            WHERE id = @id AND estado = 'sellada' RETURNING to_char(periodo, 'YYYY-MM'), recibos, total, fuera_de_plazo
            """, new { uuid, blob, timbrada = timbre.TimbradoEn!.Value.UtcDateTime, id }, tx, cancellationToken: ct));
        if (cambio is { } c)
        {
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(EventoCfdiGlobalTimbrado, "cfdi_global", id.ToString(), new
            {
                cfdiGlobalId = id, uuid, periodo = c.Periodo, recibos = c.Recibos, total = c.Total, fueraDePlazo = c.Tarde, xmlBlob = blob,
            }, cid, reloj.GetUtcNow()), ct);
            Timbrados.Add(1, new KeyValuePair<string, object?>("fuera_de_plazo", c.Tarde));
            RecibosIncluidos.Add(c.Recibos);
        }
        await tx.CommitAsync(ct);
        return ((await LeerAsync(cn, id, ct))!.Emitido(), false);
    }

    public async Task<int> ReanudarSelladosAsync(TimeSpan antiguedad, string cid, CancellationToken ct)
    {
        List<(Guid Id, string Xml)> sellados;
        await using (var cn = await db.OpenConnectionAsync(ct))
            sellados = (await cn.QueryAsync<(Guid, string)>(new CommandDefinition(
                "SELECT id, xml_sellado FROM cfdi_globales WHERE estado = 'sellada' AND created_at < @limite ORDER BY created_at LIMIT 10",
                new { limite = (reloj.GetUtcNow() - antiguedad).UtcDateTime }, cancellationToken: ct))).ToList();
        var timbrados = 0;
        foreach (var (id, xml) in sellados)
        {
            try
            {
                if (!(await TimbrarAsync(id, xml, cid, ct)).PacNoDisponible) timbrados++;
            }
            catch (ErrorRegla e)
            {
                log.LogWarning("CFDI global sellado {Id} rechazado al reanudarlo: {Motivo}", id, e.Message);
            }
        }
        return timbrados;
    }

    public async Task<PaginaGlobales> ListarAsync(int pagina, int tamano, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var total = await cn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM cfdi_globales", cancellationToken: ct));
        var filas = await cn.QueryAsync<FilaGlobal>(new CommandDefinition(
            $"SELECT {Columnas} FROM cfdi_globales ORDER BY periodo DESC, created_at DESC LIMIT @tamano OFFSET @saltar",
            new { tamano, saltar = (pagina - 1) * tamano }, cancellationToken: ct));
        return new PaginaGlobales(filas.Select(f => f.Emitido()).ToList(), pagina, tamano, total);
    }

    public async Task<string> XmlAsync(Guid uuid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var blob = await cn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT xml_blob FROM cfdi_globales WHERE uuid = @uuid AND estado = 'timbrada'", new { uuid }, cancellationToken: ct));
        var xml = blob is null ? null : await blobs.DescargarAsync(blob, ct);
        return xml?.ToString() ?? throw new ErrorNoEncontrado("CFDI global", uuid.ToString());
    }

    public async Task<string> RepresentacionAsync(Guid uuid, CancellationToken ct) => RepresentacionImpresa.Html(await XmlAsync(uuid, ct));

    public async Task<PaginaRecibos> RecibosAsync(Usuario u, Guid? clienteId, DateOnly? periodo, int pagina, int tamano, CancellationToken ct)
    {
        var cliente = EsPersonal(u) ? clienteId : u.ClienteId ?? Guid.Empty;
        await using var cn = await db.OpenConnectionAsync(ct);
        var filtro = new { cliente, periodo, tamano, saltar = (pagina - 1) * tamano };
        const string Donde = """
            WHERE f.tipo_documento = 'recibo' AND (@cliente::uuid IS NULL OR f.cliente_id = @cliente)
              AND (@periodo::date IS NULL OR f.periodo = @periodo)
            """;
        var total = await cn.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM facturas f {Donde}", filtro, cancellationToken: ct));
        var filas = await cn.QueryAsync<FilaRecibo>(new CommandDefinition($"""
            SELECT {ColumnasRecibo} FROM facturas f JOIN clientes c ON c.id = f.cliente_id LEFT JOIN cfdi_globales g ON g.id = f.cfdi_global_id
            {Donde} ORDER BY f.fecha_emision DESC NULLS LAST, f.folio DESC LIMIT @tamano OFFSET @saltar
            """, filtro, cancellationToken: ct));
        return new PaginaRecibos(filas.Select(f => f.Recibo()).ToList(), pagina, tamano, total);
    }

    private const string ColumnasRecibo = """
        f.id AS Id, f.serie AS Serie, f.folio AS Folio, f.cliente_id AS ClienteId, c.nombre AS ClienteNombre, f.periodo AS Periodo,
        f.subtotal AS Subtotal, f.descuento AS Descuento, f.iva AS Iva, f.ieps AS Ieps, f.total AS Total, f.acreditado AS Acreditado,
        f.estado AS Estado, f.fecha_emision AS FechaEmision, f.fecha_vencimiento AS FechaVencimiento,
        CASE WHEN g.estado = 'timbrada' THEN g.uuid END AS CfdiGlobalUuid,
        (SELECT r.uuid FROM facturas_de_recibos r WHERE r.id = f.factura_de_recibo_id AND r.estado = 'timbrada') AS FacturaUuid,
        f.cfdi_global_id IS NULL AND f.factura_de_recibo_id IS NULL AND f.estado IN ('timbrada', 'pagada') AS Facturable
        """;

    public async Task<string> ReciboImprimibleAsync(Usuario u, Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var f = await cn.QuerySingleOrDefaultAsync<FilaRecibo>(new CommandDefinition($"""
            SELECT {ColumnasRecibo} FROM facturas f JOIN clientes c ON c.id = f.cliente_id LEFT JOIN cfdi_globales g ON g.id = f.cfdi_global_id
            WHERE f.id = @id AND f.tipo_documento = 'recibo'
            """, new { id }, cancellationToken: ct));
        if (f is null || !(EsPersonal(u) || u.ClienteId == f.ClienteId)) throw new ErrorNoEncontrado("recibo", id.ToString());
        var lineas = await cn.QueryAsync<(string Descripcion, decimal Importe, decimal Descuento)>(new CommandDefinition(
            "SELECT descripcion, importe, descuento FROM factura_conceptos WHERE factura_id = @id ORDER BY numero_linea", new { id }, cancellationToken: ct));
        return ReciboHtml(f.Recibo(), lineas.ToList());
    }

    /// <summary>The printable receipt: not a CFDI, and it says so, naming the global CFDI that covers it once there is one.</summary>
    private string ReciboHtml(ReciboEmitido r, IReadOnlyList<(string Descripcion, decimal Importe, decimal Descuento)> lineas)
    {
        static string H(string? s) => WebUtility.HtmlEncode(s ?? "");
        static string M(decimal v) => v.ToString("#,##0.00", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html lang=\"es\"><head><meta charset=\"utf-8\"><title>Nota de venta ").Append(H(r.Serie)).Append('-').Append(r.Folio)
          .Append("</title><style>body{font-family:sans-serif;max-width:720px;margin:2em auto}table{width:100%;border-collapse:collapse}")
          .Append("td,th{border-bottom:1px solid #ccc;padding:4px;text-align:left}td.n,th.n{text-align:right}</style></head><body>");
        sb.Append("<h1>Nota de venta ").Append(H(r.Serie)).Append('-').Append(r.Folio).Append("</h1>");
        sb.Append("<p>").Append(H(emisor.Nombre)).Append(" · RFC ").Append(H(emisor.Rfc)).Append(" · Lugar de expedición ").Append(H(emisor.LugarExpedicion)).Append("</p>");
        sb.Append("<p>Cliente: ").Append(H(r.ClienteNombre)).Append("<br>Periodo: ").Append(H(r.Periodo)).Append("<br>Emitida: ")
          .Append(r.FechaEmision is { } fe ? H(FormatoCfdi.Fecha(FormatoCfdi.HoraMexico(fe))) : "").Append("<br>Vence: ").Append(H(r.FechaVencimiento?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))
          .Append("<br>Estado: ").Append(H(r.Estado)).Append("</p>");
        sb.Append("<table><thead><tr><th>Concepto</th><th class=\"n\">Importe</th><th class=\"n\">Descuento</th></tr></thead><tbody>");
        foreach (var l in lineas) sb.Append("<tr><td>").Append(H(l.Descripcion)).Append("</td><td class=\"n\">").Append(M(l.Importe)).Append("</td><td class=\"n\">").Append(M(l.Descuento)).Append("</td></tr>");
        sb.Append("</tbody></table><table>");
        void Fila(string k, decimal v) => sb.Append("<tr><th>").Append(k).Append("</th><td class=\"n\">").Append(M(v)).Append("</td></tr>");
        Fila("Subtotal", r.Subtotal);
        if (r.Descuento > 0) Fila("Descuento", r.Descuento);
        if (r.Ieps > 0) Fila("IEPS", r.Ieps);
        Fila("IVA 16 %", r.Iva);
        Fila("Total", r.Total);
        sb.Append("</table><p><small>Este documento no es un comprobante fiscal. ");
        sb.Append(r.FacturaUuid is { } fu ? $"A solicitud del cliente la operación se facturó con el CFDI de folio fiscal {fu.ToString().ToUpperInvariant()} (no entra al CFDI global)"
            : "La operación se incluye en el CFDI global a público en general del periodo" +
              (r.CfdiGlobalUuid is { } g ? $" (folio fiscal {g.ToString().ToUpperInvariant()})" : " (aún no emitido; puede solicitar su factura antes de que se emita)"));
        sb.Append(".</small></p></body></html>");
        return sb.ToString();
    }

    private static bool EsPersonal(Usuario u) => u.TieneAlguno([Roles.Admin, Roles.Cobranzas, Roles.Soporte]);

    private static async Task<FilaGlobal?> LeerAsync(NpgsqlConnection cn, Guid id, CancellationToken ct) =>
        await cn.QuerySingleOrDefaultAsync<FilaGlobal>(new CommandDefinition($"SELECT {Columnas} FROM cfdi_globales WHERE id = @id", new { id }, cancellationToken: ct));

    private sealed class FilaLinea
    {
        public Guid Id { get; init; }
        public string Serie { get; init; } = "";
        public long Folio { get; init; }
        public decimal Total { get; init; }
        public decimal Importe { get; init; }
        public decimal Descuento { get; init; }
        public decimal TasaIeps { get; init; }
    }

    private sealed class FilaGlobal
    {
        public Guid Id { get; init; }
        public Guid? Uuid { get; init; }
        public string Serie { get; init; } = "";
        public long Folio { get; init; }
        public DateTime Periodo { get; init; }
        public string Periodicidad { get; init; } = "";
        public string Meses { get; init; } = "";
        public short Anio { get; init; }
        public int Recibos { get; init; }
        public decimal Subtotal { get; init; }
        public decimal Descuento { get; init; }
        public decimal Iva { get; init; }
        public decimal Ieps { get; init; }
        public decimal Total { get; init; }
        public string Estado { get; init; } = "";
        public bool FueraDePlazo { get; init; }
        public DateTime CreadoEn { get; init; }
        public DateTime? TimbradoEn { get; init; }

        public CfdiGlobalEmitido Emitido() => new(Id, Uuid, Serie, Folio, Periodo.ToString("yyyy-MM", CultureInfo.InvariantCulture), Periodicidad, Meses, Anio,
            Recibos, Subtotal, Descuento, Iva, Ieps, Total, Estado, FueraDePlazo, FechasDb.Utc(CreadoEn), FechasDb.Utc(TimbradoEn));
    }

    private sealed class FilaRecibo
    {
        public Guid Id { get; init; }
        public string Serie { get; init; } = "";
        public long Folio { get; init; }
        public Guid ClienteId { get; init; }
        public string ClienteNombre { get; init; } = "";
        public DateTime? Periodo { get; init; }
        public decimal Subtotal { get; init; }
        public decimal Descuento { get; init; }
        public decimal Iva { get; init; }
        public decimal Ieps { get; init; }
        public decimal Total { get; init; }
        public decimal Acreditado { get; init; }
        public string Estado { get; init; } = "";
        public DateTime? FechaEmision { get; init; }
        public DateTime? FechaVencimiento { get; init; }
        public Guid? CfdiGlobalUuid { get; init; }
        public Guid? FacturaUuid { get; init; }
        public bool Facturable { get; init; }

        public ReciboEmitido Recibo() => new(Id, Serie, Folio, ClienteId, ClienteNombre, Periodo?.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            Subtotal, Descuento, Iva, Ieps, Total, Acreditado, Estado,
            FechasDb.Utc(FechaEmision),
            FechaVencimiento is { } v ? DateOnly.FromDateTime(v) : null, CfdiGlobalUuid, FacturaUuid, Facturable);
    }
}
