using System.Diagnostics.Metrics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Facturacion;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;
using Telecable.Domain.Identidad;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Clientes;
using Telecable.Application.Observabilidad;
using Telecable.Infrastructure.Observabilidad;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>
/// The invoice of a receipt (<see cref="IServicioFacturaRecibo"/>, rules in <see cref="ReglasFacturaDeRecibo"/>). Exactly once, the
/// way the global CFDI and the credit notes are: under the receipt's row lock (the lock the global CFDI takes on it too) the rule
/// is checked, the customer gets their fiscal data, the CFDI is built, given its folio and Fecha, sealed and stored 'sellada' with
/// the receipt pointing to it, in one transaction before the first PAC call; then <see cref="ITimbradoUnico"/> sends that stored XML
/// (a resend is answered with the original stamp) and the stamp is recorded <c>WHERE estado = 'sellada'</c>. The caller's key is
/// stored on the row: the same request resumes the same CFDI, another one gets 409.
/// </summary>
public sealed class ServicioFacturaRecibo(NpgsqlDataSource db, ITimbradoUnico timbrado, AlmacenBlobs blobs, ProveedorCsd proveedorCsd,
    OpcionesEmisor emisor, TimeProvider reloj, ILogger<ServicioFacturaRecibo> log) : IServicioFacturaRecibo
{
    public const string EventoFacturaDeReciboTimbrada = "FacturaDeReciboTimbrada";

    private static readonly Counter<long> Timbradas = Telemetria.Medidor.CreateCounter<long>("facturacion.facturas_de_recibos.timbradas", "{cfdi}",
        "CFDIs issued to customers for a receipt of theirs (left out of the global CFDI)");
    private static readonly Counter<long> Rechazos = Telemetria.Medidor.CreateCounter<long>("facturacion.facturas_de_recibos.rechazos", "{solicitud}",
        "Requests for the invoice of a receipt refused, by code (recibo_en_cfdi_global, recibo_facturado, estado_invalido)");

    private const string Columnas = """
        r.id AS Id, r.recibo_id AS ReciboId, f.serie || '-' || f.folio AS Recibo, r.uuid AS Uuid, r.serie AS Serie, r.folio AS Folio,
        r.receptor_rfc AS Rfc, r.receptor_nombre AS Nombre, r.subtotal AS Subtotal, r.descuento AS Descuento, r.iva AS Iva, r.ieps AS Ieps,
        r.total AS Total, r.forma_pago AS FormaPago, r.metodo_pago AS MetodoPago, r.estado AS Estado, r.created_at AS CreadoEn,
        r.timbrada_en AS TimbradoEn, r.clave AS Clave, r.xml_sellado AS XmlSellado
        FROM facturas_de_recibos r JOIN facturas f ON f.id = r.recibo_id
        """;

    public async Task<ResultadoFacturaRecibo> FacturarAsync(Usuario u, Guid reciboId, SolicitudFacturaRecibo s, string clave, string cid, CancellationToken ct)
    {
        await ReciboPropioAsync(u, reciboId, ct);
        var datos = Validar(s);
        var fila = await ReservarAsync(reciboId, datos, $"{u.Sujeto}:{clave}", u.Sujeto, cid, ct);
        if (fila.Estado != "sellada") return new ResultadoFacturaRecibo(fila.Emitida(), false);
        return await TimbrarAsync(fila, cid, ct);
    }

    /// <summary>404 unless the receipt exists and the caller may see its customer (a cliente only their own).</summary>
    private async Task<Guid> ReciboPropioAsync(Usuario u, Guid reciboId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var cliente = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT cliente_id FROM facturas WHERE id = @reciboId AND tipo_documento = 'recibo'", new { reciboId }, cancellationToken: ct));
        return cliente is { } c && u.PuedeVerCliente(c) ? c : throw new ErrorNoEncontrado("recibo", reciboId.ToString());
    }

    /// <summary>The sign-up's rules (RFC format and check digit, regime for the kind of person, use for the regime, postal code),
    /// all field errors at once, and an RFC of their own (the generic one is what the global CFDI is for).</summary>
    private static DatosFiscales Validar(SolicitudFacturaRecibo s)
    {
        var rfc = s.Rfc?.Trim().ToUpperInvariant();
        var v = new Validador();
        var r = DatosFiscales.Validar(rfc, s.Nombre, s.RegimenFiscal?.Trim(), s.UsoCfdi?.Trim(), s.CpFiscal?.Trim());
        foreach (var e in r.Errores) v.Agregar(e);
        if (!string.IsNullOrEmpty(rfc) && ReglasFacturaDeRecibo.MotivoReceptor(rfc) is { } m) v.Regla(false, m.Campo, m.Motivo);
        v.Lanzar();
        return r.Valor!;
    }

    private async Task<Fila> ReservarAsync(Guid reciboId, DatosFiscales datos, string clave, string actor, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        // The receipt's row lock serializes this with the global CFDI (which takes its receipts FOR UPDATE) and with a second request.
        var recibo = await cn.QuerySingleAsync<(Guid ClienteId, string Tipo, string Estado, Guid? Global, decimal Total, string Serie, long Folio)>(new CommandDefinition("""
            SELECT cliente_id, tipo_documento, estado, cfdi_global_id, total, serie, folio FROM facturas WHERE id = @reciboId FOR UPDATE
            """, new { reciboId }, tx, cancellationToken: ct));
        if (await LeerAsync(cn, tx, "r.recibo_id = @reciboId AND r.estado <> 'rechazada'", new { reciboId }, ct) is { } ya)
        {
            if (ya.Clave != clave) throw Rechazo("recibo_facturado",
                $"El recibo {recibo.Serie}-{recibo.Folio} ya se facturó{(ya.Uuid is { } uuid ? $" (folio fiscal {uuid.ToString().ToUpperInvariant()})" : "")} en otra solicitud.");
            await tx.CommitAsync(ct);
            return ya;
        }
        if (ReglasCfdiGlobal.MotivoNoFacturable(recibo.Tipo, recibo.Estado, recibo.Global is not null) is { } motivo)
            throw Rechazo(recibo.Global is not null ? "recibo_en_cfdi_global" : "estado_invalido", motivo);

        var ahora = reloj.GetUtcNow();
        await ServicioClientes.AsignarDatosFiscalesAsync(cn, tx, recibo.ClienteId, datos, actor, cid, ahora, ct);
        var lineas = (await cn.QueryAsync<ConceptoRecibo>(new CommandDefinition("""
            SELECT clave_prod_serv AS ClaveProdServ, clave_unidad AS ClaveUnidad, unidad AS Unidad, no_identificacion AS NoIdentificacion,
                   descripcion AS Descripcion, cantidad AS Cantidad, valor_unitario AS ValorUnitario, importe AS Importe, descuento AS Descuento,
                   tasa_ieps AS TasaIeps
            FROM factura_conceptos WHERE factura_id = @reciboId ORDER BY numero_linea
            """, new { reciboId }, tx, cancellationToken: ct))).ToList();
        var forma = ReglasCfdiGlobal.FormaPago(await cn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            SELECT p.metodo FROM pago_aplicaciones a JOIN pagos p ON p.id = a.pago_id
            WHERE a.factura_id = @reciboId GROUP BY p.metodo ORDER BY sum(a.monto) DESC, p.metodo LIMIT 1
            """, new { reciboId }, tx, cancellationToken: ct)));
        var folio = await SeriesFolios.SiguienteAsync(cn, tx, emisor.Serie, ct);
        var csd = proveedorCsd.Csd;
        var receptor = new Receptor(datos.Rfc.Valor, datos.Nombre, datos.CpFiscal.Valor, datos.RegimenFiscal.Clave, datos.UsoCfdi.Clave);
        Comprobante cfdi;
        try
        {
            cfdi = ReglasFacturaDeRecibo.Armar(emisor.Serie, folio, FormatoCfdi.HoraMexico(ahora), emisor.LugarExpedicion,
                emisor.ComoEmisor() with { Rfc = csd.Rfc }, receptor, forma, lineas);
        }
        catch (ArgumentException ex)
        {
            throw new ErrorRegla($"La factura del recibo {recibo.Serie}-{recibo.Folio} no es válida: {ex.Message}");
        }
        if (cfdi.Total != recibo.Total)
            throw new InvalidOperationException($"La factura del recibo {recibo.Serie}-{recibo.Folio} suma {cfdi.Total} y el recibo {recibo.Total}.");
        var sellado = SelladorCfdi.Sellar(cfdi, csd);
        var (iva, ieps) = ServicioCorridas.Impuestos(cfdi);
        var id = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            INSERT INTO facturas_de_recibos (recibo_id, cliente_id, serie, folio, receptor_rfc, receptor_nombre, receptor_regimen, receptor_cp, uso_cfdi,
                                             forma_pago, metodo_pago, subtotal, descuento, iva, ieps, total, estado, xml_sellado, clave, actor, cid)
            VALUES (@reciboId, @ClienteId, @Serie, @folio, @Rfc, @Nombre, @RegimenFiscalReceptor, @DomicilioFiscalReceptor, @UsoCFDI,
                    @forma, @MetodoPago, @SubTotal, @descuento, @iva, @ieps, @Total, 'sellada', @Xml, @clave, @actor, @cid)
            RETURNING id
            """, new
        {
            reciboId, recibo.ClienteId, emisor.Serie, folio, receptor.Rfc, receptor.Nombre, receptor.RegimenFiscalReceptor, receptor.DomicilioFiscalReceptor,
            receptor.UsoCFDI, forma, cfdi.MetodoPago, cfdi.SubTotal, descuento = cfdi.Descuento ?? 0m, iva, ieps, cfdi.Total, sellado.Xml, clave, actor, cid,
        }, tx, cancellationToken: ct));
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE facturas SET factura_de_recibo_id = @id, version = version + 1 WHERE id = @reciboId", new { id, reciboId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        log.LogInformation("Factura {Serie}-{Folio} del recibo {Recibo} sellada para {Rfc} (cid {Cid})", emisor.Serie, folio,
            $"{recibo.Serie}-{recibo.Folio}", receptor.Rfc, cid);
        return (await LeerAsync(cn, null, "r.id = @id", new { id }, ct))!;
    }

    private static ErrorConflicto Rechazo(string codigo, string mensaje)
    {
        Rechazos.Add(1, new KeyValuePair<string, object?>("codigo", codigo));
        return new ErrorConflicto(mensaje, codigo);
    }

    private async Task<ResultadoFacturaRecibo> TimbrarAsync(Fila fila, string cid, CancellationToken ct)
    {
        // The same XML every time (ITimbradoUnico): a resend is answered with the original stamp (307), never a second UUID.
        var timbre = await timbrado.TimbrarAsync(fila.XmlSellado, ct);
        await using var cn = await db.OpenConnectionAsync(ct);
        if (timbre.Resultado == ResultadoEstampado.PacNoDisponible)
        {
            log.LogWarning("Factura del recibo {Recibo} sellada; el PAC no está disponible ({Codigo}): queda para reintento", fila.Recibo, timbre.Codigo);
            return new ResultadoFacturaRecibo(fila.Emitida(), true);
        }
        await using var tx = await cn.BeginTransactionAsync(ct);
        if (timbre.Resultado == ResultadoEstampado.Rechazado)
        {
            // Released: the receipt may be invoiced with corrected data, or go into its month's global CFDI.
            await cn.ExecuteAsync(new CommandDefinition("""
                WITH r AS (UPDATE facturas_de_recibos SET estado = 'rechazada', error_codigo = @Codigo, error_mensaje = @Mensaje
                           WHERE id = @Id AND estado = 'sellada' RETURNING id)
                UPDATE facturas f SET factura_de_recibo_id = NULL, version = f.version + 1 FROM r WHERE f.factura_de_recibo_id = r.id
                """, new { fila.Id, timbre.Codigo, timbre.Mensaje }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            log.LogWarning("El PAC rechazó la factura del recibo {Recibo}: {Codigo} {Mensaje}", fila.Recibo, timbre.Codigo, timbre.Mensaje);
            throw new ErrorRegla($"El PAC rechazó la factura del recibo ({timbre.Codigo}): {timbre.Mensaje}", "receptor");
        }
        var cambio = await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE facturas_de_recibos SET uuid = @Uuid, estado = 'timbrada', xml_blob = @Blob, timbrada_en = @timbrada
            WHERE id = @Id AND estado = 'sellada'
            """, new { timbre.Uuid, timbre.Blob, timbrada = timbre.TimbradoEn!.Value.UtcDateTime, fila.Id }, tx, cancellationToken: ct));
        if (cambio == 1)
        {
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(EventoFacturaDeReciboTimbrada, "factura", fila.ReciboId.ToString(), new
            {
                reciboId = fila.ReciboId, recibo = fila.Recibo, uuid = timbre.Uuid, serie = fila.Serie, folio = fila.Folio, rfc = fila.Rfc, total = fila.Total,
                xmlBlob = timbre.Blob,
            }, cid, reloj.GetUtcNow()), ct);
            Timbradas.Add(1);
        }
        await tx.CommitAsync(ct);
        log.LogInformation("Factura {Uuid} del recibo {Recibo} timbrada (cid {Cid})", timbre.Uuid, fila.Recibo, cid);
        return new ResultadoFacturaRecibo((await LeerAsync(cn, null, "r.id = @Id", new { fila.Id }, ct))!.Emitida(), false);
    }

    public async Task<int> ReanudarSelladasAsync(TimeSpan antiguedad, string cid, CancellationToken ct)
    {
        List<Fila> selladas;
        await using (var cn = await db.OpenConnectionAsync(ct))
            selladas = (await cn.QueryAsync<Fila>(new CommandDefinition(
                $"SELECT {Columnas} WHERE r.estado = 'sellada' AND r.created_at < @limite ORDER BY r.created_at LIMIT 10",
                new { limite = (reloj.GetUtcNow() - antiguedad).UtcDateTime }, cancellationToken: ct))).ToList();
        var timbradas = 0;
        foreach (var f in selladas)
        {
            try
            {
                if (!(await TimbrarAsync(f, cid, ct)).PacNoDisponible) timbradas++;
            }
            catch (ErrorRegla e)
            {
                log.LogWarning("Factura sellada del recibo {Recibo} rechazada al reanudarla: {Motivo}", f.Recibo, e.Message);
            }
        }
        return timbradas;
    }

    public async Task<string> XmlAsync(Usuario u, Guid reciboId, CancellationToken ct)
    {
        await ReciboPropioAsync(u, reciboId, ct);
        await using var cn = await db.OpenConnectionAsync(ct);
        var blob = await cn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT xml_blob FROM facturas_de_recibos WHERE recibo_id = @reciboId AND estado = 'timbrada'", new { reciboId }, cancellationToken: ct));
        var xml = blob is null ? null : await blobs.DescargarAsync(blob, ct);
        return xml?.ToString() ?? throw new ErrorNoEncontrado("factura del recibo", reciboId.ToString());
    }

    public async Task<string> RepresentacionAsync(Usuario u, Guid reciboId, CancellationToken ct) =>
        RepresentacionImpresa.Html(await XmlAsync(u, reciboId, ct));

    private static async Task<Fila?> LeerAsync(NpgsqlConnection cn, NpgsqlTransaction? tx, string donde, object parametros, CancellationToken ct) =>
        await cn.QuerySingleOrDefaultAsync<Fila>(new CommandDefinition($"SELECT {Columnas} WHERE {donde}", parametros, tx, cancellationToken: ct));

    private sealed class Fila
    {
        public Guid Id { get; init; }
        public Guid ReciboId { get; init; }
        public string Recibo { get; init; } = "";
        public Guid? Uuid { get; init; }
        public string Serie { get; init; } = "";
        public long Folio { get; init; }
        public string Rfc { get; init; } = "";
        public string Nombre { get; init; } = "";
        public decimal Subtotal { get; init; }
        public decimal Descuento { get; init; }
        public decimal Iva { get; init; }
        public decimal Ieps { get; init; }
        public decimal Total { get; init; }
        public string FormaPago { get; init; } = "";
        public string MetodoPago { get; init; } = "";
        public string Estado { get; init; } = "";
        public DateTime CreadoEn { get; init; }
        public DateTime? TimbradoEn { get; init; }
        public string Clave { get; init; } = "";
        public string XmlSellado { get; init; } = "";

        public FacturaDeReciboEmitida Emitida() => new(Id, ReciboId, Recibo, Uuid, Serie, Folio, Rfc, Nombre, Subtotal, Descuento, Iva, Ieps, Total,
            FormaPago.Trim(), MetodoPago.Trim(), Estado, FechasDb.Utc(CreadoEn), FechasDb.Utc(TimbradoEn));
    }
}
