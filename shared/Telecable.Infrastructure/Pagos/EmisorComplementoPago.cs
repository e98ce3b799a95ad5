using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Facturacion;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Pagos;

/// <summary>Issues and cancels the payment complement (CFDI type P, Pagos 2.0) of a payment applied to PPD invoices.</summary>
public interface IEmisorComplementoPago
{
    /// <summary>The stamped complement's UUID; null when the payment paid no PPD invoice. Idempotent per payment.</summary>
    Task<Guid?> EmitirAsync(Guid pagoId, CancellationToken ct);
    Task CancelarAsync(Guid pagoId, CancellationToken ct);
}

/// <summary>The series of type P CFDIs (section "ComplementoPago"); the issuer and its CSD are billing's.</summary>
public sealed class OpcionesComplementoPago
{
    public const string Seccion = "ComplementoPago";
    public string Serie { get; set; } = "P";
}

/// <summary>
/// Seals and stamps type P CFDIs (CalculadoraPagos, SelladorCfdi, IPacClient) with the same issuer data
/// and the same once-per-process CSD as the invoices (billing's OpcionesEmisor and ProveedorCsd).
/// </summary>
public sealed class EmisorComplementoPago(NpgsqlDataSource db, IPacClient pac, AlmacenBlobs blobs, TimeProvider reloj,
    ProveedorCsd proveedorCsd, OpcionesEmisor emisor, IOptions<OpcionesComplementoPago> opciones) : IEmisorComplementoPago
{
    public async Task<Guid?> EmitirAsync(Guid pagoId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        // Locks the payment: a retried activity waits, then finds the complement already issued.
        var pago = await cn.QuerySingleAsync<(string Metodo, string? Referencia, DateTime AplicadoEn, string Rfc, string Nombre, string Cp, string Regimen)>(new CommandDefinition("""
            SELECT p.metodo, p.referencia, coalesce(p.aplicado_en, p.recibido_en), c.rfc, c.nombre, c.cp_fiscal, c.regimen_fiscal
            FROM pagos p JOIN clientes c ON c.id = p.cliente_id WHERE p.id = @pagoId FOR UPDATE OF p
            """, new { pagoId }, tx, cancellationToken: ct));
        var previo = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT uuid FROM complementos_pago WHERE pago_id = @pagoId AND estado = 'timbrado'", new { pagoId }, tx, cancellationToken: ct));
        if (previo is not null) return previo;

        var docs = (await cn.QueryAsync<(Guid FacturaId, Guid Uuid, string Serie, long Folio, decimal Total, decimal Subtotal, decimal Descuento, decimal Iva, decimal Monto, int Parcialidad, decimal SaldoAnt)>(new CommandDefinition("""
            SELECT f.id, f.uuid, f.serie, f.folio, f.total, f.subtotal, f.descuento, f.iva, a.monto,
                   (SELECT count(*) FROM pago_aplicaciones p WHERE p.factura_id = a.factura_id AND (p.aplicado_en, p.id) <= (a.aplicado_en, a.id))::int,
                   f.total - coalesce((SELECT sum(p.monto) FROM pago_aplicaciones p WHERE p.factura_id = a.factura_id AND (p.aplicado_en, p.id) < (a.aplicado_en, a.id)), 0)
            FROM pago_aplicaciones a JOIN facturas f ON f.id = a.factura_id
            WHERE a.pago_id = @pagoId AND f.metodo_pago = 'PPD'
            ORDER BY f.serie, f.folio
            """, new { pagoId }, tx, cancellationToken: ct))).ToList();
        if (docs.Count == 0) { await tx.CommitAsync(ct); return null; }

        var o = opciones.Value;
        var folio = await cn.ExecuteScalarAsync<long>(new CommandDefinition(
            "UPDATE series_folios SET ultimo_folio = ultimo_folio + 1 WHERE serie = @Serie RETURNING ultimo_folio", new { o.Serie }, tx, cancellationToken: ct));
        var csd = proveedorCsd.Csd;
        var fechaPago = FormatoCfdi.HoraMexico(new DateTimeOffset(DateTime.SpecifyKind(pago.AplicadoEn, DateTimeKind.Utc)));
        var comprobante = CalculadoraPagos.Calcular(new DatosComprobante
        {
            Serie = o.Serie,
            Folio = folio.ToString(),
            Fecha = FormatoCfdi.HoraMexico(reloj.GetUtcNow()),
            LugarExpedicion = emisor.LugarExpedicion,
            Emisor = new Emisor(csd.Rfc, emisor.Nombre, emisor.RegimenFiscal),
            Receptor = new Receptor(pago.Rfc, pago.Nombre, pago.Cp, pago.Regimen, "CP01"),
        },
        [
            new PagoAplicado(fechaPago, MetodosPago.FormaPagoSat(pago.Metodo),
                docs.Select(d => new DocumentoPagado(FacturaPpd(d.Total, d.Subtotal - d.Descuento, d.Iva), d.Uuid.ToString().ToUpperInvariant(),
                    d.Parcialidad, d.SaldoAnt, d.Monto)).ToList(), pago.Referencia),
        ]);
        var sellado = SelladorCfdi.Sellar(comprobante, csd);
        var timbre = await pac.TimbrarAsync(sellado.Xml, ct);
        if (!timbre.Exitoso) throw new InvalidOperationException($"El PAC rechazó el complemento de pago {pagoId}: {timbre.Codigo} {timbre.Mensaje}");
        var blob = $"pagos/{pagoId}.xml";
        await blobs.SubirSiNoExisteAsync(blob, BinaryData.FromString(timbre.XmlTimbrado!), "application/xml", ct);
        var uuid = Guid.Parse(timbre.Uuid!);
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO complementos_pago (pago_id, serie, folio, uuid, xml_blob, estado) VALUES (@pagoId, @Serie, @folio, @uuid, @blob, 'timbrado')
            ON CONFLICT (pago_id) DO UPDATE SET serie = EXCLUDED.serie, folio = EXCLUDED.folio, uuid = EXCLUDED.uuid,
                xml_blob = EXCLUDED.xml_blob, estado = 'timbrado', cancelado_en = NULL
            """, new { pagoId, o.Serie, folio, uuid, blob }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return uuid;
    }

    /// <summary>The invoice as CalculadoraPagos needs it: PPD, MXN, its total and its IVA 16 % traslado.</summary>
    private static Comprobante FacturaPpd(decimal total, decimal baseIva, decimal iva) => new()
    {
        Fecha = DateTime.MinValue, SubTotal = baseIva, Total = total, TipoDeComprobante = CatalogoSat.TipoIngreso,
        MetodoPago = CatalogoSat.MetodoPpd, FormaPago = CatalogoSat.FormaPorDefinir, LugarExpedicion = "00000",
        Emisor = new Emisor("", "", ""), Receptor = new Receptor("", "", "", "", ""), Conceptos = [],
        Impuestos = iva > 0 ? new ImpuestosComprobante(null, iva, [], [new Traslado(baseIva, CatalogoSat.ImpuestoIva, CatalogoSat.FactorTasa, 0.16m, iva)]) : null,
    };

    public async Task CancelarAsync(Guid pagoId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var uuid = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT uuid FROM complementos_pago WHERE pago_id = @pagoId AND estado = 'timbrado'", new { pagoId }, cancellationToken: ct));
        if (uuid is null) return;
        // Motive 02: issued with errors, no replacement (the payment goes back to review).
        var r = await pac.CancelarAsync(uuid.Value.ToString().ToUpperInvariant(), proveedorCsd.Csd.Rfc, "02", null, ct);
        if (!r.Exitoso) throw new InvalidOperationException($"El PAC no canceló el complemento {uuid}: {r.Codigo} {r.Mensaje}");
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE complementos_pago SET estado = 'cancelado', cancelado_en = now() WHERE pago_id = @pagoId", new { pagoId }, cancellationToken: ct));
    }
}
