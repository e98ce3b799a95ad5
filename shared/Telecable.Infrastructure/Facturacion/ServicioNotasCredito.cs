using System.Diagnostics.Metrics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Comun;
using Telecable.Application.Facturacion;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>
/// Credit notes (CFDI type E, <see cref="ReglasNotaCredito"/>) against a stamped invoice. Exactly once per request:
/// under the invoice's row lock the note is computed against the balance, sealed, stored as 'sellada' and its total
/// reserved on the invoice (<c>facturas.acreditado</c>) in one transaction, before the first PAC call; a retry with the
/// same Idempotency-Key finds that row and re-sends the very same XML, which the PAC answers with the original stamp
/// (307). A permanent PAC rejection marks it 'rechazada' and gives the reservation back.
/// </summary>
public sealed class ServicioNotasCredito(NpgsqlDataSource db, ITimbradoUnico timbrado, AlmacenBlobs blobs, ProveedorCsd proveedorCsd,
    OpcionesEmisor emisor, TimeProvider reloj, ILogger<ServicioNotasCredito> log) : IServicioNotasCredito
{
    public const string Serie = "NC";
    public const string EventoNotaCreditoTimbrada = "NotaCreditoTimbrada";
    public const string EventoNotaCreditoSellada = "NotaCreditoSellada";

    private static readonly Counter<long> Emitidas = Telemetria.Medidor.CreateCounter<long>("facturacion.notas_credito.timbradas", "{nota}",
        "Credit notes (CFDI E) stamped, by origin");
    private static readonly Counter<decimal> MontoAcreditado = Telemetria.Medidor.CreateCounter<decimal>("facturacion.notas_credito.monto", "MXN",
        "Amount credited by stamped credit notes, by origin");

    private const string Columnas = """
        n.id AS Id, n.uuid AS Uuid, f.uuid AS FacturaUuid, n.serie AS Serie, n.folio AS Folio, n.tipo_relacion AS TipoRelacion,
        n.origen AS Origen, n.motivo AS Motivo, n.subtotal AS Subtotal, n.iva AS Iva, n.ieps AS Ieps, n.total AS Total,
        n.estado AS Estado, n.created_at AS CreadaEn, n.timbrada_en AS TimbradaEn
        """;

    public async Task<ResultadoNotaCredito> EmitirAsync(Guid facturaUuid, SolicitudNotaCredito s, ContextoNotaCredito contexto, CancellationToken ct)
    {
        var tipoRelacion = Validar(s);
        var clave = $"{contexto.Actor}:{contexto.Clave}";
        var (nota, xml) = await PrepararAsync(facturaUuid, s, tipoRelacion, clave, contexto, ct);
        if (nota.Estado != "sellada") return new ResultadoNotaCredito(nota, false);
        return await TimbrarAsync(nota, xml, contexto.Cid, ct);
    }

    private static string Validar(SolicitudNotaCredito s)
    {
        var v = new Validador().Requerido(s.Motivo, "motivo", 300);
        v.Regla(s.TipoRelacion is null or ReglasNotaCredito.RelacionNotaCredito or ReglasNotaCredito.RelacionAnticipo, "tipoRelacion",
            "Debe ser 01 (nota de crédito de los documentos relacionados) o 07 (aplicación de anticipo).");
        var hayLineas = s.Lineas is { Count: > 0 };
        v.Regla(s.Monto is not null ^ hayLineas, "monto", "Indique monto o lineas, uno de los dos.");
        if (s.Monto is { } m) v.Regla(m > 0m && decimal.Round(m, 2) == m, "monto", "Debe ser mayor que cero, con dos decimales a lo más.");
        if (s.Lineas is { } lineas)
        {
            v.Regla(lineas.Count <= 100, "lineas", "Admite como máximo 100 líneas.");
            for (var i = 0; i < lineas.Count; i++)
            {
                v.Regla(lineas[i]?.Linea is > 0, $"lineas[{i}].linea", "Es obligatorio: el número de línea de la factura.");
                v.Regla(lineas[i]?.Importe is not null, $"lineas[{i}].importe", "Es obligatorio: la base a acreditar, antes de impuestos.");
            }
        }
        v.Lanzar();
        return s.TipoRelacion ?? ReglasNotaCredito.RelacionNotaCredito;
    }

    private async Task<(NotaCreditoEmitida Nota, string Xml)> PrepararAsync(Guid facturaUuid, SolicitudNotaCredito s, string tipoRelacion, string clave,
        ContextoNotaCredito contexto, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var f = await cn.QuerySingleOrDefaultAsync<FilaFactura>(new CommandDefinition("""
            SELECT f.id AS Id, f.cliente_id AS ClienteId, f.estado AS Estado, f.total AS Total, f.acreditado AS Acreditado,
                   f.subtotal AS Subtotal, f.descuento AS Descuento, f.ieps AS Ieps,
                   coalesce(f.receptor_rfc, c.rfc) AS Rfc, coalesce(f.receptor_nombre, c.nombre) AS Nombre,
                   coalesce(f.receptor_cp, c.cp_fiscal) AS Cp, coalesce(f.receptor_regimen, c.regimen_fiscal) AS Regimen
            FROM facturas f JOIN clientes c ON c.id = f.cliente_id WHERE f.uuid = @facturaUuid
            FOR UPDATE OF f
            """, new { facturaUuid }, tx, cancellationToken: ct)) ?? throw new ErrorNoEncontrado("factura", facturaUuid.ToString());

        // The same key again: the note it created, whatever its state (a sealed one is re-sent, never rebuilt).
        var previa = await cn.QuerySingleOrDefaultAsync<(Guid Id, Guid FacturaId, string Xml)?>(new CommandDefinition(
            "SELECT id, factura_id, xml_sellado FROM notas_credito WHERE clave = @clave", new { clave }, tx, cancellationToken: ct));
        if (previa is { } p)
        {
            if (p.FacturaId != f.Id) throw new ErrorRegla("La Idempotency-Key ya se usó con otra factura.", "Idempotency-Key");
            await tx.CommitAsync(ct);
            return ((await LeerAsync(cn, p.Id, ct))!, p.Xml);
        }

        if (f.Estado is not ("timbrada" or "pagada"))
            throw new ErrorConflicto($"Una factura en estado {f.Estado} no admite notas de crédito.", "estado_invalido");
        var pagado = await cn.ExecuteScalarAsync<decimal>(new CommandDefinition(
            "SELECT coalesce(sum(monto), 0) FROM pago_aplicaciones WHERE factura_id = @Id", new { f.Id }, tx, cancellationToken: ct));
        var saldo = f.Total - f.Acreditado - pagado;
        var lineas = await LineasAsync(cn, tx, f, ct);

        IReadOnlyList<LineaCreditada> creditadas;
        if (s.Monto is { } monto)
        {
            if (monto > saldo) throw ExcedeSaldo(monto, saldo);
            creditadas = ReglasNotaCredito.RepartirMonto(monto, lineas);
        }
        else
        {
            creditadas = s.Lineas!.Select(l => new LineaCreditada(l.Linea!.Value, l.Importe!.Value)).ToList();
            var errores = ReglasNotaCredito.ValidarLineas(creditadas, lineas);
            if (errores.Count > 0) throw new ErrorValidacion(errores);
        }
        if (creditadas.Count == 0) throw ExcedeSaldo(s.Monto ?? 0m, saldo);

        var folio = await SeriesFolios.SiguienteAsync(cn, tx, Serie, ct);
        var csd = proveedorCsd.Csd;
        var motivo = s.Motivo!.Trim();
        Comprobante cfdi;
        CfdiSellado sellado;
        try
        {
            cfdi = ReglasNotaCredito.Armar(new DatosComprobante
            {
                Serie = Serie,
                Folio = folio.ToString(CultureInfo.InvariantCulture),
                Fecha = FormatoCfdi.HoraMexico(reloj.GetUtcNow()),
                LugarExpedicion = emisor.LugarExpedicion,
                Emisor = new Emisor(csd.Rfc, emisor.Nombre, emisor.RegimenFiscal),
                // The receptor as printed on the invoice it credits, never the customer's current record.
                Receptor = new Receptor(f.Rfc ?? "", f.Nombre ?? "", (f.Cp ?? "").Trim(), (f.Regimen ?? "").Trim(), ReglasNotaCredito.UsoCfdi(f.Regimen)),
            }, facturaUuid.ToString(), tipoRelacion, motivo, creditadas, lineas);
            sellado = SelladorCfdi.Sellar(cfdi, csd);
        }
        catch (ArgumentException e)
        {
            throw new ErrorRegla($"La nota de crédito no es un CFDI válido: {e.Message}");
        }
        if (cfdi.Total > saldo) throw ExcedeSaldo(cfdi.Total, saldo);

        var iva = Impuesto(cfdi, CatalogoSat.ImpuestoIva);
        var ieps = Impuesto(cfdi, CatalogoSat.ImpuestoIeps);
        var id = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            INSERT INTO notas_credito (factura_id, cliente_id, serie, folio, clave, tipo_relacion, origen, motivo, subtotal, iva, ieps, total,
                                       estado, xml_sellado, actor, cid)
            VALUES (@Id, @ClienteId, @Serie, @folio, @clave, @tipoRelacion, @Origen, @motivo, @SubTotal, @iva, @ieps, @Total,
                    'sellada', @Xml, @Actor, @Cid)
            RETURNING id
            """, new
        {
            f.Id, f.ClienteId, Serie, folio, clave, tipoRelacion, contexto.Origen, motivo, cfdi.SubTotal, iva, ieps, cfdi.Total,
            sellado.Xml, contexto.Actor, contexto.Cid,
        }, tx, cancellationToken: ct));
        var conceptos = cfdi.Conceptos.Select(c => new
        {
            nota = id,
            linea = short.Parse(c.NoIdentificacion!, CultureInfo.InvariantCulture),
            c.Importe,
            ieps = c.Traslados.Where(t => t.Impuesto == CatalogoSat.ImpuestoIeps).Sum(t => t.Importe ?? 0m),
            iva = c.Traslados.Where(t => t.Impuesto == CatalogoSat.ImpuestoIva).Sum(t => t.Importe ?? 0m),
        });
        await cn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO nota_credito_conceptos (nota_id, numero_linea, base, ieps, iva) VALUES (@nota, @linea, @Importe, @ieps, @iva)",
            conceptos, tx, cancellationToken: ct));
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE facturas SET acreditado = acreditado + @Total, version = version + 1 WHERE id = @Id",
            new { cfdi.Total, f.Id }, tx, cancellationToken: ct));
        // The customer's timeline (audit): who credited what and why.
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO eventos_sistema (tipo, entidad, entidad_id, actor, cid, payload)
            VALUES (@tipo, 'cliente', @ClienteId, @Actor, @Cid, @payload::jsonb)
            """, new
        {
            tipo = EventoNotaCreditoSellada, ClienteId = f.ClienteId.ToString(), contexto.Actor, contexto.Cid,
            payload = System.Text.Json.JsonSerializer.Serialize(new
            {
                notaId = id, facturaId = f.Id, facturaUuid, serie = Serie, folio, tipoRelacion, origen = contexto.Origen, motivo, total = cfdi.Total,
            }),
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        log.LogInformation("Nota de crédito {Serie}-{Folio} sellada por {Total} contra la factura {Factura} ({Origen})", Serie, folio, cfdi.Total, facturaUuid, contexto.Origen);
        return ((await LeerAsync(cn, id, ct))!, sellado.Xml);
    }

    private static ErrorConflicto ExcedeSaldo(decimal monto, decimal saldo) =>
        new($"La nota de crédito ({monto:0.00}) excede el saldo de la factura ({saldo:0.00}).", "excede_saldo");

    private static decimal Impuesto(Comprobante c, string impuesto) =>
        c.Impuestos?.Traslados.Where(t => t.Impuesto == impuesto).Sum(t => t.Importe ?? 0m) ?? 0m;

    /// <summary>The invoice's concepts with what earlier live notes credited on each. An invoice stored without concept
    /// rows (older data) is one line: its net subtotal with its IEPS rate, if any.</summary>
    private static async Task<IReadOnlyList<LineaAcreditable>> LineasAsync(NpgsqlConnection cn, NpgsqlTransaction tx, FilaFactura f, CancellationToken ct)
    {
        var lineas = (await cn.QueryAsync<(short Linea, string Descripcion, decimal Neto, decimal TasaIeps, string ObjetoImp, decimal Acreditado)>(new CommandDefinition("""
            SELECT c.numero_linea, c.descripcion, c.importe - c.descuento, c.tasa_ieps, c.objeto_imp,
                   coalesce((SELECT sum(k.base) FROM nota_credito_conceptos k JOIN notas_credito n ON n.id = k.nota_id
                             WHERE n.factura_id = c.factura_id AND k.numero_linea = c.numero_linea AND n.estado <> 'rechazada'), 0)
            FROM factura_conceptos c WHERE c.factura_id = @Id ORDER BY c.numero_linea
            """, new { f.Id }, tx, cancellationToken: ct))).ToList();
        if (lineas.Count > 0)
            return lineas.Select(l => new LineaAcreditable(l.Linea, l.Descripcion, l.Neto, l.TasaIeps, l.ObjetoImp == CatalogoSat.ObjetoSiObjeto, l.Acreditado)).ToList();
        var neto = f.Subtotal - f.Descuento;
        var acreditado = await cn.ExecuteScalarAsync<decimal>(new CommandDefinition("""
            SELECT coalesce(sum(k.base), 0) FROM nota_credito_conceptos k JOIN notas_credito n ON n.id = k.nota_id
            WHERE n.factura_id = @Id AND n.estado <> 'rechazada'
            """, new { f.Id }, tx, cancellationToken: ct));
        return [new LineaAcreditable(1, "Servicio facturado", neto, f.Ieps > 0m ? ImpuestoLinea.Ieps3.Tasa!.Value : 0m, true, acreditado)];
    }

    private async Task<ResultadoNotaCredito> TimbrarAsync(NotaCreditoEmitida nota, string xml, string cid, CancellationToken ct)
    {
        // Re-sending the same XML is safe (307 with the original stamp): ITimbradoUnico retries a passing outage as billing does.
        var timbre = await timbrado.TimbrarAsync(xml, ct);
        await using var cn = await db.OpenConnectionAsync(ct);
        if (timbre.Resultado == ResultadoEstampado.PacNoDisponible)
        {
            log.LogWarning("Nota de crédito {Id} sellada; el PAC no está disponible ({Codigo}): queda para reintento", nota.Id, timbre.Codigo);
            return new ResultadoNotaCredito(nota, true);
        }
        if (timbre.Resultado == ResultadoEstampado.Rechazado)
        {
            await using var txr = await cn.BeginTransactionAsync(ct);
            var liberada = await cn.ExecuteAsync(new CommandDefinition("""
                WITH n AS (UPDATE notas_credito SET estado = 'rechazada', error_codigo = @Codigo, error_mensaje = @Mensaje
                           WHERE id = @Id AND estado = 'sellada' RETURNING factura_id, total)
                UPDATE facturas f SET acreditado = f.acreditado - n.total, version = f.version + 1 FROM n WHERE f.id = n.factura_id
                """, new { nota.Id, timbre.Codigo, timbre.Mensaje }, txr, cancellationToken: ct));
            await txr.CommitAsync(ct);
            log.LogWarning("El PAC rechazó la nota de crédito {Id}: {Codigo} {Mensaje} (reserva liberada: {Liberada})", nota.Id, timbre.Codigo, timbre.Mensaje, liberada);
            throw new ErrorRegla($"El PAC rechazó la nota de crédito ({timbre.Codigo}): {timbre.Mensaje}");
        }

        var (uuid, blob) = (timbre.Uuid!.Value, timbre.Blob!);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var ahora = reloj.GetUtcNow();
        var cambio = await cn.QuerySingleOrDefaultAsync<(Guid FacturaId, Guid ClienteId)?>(new CommandDefinition("""
            UPDATE notas_credito SET uuid = @uuid, estado = 'timbrada', xml_blob = @blob, timbrada_en = @timbrada
            WHERE id = @Id AND estado = 'sellada' RETURNING factura_id, cliente_id
            """, new { uuid, blob, timbrada = timbre.TimbradoEn!.Value.UtcDateTime, nota.Id }, tx, cancellationToken: ct));
        if (cambio is { } c)
        {
            // Nothing left to pay: the invoice is settled (by payments and credits together).
            await cn.ExecuteAsync(new CommandDefinition("""
                UPDATE facturas f SET estado = 'pagada', version = f.version + 1
                WHERE f.id = @FacturaId AND f.estado = 'timbrada'
                  AND f.total - f.acreditado - coalesce((SELECT sum(a.monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0) = 0
                """, new { c.FacturaId }, tx, cancellationToken: ct));
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(EventoNotaCreditoTimbrada, "factura", c.FacturaId.ToString(), new
            {
                notaId = nota.Id, uuid, facturaId = c.FacturaId, facturaUuid = nota.FacturaUuid, clienteId = c.ClienteId, serie = nota.Serie,
                folio = nota.Folio, total = nota.Total, origen = nota.Origen, xmlBlob = blob,
            }, cid, ahora), ct);
            Emitidas.Add(1, new KeyValuePair<string, object?>("origen", nota.Origen));
            MontoAcreditado.Add(nota.Total, new KeyValuePair<string, object?>("origen", nota.Origen));
        }
        await tx.CommitAsync(ct);
        return new ResultadoNotaCredito((await LeerAsync(cn, nota.Id, ct))!, false);
    }

    public async Task<int> ReanudarSelladasAsync(TimeSpan antiguedad, string cid, CancellationToken ct)
    {
        List<(Guid Id, string Xml)> selladas;
        await using (var cn = await db.OpenConnectionAsync(ct))
        {
            selladas = (await cn.QueryAsync<(Guid, string)>(new CommandDefinition("""
                SELECT id, xml_sellado FROM notas_credito WHERE estado = 'sellada' AND created_at < @limite ORDER BY created_at LIMIT 100
                """, new { limite = (reloj.GetUtcNow() - antiguedad).UtcDateTime }, cancellationToken: ct))).ToList();
            var timbradas = 0;
            foreach (var (id, xml) in selladas)
            {
                try
                {
                    var r = await TimbrarAsync((await LeerAsync(cn, id, ct))!, xml, cid, ct);
                    if (!r.PacNoDisponible) timbradas++;
                }
                catch (ErrorRegla e)
                {
                    log.LogWarning("Nota de crédito sellada {Id} rechazada al reanudarla: {Motivo}", id, e.Message);
                }
            }
            return timbradas;
        }
    }

    public async Task<Pagina<NotaCreditoEmitida>> DeFacturaAsync(Usuario u, Guid facturaUuid, Paginacion p, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var f = await cn.QuerySingleOrDefaultAsync<(Guid Id, Guid ClienteId)?>(new CommandDefinition(
            "SELECT id, cliente_id FROM facturas WHERE uuid = @facturaUuid", new { facturaUuid }, cancellationToken: ct));
        if (f is not { } fila || !PuedeVer(u, fila.ClienteId)) throw new ErrorNoEncontrado("factura", facturaUuid.ToString());
        return await Datos.Paginado.LeerAsync<FilaNota, NotaCreditoEmitida>(cn, $"""
            SELECT {Columnas} FROM notas_credito n JOIN facturas f ON f.id = n.factura_id WHERE n.factura_id = @Id
            """, "n.created_at, n.folio", new { fila.Id }, p, n => n.Nota(), ct);
    }

    /// <summary>The stamped notes of these invoices, for the invoice listing.</summary>
    public static async Task<ILookup<Guid, NotaCreditoEmitida>> DeFacturasAsync(NpgsqlConnection cn, IReadOnlyList<Guid> facturaIds, CancellationToken ct) =>
        (await cn.QueryAsync<FilaNota>(new CommandDefinition($"""
            SELECT n.factura_id AS FacturaId, {Columnas} FROM notas_credito n JOIN facturas f ON f.id = n.factura_id
            WHERE n.factura_id = ANY(@ids) AND n.estado = 'timbrada' ORDER BY n.created_at, n.folio
            """, new { ids = facturaIds.ToArray() }, cancellationToken: ct))).ToLookup(n => n.FacturaId, n => n.Nota());

    public async Task<string> XmlAsync(Usuario u, Guid uuid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var n = await cn.QuerySingleOrDefaultAsync<(Guid ClienteId, string? Blob)?>(new CommandDefinition(
            "SELECT cliente_id, xml_blob FROM notas_credito WHERE uuid = @uuid AND estado = 'timbrada'", new { uuid }, cancellationToken: ct));
        if (n is not { } fila || !PuedeVer(u, fila.ClienteId)) throw new ErrorNoEncontrado("nota de crédito", uuid.ToString());
        var xml = fila.Blob is null ? null : await blobs.DescargarAsync(fila.Blob, ct);
        return xml?.ToString() ?? throw new ErrorNoEncontrado("xml de la nota de crédito", uuid.ToString());
    }

    public async Task<string> RepresentacionAsync(Usuario u, Guid uuid, CancellationToken ct) =>
        RepresentacionImpresa.Html(await XmlAsync(u, uuid, ct));

    private static async Task<NotaCreditoEmitida?> LeerAsync(NpgsqlConnection cn, Guid id, CancellationToken ct) =>
        (await cn.QuerySingleOrDefaultAsync<FilaNota>(new CommandDefinition($"""
            SELECT {Columnas} FROM notas_credito n JOIN facturas f ON f.id = n.factura_id WHERE n.id = @id
            """, new { id }, cancellationToken: ct)))?.Nota();

    private static bool PuedeVer(Usuario u, Guid clienteId) => u.TieneAlguno([Roles.Admin, Roles.Cobranzas]) || u.ClienteId == clienteId;

    private sealed class FilaFactura
    {
        public Guid Id { get; init; }
        public Guid ClienteId { get; init; }
        public string Estado { get; init; } = "";
        public decimal Total { get; init; }
        public decimal Acreditado { get; init; }
        public decimal Subtotal { get; init; }
        public decimal Descuento { get; init; }
        public decimal Ieps { get; init; }
        public string? Rfc { get; init; }
        public string? Nombre { get; init; }
        public string? Cp { get; init; }
        public string? Regimen { get; init; }
    }

    private sealed class FilaNota
    {
        public Guid FacturaId { get; init; }
        public Guid Id { get; init; }
        public Guid? Uuid { get; init; }
        public Guid FacturaUuid { get; init; }
        public string Serie { get; init; } = "";
        public long Folio { get; init; }
        public string TipoRelacion { get; init; } = "";
        public string Origen { get; init; } = "";
        public string Motivo { get; init; } = "";
        public decimal Subtotal { get; init; }
        public decimal Iva { get; init; }
        public decimal Ieps { get; init; }
        public decimal Total { get; init; }
        public string Estado { get; init; } = "";
        public DateTime CreadaEn { get; init; }
        public DateTime? TimbradaEn { get; init; }

        public NotaCreditoEmitida Nota() => new(Id, Uuid, FacturaUuid, Serie, Folio, TipoRelacion, Origen, Motivo, Subtotal, Iva, Ieps, Total, Estado,
            FechasDb.Utc(CreadaEn), FechasDb.Utc(TimbradaEn));
    }
}
