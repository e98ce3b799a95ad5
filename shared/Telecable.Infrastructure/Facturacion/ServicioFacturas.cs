using System.Globalization;
using Dapper;
using Npgsql;
using Telecable.Application.Comun;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Facturacion;

public sealed record FacturaResumen(
    Guid Id, Guid? Uuid, string Serie, long Folio, Guid ClienteId, string? ClienteNombre, string? Periodo, decimal Total, string Estado,
    DateTimeOffset? FechaEmision, DateOnly? FechaVencimiento, string? ErrorCodigo, string? ErrorMensaje)
{
    /// <summary>The stamped payment complements that paid part of this invoice, oldest first.</summary>
    public IReadOnlyList<ComplementoDeFactura> Complementos { get; init; } = [];

    /// <summary>The stamped credit notes (CFDI E) related to this invoice, oldest first.</summary>
    public IReadOnlyList<Telecable.Application.Facturacion.NotaCreditoEmitida> NotasCredito { get; init; } = [];

    /// <summary>What credit notes took off the total.</summary>
    public decimal Acreditado { get; init; }
}

/// <summary>A payment complement related to an invoice: the payment, its UUID, the amount it paid of the invoice.</summary>
public sealed record ComplementoDeFactura(Guid PagoId, Guid Uuid, string Estado, decimal ImpPagado, int NumParcialidad);

/// <summary>A month of issue: billed net of credit notes (CFDIs and receipts), collected, and how much of it was credited
/// and billed with receipts (covered by the global CFDI).</summary>
public sealed record KpiMes(string Mes, decimal Facturado, decimal Cobrado, int Facturas, decimal Acreditado = 0m, decimal Recibos = 0m, int NumeroRecibos = 0);

public sealed record Kpis(decimal Facturado, decimal Cobrado, decimal Vencido, int FacturasVencidas, IReadOnlyList<KpiMes> PorMes,
    decimal Acreditado = 0m, decimal Recibos = 0m);

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

    public async Task<Pagina<FacturaResumen>> UltimasAsync(Usuario u, Paginacion pagina, string? estado, CancellationToken ct)
    {
        var clienteId = VeTodo(u) ? (Guid?)null : u.ClienteId ?? Guid.Empty;
        await using var cn = await db.OpenConnectionAsync(ct);
        var p = new { clienteId, estado, limite = pagina.Tamano, salto = pagina.Saltar };
        // A customer sees only issued documents: a draft, a sealed one waiting for the PAC or a failed stamp is not an invoice to them.
        const string filtro = "(@clienteId::uuid IS NULL OR (f.cliente_id = @clienteId AND f.estado NOT IN ('borrador', 'sellada', 'error')))"
                              + " AND (@estado::text IS NULL OR f.estado = @estado)";
        var filas = await cn.QueryAsync<FilaResumen>(new CommandDefinition($"""
            SELECT {Columnas} FROM facturas f JOIN clientes cl ON cl.id = f.cliente_id
            WHERE {filtro} ORDER BY f.fecha_emision DESC NULLS LAST, f.folio DESC LIMIT @limite OFFSET @salto
            """, p, cancellationToken: ct));
        var total = await cn.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM facturas f WHERE {filtro}", p, cancellationToken: ct));
        var lista = filas.Select(f => f.Resumen()).ToList();
        var complementos = (await cn.QueryAsync<(Guid FacturaId, Guid PagoId, Guid Uuid, string Estado, decimal Monto, long Parcialidad)>(new CommandDefinition("""
            SELECT a.factura_id, a.pago_id, cp.uuid, cp.estado, a.monto,
                   row_number() OVER (PARTITION BY a.factura_id ORDER BY a.aplicado_en, a.id)
            FROM pago_aplicaciones a JOIN complementos_pago cp ON cp.pago_id = a.pago_id AND cp.uuid IS NOT NULL
            WHERE a.factura_id = ANY(@ids)
            """, new { ids = lista.Select(f => f.Id).ToArray() }, cancellationToken: ct))).ToLookup(c => c.FacturaId);
        var notas = await ServicioNotasCredito.DeFacturasAsync(cn, lista.Select(f => f.Id).ToList(), ct);
        return pagina.Con(lista.Select(f => f with
        {
            NotasCredito = notas[f.Id].ToList(),
            Acreditado = notas[f.Id].Sum(n => n.Total),
            Complementos = complementos[f.Id].OrderBy(c => c.Parcialidad)
                .Select(c => new ComplementoDeFactura(c.PagoId, c.Uuid, c.Estado, c.Monto, (int)c.Parcialidad)).ToList(),
        }).ToList(), total);
    }

    public async Task<Kpis> KpisAsync(int meses, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var hoy = reloj.Hoy();
        var desde = new DateOnly(hoy.Year, hoy.Month, 1).AddMonths(1 - meses);
        var porMes = (await cn.QueryAsync<KpiMes>(new CommandDefinition("""
            SELECT to_char(date_trunc('month', f.fecha_emision AT TIME ZONE 'America/Mexico_City'), 'YYYY-MM') AS Mes,
                   coalesce(sum(f.total - f.acreditado), 0) AS Facturado,
                   coalesce(sum(f.total - f.acreditado) FILTER (WHERE f.estado = 'pagada'), 0) AS Cobrado,
                   count(*)::int AS Facturas,
                   coalesce(sum(f.acreditado), 0) AS Acreditado,
                   coalesce(sum(f.total - f.acreditado) FILTER (WHERE f.tipo_documento = 'recibo'), 0) AS Recibos,
                   (count(*) FILTER (WHERE f.tipo_documento = 'recibo'))::int AS NumeroRecibos
            FROM facturas f
            WHERE f.estado IN ('timbrada', 'pagada') AND f.fecha_emision >= @desde::date
            GROUP BY 1 ORDER BY 1
            """, new { desde }, cancellationToken: ct))).ToList();
        var (vencido, vencidas) = await cn.QuerySingleAsync<(decimal, int)>(new CommandDefinition("""
            SELECT coalesce(sum(total - acreditado), 0), count(*)::int FROM facturas WHERE estado = 'timbrada' AND fecha_vencimiento < @hoy
            """, new { hoy }, cancellationToken: ct));
        return new Kpis(porMes.Sum(m => m.Facturado), porMes.Sum(m => m.Cobrado), vencido, vencidas, porMes,
            porMes.Sum(m => m.Acreditado), porMes.Sum(m => m.Recibos));
    }

    public async Task<string> XmlAsync(Usuario u, Guid uuid, CancellationToken ct)
    {
        var f = await DetalleAsync(u, uuid, ct);
        var xml = f.XmlBlob is null ? null : await blobs.DescargarAsync(f.XmlBlob, ct);
        return xml?.ToString() ?? throw new ErrorNoEncontrado("xml de la factura", uuid.ToString());
    }

    public const string EventoCancelacionSolicitada = "CancelacionFacturaSolicitada";

    /// <summary>POST .../cancelacion: motives 02-04. Motive 01 goes only through <see cref="ServicioSustitucion"/>, which issues
    /// the substitute first and then calls <see cref="CancelarPorSustitucionAsync"/>.</summary>
    public Task<ResultadoCancelacion> CancelarAsync(Guid uuid, SolicitudCancelacion s, string actor, string cid, CancellationToken ct)
    {
        var v = new Validador()
            .Regla(s.Motivo is "01" or "02" or "03" or "04", "motivo", "Debe ser 01, 02, 03 o 04.")
            .Regla(ReglasCancelacion.ErrorMotivoDirecto(s.Motivo) is null, "motivo", ReglasCancelacion.ErrorMotivoDirecto(s.Motivo) ?? "")
            .Regla(s.FolioSustitucion is null, "folioSustitucion", "Solo con motivo 01, que se pide con POST /api/facturacion/{uuid}/sustitucion.");
        v.Lanzar();
        return CancelarInternoAsync(uuid, s.Motivo!, null, actor, cid, ct);
    }

    /// <summary>Motive 01 naming <paramref name="sustituto"/>, a stamped CFDI of the same receptor that relates this one
    /// with TipoRelacion 04 (checked again here from its stamped XML).</summary>
    public Task<ResultadoCancelacion> CancelarPorSustitucionAsync(Guid uuid, Guid sustituto, string actor, string cid, CancellationToken ct) =>
        CancelarInternoAsync(uuid, ReglasCancelacion.MotivoConRelacion, sustituto, actor, cid, ct);

    private async Task<ResultadoCancelacion> CancelarInternoAsync(Guid uuid, string motivo, Guid? sustituto, string actor, string cid, CancellationToken ct)
    {
        if (sustituto == uuid) throw new ErrorValidacion("folioSustitucion", "No puede ser la misma factura.");
        await using var cn = await db.OpenConnectionAsync(ct);
        var f = await cn.QuerySingleOrDefaultAsync<(Guid Id, string Estado, string? Motivo, string? Rfc)?>(new CommandDefinition("""
            SELECT f.id, f.estado, f.motivo_cancelacion, coalesce(f.receptor_rfc, c.rfc)
            FROM facturas f JOIN clientes c ON c.id = f.cliente_id WHERE f.uuid = @uuid
            """, new { uuid }, cancellationToken: ct))
            ?? throw new ErrorNoEncontrado("factura", uuid.ToString());
        if (f.Estado == EstadosFactura.Cancelada)
        {
            if (f.Motivo == motivo) return new ResultadoCancelacion(true, CodigosPac.PreviamenteCancelado, "Factura ya cancelada.", uuid.ToString(), null);
            throw new ErrorConflicto("La factura ya está cancelada con otro motivo.", "factura_cancelada");
        }
        if (f.Estado == EstadosFactura.CancelacionPendiente)
        {
            if (f.Motivo == motivo)
                return new ResultadoCancelacion(true, CodigosPac.CancelacionAceptada, "Cancelación en proceso: espera la aceptación del receptor.", uuid.ToString(), null) { EnProceso = true };
            throw new ErrorConflicto("La factura ya tiene una cancelación en proceso con otro motivo.", "cancelacion_en_proceso");
        }
        var complementos = (await cn.QueryAsync<(Guid Uuid, Guid PagoId)>(new CommandDefinition("""
            SELECT cp.uuid, cp.pago_id FROM pago_aplicaciones a JOIN complementos_pago cp ON cp.pago_id = a.pago_id
            WHERE a.factura_id = @Id AND cp.estado IN ('sellado', 'timbrado') AND cp.uuid IS NOT NULL ORDER BY cp.created_at
            """, new { f.Id }, cancellationToken: ct))).ToList();
        if (ReglasCancelacion.ErrorComplementosVigentes(complementos.Select(c => c.Uuid).ToList()) is { } vigentes)
        {
            // The sequence to follow: each complement's cancellation (which reverses its payment), then this request again.
            throw new ErrorConflicto(vigentes + " Secuencia: " + string.Join(", ", complementos.Select(c => $"POST /api/pagos/{c.PagoId}/complemento/cancelacion")) +
                $", luego POST /api/facturacion/{uuid}/cancelacion.", "complementos_activos");
        }
        // After the complements: a paid invoice is told the sequence (its complements first), not just "estado_invalido".
        if (!EstadosFactura.PuedeCancelarse(f.Estado))
        {
            throw new ErrorConflicto($"Una factura en estado {f.Estado} no se puede cancelar.", "estado_invalido");
        }
        if (sustituto is { } sus)
        {
            var blob = await cn.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT xml_blob FROM facturas WHERE uuid = @sus AND estado IN ('timbrada', 'pagada')", new { sus }, cancellationToken: ct));
            var xml = blob is null ? null : await blobs.DescargarAsync(blob, ct);
            if (xml is null) throw new ErrorRegla("El folio de sustitución debe ser una factura timbrada.", "folioSustitucion");
            if (ReglasCancelacion.ErrorSustituto(System.Xml.Linq.XDocument.Parse(xml.ToString()).Root!, uuid.ToString(), f.Rfc ?? "") is { } error)
                throw new ErrorRegla(error, "folioSustitucion");
        }
        var r = await pac.CancelarAsync(uuid.ToString().ToUpperInvariant(), emisor.Rfc, motivo, sustituto?.ToString().ToUpperInvariant(), ct);
        if (!r.Exitoso)
        {
            if (r.EsTransitorio) throw new ErrorConflicto("El PAC no está disponible; reintente.", "pac_no_disponible");
            throw new ErrorRegla($"El PAC rechazó la cancelación ({r.Codigo}): {r.Mensaje}");
        }
        await using var tx = await cn.BeginTransactionAsync(ct);
        var ahora = reloj.GetUtcNow();
        // A cancellation waiting for the receptor leaves the invoice in force (cancelacion_pendiente) until the PAC reports the answer.
        var n = await cn.ExecuteAsync(new CommandDefinition(r.EnProceso
            ? """
              UPDATE facturas SET estado = 'cancelacion_pendiente', cancelacion_solicitada_en = @ahora, motivo_cancelacion = @motivo,
                     folio_sustitucion = @sustituto, version = version + 1
              WHERE id = @Id AND estado = 'timbrada'
              """
            : """
              UPDATE facturas SET estado = 'cancelada', cancelada_en = @ahora, motivo_cancelacion = @motivo, folio_sustitucion = @sustituto,
                     cancelacion_solicitada_en = coalesce(cancelacion_solicitada_en, @ahora), version = version + 1
              WHERE id = @Id AND estado = 'timbrada'
              """, new { ahora, motivo, sustituto, f.Id }, tx, cancellationToken: ct));
        if (n == 1)
        {
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(r.EnProceso ? EventoCancelacionSolicitada : EventoFacturaCancelada, "factura", f.Id.ToString(),
                new { facturaId = f.Id, uuid, motivo, folioSustitucion = sustituto, actor }, cid, ahora), ct);
        }
        await tx.CommitAsync(ct);
        CancelacionesMetricas.Solicitudes.Add(1, new KeyValuePair<string, object?>("resultado", r.EnProceso ? "en_proceso" : "cancelada"),
            new KeyValuePair<string, object?>("motivo", motivo));
        return r;
    }

    /// <summary>Printable HTML with the fiscal data of the stamped XML and SAT's verification QR (inline PNG).</summary>
    public async Task<string> RepresentacionAsync(Usuario u, Guid uuid, CancellationToken ct) =>
        RepresentacionImpresa.Html(await XmlAsync(u, uuid, ct));

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
            FechasDb.Utc(FechaEmision),
            FechaVencimiento, ErrorCodigo, ErrorMensaje);
    }
}
