using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Application.Facturacion;
using Telecable.Application.Pagos;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Facturacion;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Pagos;

/// <summary>The series of type P CFDIs (section "ComplementoPago"); the issuer and its CSD are billing's.</summary>
public sealed class OpcionesComplementoPago
{
    public const string Seccion = "ComplementoPago";
    public string Serie { get; set; } = "P";
}

/// <summary>
/// Seals and stamps type P CFDIs (CalculadoraPagos, SelladorCfdi, ITimbradoUnico) with the same issuer data
/// and the same once-per-process CSD as the invoices (billing's OpcionesEmisor and ProveedorCsd).
/// Exactly once per payment: the complement (folio, Fecha, Sello) is sealed and stored as 'sellado' in one
/// transaction before the first PAC call; every later attempt re-sends that stored XML, which the PAC answers
/// with the original stamp (307), never a second UUID.
/// </summary>
public sealed class EmisorComplementoPago(NpgsqlDataSource db, IPacClient pac, ITimbradoUnico timbrado, TimeProvider reloj,
    ProveedorCsd proveedorCsd, OpcionesEmisor emisor, IOptions<OpcionesComplementoPago> opciones) : IEmisorComplementoPago
{
    public async Task<Guid?> EmitirAsync(Guid pagoId, CancellationToken ct)
    {
        var preparado = await PrepararAsync(pagoId, ct);
        if (preparado is null) return null;
        if (preparado.Value.Uuid is { } listo) return listo;
        return await TimbrarAsync(pagoId, preparado.Value.Xml!, preparado.Value.Blob, ct);
    }

    /// <summary>The stored complement of the payment, sealing and storing it first when there is none (or only a
    /// cancelled one). Null when the payment paid no PPD invoice.</summary>
    private async Task<(Guid? Uuid, string? Xml, string Blob)?> PrepararAsync(Guid pagoId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        // Locks the payment: a concurrent attempt waits, then finds the stored complement.
        var pago = await cn.QuerySingleAsync<(string Metodo, string? Referencia, DateTime AplicadoEn)>(new CommandDefinition(
            "SELECT metodo, referencia, coalesce(aplicado_en, recibido_en) FROM pagos WHERE id = @pagoId FOR UPDATE",
            new { pagoId }, tx, cancellationToken: ct));
        var previo = await cn.QuerySingleOrDefaultAsync<(string Estado, Guid? Uuid, string? Xml, string Blob)?>(new CommandDefinition(
            "SELECT estado, uuid, xml_sellado, xml_blob FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId }, tx, cancellationToken: ct));
        if (previo is { Estado: "timbrado" or "sellado" } p) return (p.Uuid, p.Xml, p.Blob);

        var docs = await DocumentosAsync(cn, tx, pagoId, ct);
        if (docs.Count == 0) { await tx.CommitAsync(ct); return null; }

        var o = opciones.Value;
        var folio = await SeriesFolios.SiguienteAsync(cn, tx, o.Serie, ct);
        var csd = proveedorCsd.Csd;
        // The receptor as printed on the (latest) invoice paid, never the customer's current record.
        var r = docs[^1];
        var comprobante = CalculadoraPagos.Calcular(new DatosComprobante
        {
            Serie = o.Serie,
            Folio = folio.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Fecha = FormatoCfdi.HoraMexico(reloj.GetUtcNow()),
            LugarExpedicion = emisor.LugarExpedicion,
            Emisor = new Emisor(csd.Rfc, emisor.Nombre, emisor.RegimenFiscal),
            Receptor = new Receptor(r.Rfc, r.Nombre, r.Cp.Trim(), r.Regimen.Trim(), "CP01"),
        },
        [
            new PagoAplicado(FormatoCfdi.HoraMexico(FechasDb.Utc(pago.AplicadoEn)),
                MetodosPago.FormaPagoSat(pago.Metodo),
                docs.Select(d => new DocumentoPagado(d.Factura, d.Uuid.ToString().ToUpperInvariant(), d.Parcialidad, d.SaldoAnt, d.Monto)).ToList(),
                pago.Referencia),
        ]);
        var xml = SelladorCfdi.Sellar(comprobante, csd).Xml;
        // A re-issue after a cancelled complement gets a blob of its own (blobs are written once).
        var blob = previo is null ? $"pagos/{pagoId}.xml" : $"pagos/{pagoId}-{o.Serie}{folio}.xml";
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO complementos_pago (pago_id, serie, folio, uuid, xml_blob, xml_sellado, estado) VALUES (@pagoId, @Serie, @folio, NULL, @blob, @xml, 'sellado')
            ON CONFLICT (pago_id) DO UPDATE SET serie = EXCLUDED.serie, folio = EXCLUDED.folio, uuid = NULL, xml_blob = EXCLUDED.xml_blob,
                xml_sellado = EXCLUDED.xml_sellado, estado = 'sellado', cancelado_en = NULL
            """, new { pagoId, o.Serie, folio, blob, xml }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (null, xml, blob);
    }

    private async Task<Guid> TimbrarAsync(Guid pagoId, string xml, string blob, CancellationToken ct)
    {
        // ITimbradoUnico retries a passing outage (re-sending the same XML is safe), which keeps it from compensating the
        // whole payment; an outage that outlasts it fails the activity, whose retry policy sends the same XML again.
        var timbre = await timbrado.TimbrarAsync(xml, ct, blob);
        if (timbre.Resultado != ResultadoEstampado.Timbrado)
            throw new InvalidOperationException($"El PAC rechazó el complemento de pago {pagoId}: {timbre.Codigo} {timbre.Mensaje}");
        var uuid = timbre.Uuid!.Value;
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE complementos_pago SET uuid = @uuid, estado = 'timbrado' WHERE pago_id = @pagoId AND estado = 'sellado'",
            new { pagoId, uuid }, cancellationToken: ct));
        return uuid;
    }

    private sealed record Documento(Guid FacturaId, Guid Uuid, int Parcialidad, decimal SaldoAnt, decimal Monto,
        string Rfc, string Nombre, string Cp, string Regimen, Comprobante Factura);

    /// <summary>The PPD invoices the payment paid, each as the Comprobante that was stamped as far as the
    /// complement needs it: serie, folio, total and its comprobante-level traslados (from its concepts).</summary>
    private static async Task<IReadOnlyList<Documento>> DocumentosAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid pagoId, CancellationToken ct)
    {
        var filas = (await cn.QueryAsync<FilaDocumento>(new CommandDefinition("""
            SELECT f.id AS FacturaId, f.uuid AS Uuid, f.serie AS Serie, f.folio AS Folio, f.total AS Total, f.subtotal AS Subtotal,
                   f.descuento AS Descuento, f.iva AS Iva, f.ieps AS Ieps, a.monto AS Monto,
                   (SELECT count(*) FROM pago_aplicaciones p WHERE p.factura_id = a.factura_id AND (p.aplicado_en, p.id) <= (a.aplicado_en, a.id))::int AS Parcialidad,
                   f.total - f.acreditado - coalesce((SELECT sum(p.monto) FROM pago_aplicaciones p WHERE p.factura_id = a.factura_id AND (p.aplicado_en, p.id) < (a.aplicado_en, a.id)), 0) AS SaldoAnt,
                   coalesce(f.receptor_rfc, c.rfc) AS Rfc, coalesce(f.receptor_nombre, c.nombre) AS Nombre,
                   coalesce(f.receptor_cp, c.cp_fiscal) AS Cp, coalesce(f.receptor_regimen, c.regimen_fiscal) AS Regimen
            FROM pago_aplicaciones a JOIN facturas f ON f.id = a.factura_id JOIN clientes c ON c.id = f.cliente_id
            WHERE a.pago_id = @pagoId AND f.metodo_pago = 'PPD'
            ORDER BY f.fecha_emision, f.serie, f.folio
            """, new { pagoId }, tx, cancellationToken: ct))).ToList();
        if (filas.Count == 0) return [];
        // The invoice's traslados are the sums of its concepts' (CalculadoraCfdi): IEPS over the net amount, IVA
        // over net + IEPS (LIVA art. 18), grouped by rate.
        var traslados = (await cn.QueryAsync<(Guid FacturaId, string Impuesto, decimal Tasa, decimal Base, decimal Importe)>(new CommandDefinition("""
            SELECT factura_id, '003', tasa_ieps, sum(importe - descuento), sum(ieps) FROM factura_conceptos
            WHERE factura_id = ANY(@ids) AND objeto_imp = '02' AND tasa_ieps > 0 GROUP BY factura_id, tasa_ieps
            UNION ALL
            SELECT factura_id, '002', tasa_iva, sum(importe - descuento + ieps), sum(iva) FROM factura_conceptos
            WHERE factura_id = ANY(@ids) AND objeto_imp = '02' GROUP BY factura_id, tasa_iva
            """, new { ids = filas.Select(f => f.FacturaId).ToArray() }, tx, cancellationToken: ct))).ToLookup(t => t.FacturaId);
        return filas.Select(f =>
        {
            var propios = traslados[f.FacturaId].OrderBy(t => t.Impuesto, StringComparer.Ordinal).ThenBy(t => t.Tasa)
                .Select(t => new Traslado(t.Base, t.Impuesto, CatalogoSat.FactorTasa, t.Tasa, t.Importe)).ToList();
            if (propios.Count == 0 && f.Ieps > 0m)
                throw new InvalidOperationException($"La factura {f.Uuid} tiene IEPS pero no sus conceptos: no se puede reportar su pago.");
            if (propios.Count == 0 && f.Iva > 0m)
                propios.Add(new Traslado(f.Subtotal - f.Descuento, CatalogoSat.ImpuestoIva, CatalogoSat.FactorTasa, 0.16m, f.Iva));
            return new Documento(f.FacturaId, f.Uuid, f.Parcialidad, f.SaldoAnt, f.Monto, f.Rfc, f.Nombre, f.Cp, f.Regimen,
                FacturaPpd(f.Serie, f.Folio, f.Total, propios));
        }).ToList();
    }

    private sealed class FilaDocumento
    {
        public Guid FacturaId { get; init; }
        public Guid Uuid { get; init; }
        public string Serie { get; init; } = "";
        public long Folio { get; init; }
        public decimal Total { get; init; }
        public decimal Subtotal { get; init; }
        public decimal Descuento { get; init; }
        public decimal Iva { get; init; }
        public decimal Ieps { get; init; }
        public decimal Monto { get; init; }
        public int Parcialidad { get; init; }
        public decimal SaldoAnt { get; init; }
        public string Rfc { get; init; } = "";
        public string Nombre { get; init; } = "";
        public string Cp { get; init; } = "";
        public string Regimen { get; init; } = "";
    }

    /// <summary>The invoice as CalculadoraPagos needs it: PPD, MXN, serie, folio, total and its traslados.</summary>
    private static Comprobante FacturaPpd(string serie, long folio, decimal total, IReadOnlyList<Traslado> traslados) => new()
    {
        Serie = serie, Folio = folio.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Fecha = DateTime.MinValue, SubTotal = 0m, Total = total, TipoDeComprobante = CatalogoSat.TipoIngreso,
        MetodoPago = CatalogoSat.MetodoPpd, FormaPago = CatalogoSat.FormaPorDefinir, LugarExpedicion = "00000",
        Emisor = new Emisor("", "", ""), Receptor = new Receptor("", "", "", "", ""), Conceptos = [],
        Impuestos = traslados.Count > 0 ? new ImpuestosComprobante(null, traslados.Sum(t => t.Importe ?? 0m), [], traslados) : null,
    };

    public async Task CancelarAsync(Guid pagoId, CancellationToken ct)
    {
        Guid? uuid;
        await using (var cn = await db.OpenConnectionAsync(ct))
        {
            var fila = await cn.QuerySingleOrDefaultAsync<(string Estado, Guid? Uuid, string? Xml, string Blob)?>(new CommandDefinition(
                "SELECT estado, uuid, xml_sellado, xml_blob FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId }, cancellationToken: ct));
            if (fila is not { Estado: "timbrado" or "sellado" } f) return;
            // Sealed but not known to be stamped: a crash may have come after the PAC's answer. Re-sending gets
            // that stamp (307) or stamps it now; either way it is then cancelled, never left behind.
            uuid = f.Uuid ?? await TimbrarAsync(pagoId, f.Xml!, f.Blob, ct);
        }
        // Motive 02: issued with errors, no replacement (the payment goes back to review).
        var r = await pac.CancelarAsync(uuid.Value.ToString().ToUpperInvariant(), proveedorCsd.Csd.Rfc, "02", null, ct);
        if (!r.Exitoso) throw new InvalidOperationException($"El PAC no canceló el complemento {uuid}: {r.Codigo} {r.Mensaje}");
        await using var cn2 = await db.OpenConnectionAsync(ct);
        await cn2.ExecuteAsync(new CommandDefinition(
            "UPDATE complementos_pago SET estado = 'cancelado', cancelado_en = now() WHERE pago_id = @pagoId", new { pagoId }, cancellationToken: ct));
    }
}
