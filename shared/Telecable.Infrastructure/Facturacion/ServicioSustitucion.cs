using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Facturacion;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>Corrected receptor data for the substitute (the RFC cannot change: same receptor). Each field left out is
/// taken from the customer's current record.</summary>
public sealed record SolicitudSustitucion(string? Nombre, string? RegimenFiscal, string? CodigoPostal, string? UsoCfdi);

public sealed record ResultadoSustitucion(Guid Original, string EstadoOriginal, Guid Sustituto, string Serie, long Folio, decimal Total, string? CodigoPac);

/// <summary>
/// Cancellation motive 01 ("comprobante emitido con errores con relación"), the only way this system uses it: issues the
/// substitute (same receptor RFC, corrected receptor data, same concepts and amounts, <c>CfdiRelacionados</c>
/// <c>TipoRelacion</c> 04 naming the original; Anexo 20 c_TipoRelacion, CFF art. 29-A), seals and stamps it exactly once,
/// then cancels the original naming it as <c>FolioSustitucion</c>.
/// Exactly once: the substitute's row (folio, Fecha, receptor, concepts) is written in one transaction before the first PAC
/// call, and every attempt re-seals the same rows (PKCS#1 v1.5 is deterministic: same Sello), so a resend after a crash
/// gets the original stamp (307). One live substitute per original (<c>ux_facturas_sustituye</c>): a repeated request
/// resumes where the last one stopped (stamp, then cancel).
/// </summary>
public sealed class ServicioSustitucion(
    NpgsqlDataSource db, ITimbradoUnico timbrado, ProveedorCsd csd, OpcionesEmisor emisor,
    ServicioFacturas facturas, TimeProvider reloj, ILogger<ServicioSustitucion> log)
{
    public async Task<ResultadoSustitucion> SustituirAsync(Guid uuid, SolicitudSustitucion s, string actor, string cid, CancellationToken ct)
    {
        var o = await OriginalAsync(uuid, ct);
        var sustitutoId = await SustitutoExistenteAsync(o.Id, ct);
        if (sustitutoId is null)
        {
            if (o.Estado != EstadosFactura.Timbrada)
                throw new ErrorConflicto($"Una factura en estado {o.Estado} no se puede sustituir.", "estado_invalido");
            // The substitute repeats the original's concepts, which only a CFDI this system stamped carries (the demo's
            // overdue invoices, like any imported history, have a UUID and amounts but no XML or concept rows).
            if (o.XmlBlob is null)
                throw new ErrorConflicto("La factura no tiene su CFDI timbrado en el almacén (se cargó sin XML ni conceptos); " +
                    "sustitúyala en el sistema que la emitió.", "cfdi_no_disponible");
            await ValidarSinPagosAsync(o.Id, ct);
            var receptor = Receptor(o, s);
            sustitutoId = await CrearAsync(o, receptor, ct);
        }
        var (sus, serie, folio, total) = await TimbrarAsync(sustitutoId.Value, o.Uuid, cid, ct);
        log.LogInformation("Factura {Original} sustituida por {Sustituto} (cid {Cid})", o.Uuid, sus, cid);
        var r = await facturas.CancelarPorSustitucionAsync(o.Uuid, sus, actor, cid, ct);
        return new ResultadoSustitucion(o.Uuid, r.EnProceso ? EstadosFactura.CancelacionPendiente : EstadosFactura.Cancelada, sus, serie, folio, total, r.Codigo);
    }

    private sealed record Original(Guid Id, Guid Uuid, string Estado, Guid ClienteId, string? ReceptorRfc, string? ReceptorNombre,
        string? ReceptorRegimen, string? ReceptorCp, string? UsoCfdi, string? ClienteNombre, string? ClienteRegimen, string? ClienteCp, string? ClienteUso, string? XmlBlob);

    private async Task<Original> OriginalAsync(Guid uuid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.QuerySingleOrDefaultAsync<Original>(new CommandDefinition("""
            SELECT f.id AS Id, f.uuid AS Uuid, f.estado AS Estado, f.cliente_id AS ClienteId, coalesce(f.receptor_rfc, c.rfc) AS ReceptorRfc,
                   f.receptor_nombre AS ReceptorNombre, f.receptor_regimen AS ReceptorRegimen, f.receptor_cp AS ReceptorCp, f.uso_cfdi AS UsoCfdi,
                   c.nombre AS ClienteNombre, c.regimen_fiscal AS ClienteRegimen, c.cp_fiscal AS ClienteCp, c.uso_cfdi AS ClienteUso, f.xml_blob AS XmlBlob
            FROM facturas f JOIN clientes c ON c.id = f.cliente_id WHERE f.uuid = @uuid
            """, new { uuid }, cancellationToken: ct)) ?? throw new ErrorNoEncontrado("factura", uuid.ToString());
    }

    private async Task<Guid?> SustitutoExistenteAsync(Guid originalId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM facturas WHERE sustituye_id = @originalId AND estado <> 'cancelada'", new { originalId }, cancellationToken: ct));
    }

    /// <summary>A paid or partly paid invoice is not replaced: its payments (and their complements) name it. They must be
    /// reversed first (POST /api/pagos/{id}/complemento/cancelacion).</summary>
    private async Task ValidarSinPagosAsync(Guid facturaId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var pagos = (await cn.QueryAsync<Guid>(new CommandDefinition(
            "SELECT pago_id FROM pago_aplicaciones WHERE factura_id = @facturaId ORDER BY aplicado_en", new { facturaId }, cancellationToken: ct))).ToList();
        if (pagos.Count > 0)
            throw new ErrorConflicto("La factura tiene pagos aplicados; revierta sus complementos antes de sustituirla: " +
                string.Join(", ", pagos.Select(p => $"POST /api/pagos/{p}/complemento/cancelacion")) + ".", "complementos_activos");
    }

    private static Receptor Receptor(Original o, SolicitudSustitucion s)
    {
        var (receptor, codigo, motivo) = ArmadoFactura.Receptor(o.ReceptorRfc, s.Nombre ?? o.ClienteNombre ?? o.ReceptorNombre,
            (s.RegimenFiscal ?? o.ClienteRegimen ?? o.ReceptorRegimen)?.Trim(), s.UsoCfdi ?? o.ClienteUso ?? o.UsoCfdi,
            (s.CodigoPostal ?? o.ClienteCp ?? o.ReceptorCp)?.Trim());
        return receptor ?? throw new ErrorRegla($"Los datos fiscales del sustituto no son válidos ({codigo}): {motivo}", "receptor");
    }

    private async Task<Guid> CrearAsync(Original o, Receptor receptor, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        // Serializes substitutions of the same invoice; the unique index is the last word.
        await cn.ExecuteAsync(new CommandDefinition("SELECT 1 FROM facturas WHERE id = @Id FOR UPDATE", new { o.Id }, tx, cancellationToken: ct));
        var existente = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM facturas WHERE sustituye_id = @Id AND estado <> 'cancelada'", new { o.Id }, tx, cancellationToken: ct));
        if (existente is { } ya)
        {
            await tx.CommitAsync(ct);
            return ya;
        }
        var folio = await SeriesFolios.SiguienteAsync(cn, tx, emisor.Serie, ct);
        var ahora = reloj.GetUtcNow();
        var fecha = new DateTimeOffset(ahora.Ticks - ahora.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var id = Guid.NewGuid();
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO facturas (id, serie, folio, cliente_id, contrato_id, corrida_id, periodo, moneda, subtotal, descuento, iva, ieps, total,
                                  metodo_pago, forma_pago, uso_cfdi, estado, fecha_emision, fecha_vencimiento,
                                  receptor_rfc, receptor_nombre, receptor_regimen, receptor_cp, sustituye_id)
            SELECT @id, @Serie, @folio, cliente_id, contrato_id, NULL, periodo, moneda, subtotal, descuento, iva, ieps, total,
                   metodo_pago, forma_pago, @uso, 'borrador', @fecha, fecha_vencimiento, @rfc, @nombre, @regimen, @cp, id
            FROM facturas WHERE id = @original;
            INSERT INTO factura_conceptos (factura_id, numero_linea, plan_id, clave_prod_serv, no_identificacion, clave_unidad, unidad, descripcion,
                                           cantidad, valor_unitario, importe, descuento, objeto_imp, tasa_iva, iva, tasa_ieps, ieps)
            SELECT @id, numero_linea, plan_id, clave_prod_serv, no_identificacion, clave_unidad, unidad, descripcion,
                   cantidad, valor_unitario, importe, descuento, objeto_imp, tasa_iva, iva, tasa_ieps, ieps
            FROM factura_conceptos WHERE factura_id = @original
            """, new
        {
            id, emisor.Serie, folio, uso = receptor.UsoCFDI, fecha = fecha.UtcDateTime, rfc = receptor.Rfc, nombre = receptor.Nombre,
            regimen = receptor.RegimenFiscalReceptor, cp = receptor.DomicilioFiscalReceptor, original = o.Id,
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return id;
    }

    private async Task<(Guid Uuid, string Serie, long Folio, decimal Total)> TimbrarAsync(Guid id, Guid uuidOriginal, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var f = await cn.QuerySingleAsync<FacturaGuardada>(new CommandDefinition(
            $"SELECT {FacturaGuardada.Columnas} FROM facturas f WHERE f.id = @id", new { id }, cancellationToken: ct));
        if (f.Uuid is { } hecho) return (hecho, f.Serie, f.Folio, f.Total);
        f.Conceptos = (await cn.QueryAsync<ConceptoGuardado>(new CommandDefinition(
            $"SELECT {ConceptoGuardado.Columnas} FROM factura_conceptos c WHERE c.factura_id = @id ORDER BY c.numero_linea",
            new { id }, cancellationToken: ct))).ToList();
        var cfdi = f.Armar(emisor, new Receptor(f.ReceptorRfc!, f.ReceptorNombre!, f.ReceptorCp!.Trim(), f.ReceptorRegimen!.Trim(), f.UsoCfdi!),
            [new CfdiRelacionados(CatalogoSat.RelacionSustitucion, [uuidOriginal.ToString().ToUpperInvariant()])]);
        if (cfdi.Total != f.Total) throw new InvalidOperationException($"El total recalculado {cfdi.Total} del sustituto difiere del registrado {f.Total}.");
        var sellado = SelladorCfdi.Sellar(cfdi, csd.Csd);

        var r = await timbrado.TimbrarAsync(sellado.Xml, ct);
        if (r.Resultado == ResultadoEstampado.PacNoDisponible)
            throw new ErrorConflicto("El PAC no está disponible; repita la sustitución (continuará con el mismo CFDI).", "pac_no_disponible");
        if (r.Resultado == ResultadoEstampado.Rechazado)
        {
            await cn.ExecuteAsync(new CommandDefinition("""
                UPDATE facturas SET estado = 'error', error_codigo = @Codigo, error_mensaje = @Mensaje, version = version + 1 WHERE id = @id AND uuid IS NULL
                """, new { id, r.Codigo, r.Mensaje }, cancellationToken: ct));
            throw new ErrorRegla($"El PAC rechazó el CFDI sustituto ({r.Codigo}): {r.Mensaje}", "sustituto");
        }
        var uuid = r.Uuid!.Value;
        await using var tx = await cn.BeginTransactionAsync(ct);
        var ahora = reloj.GetUtcNow();
        var n = await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE facturas SET uuid = @uuid, estado = 'timbrada', xml_blob = @Blob, sello = @Sello, timbrada_en = @timbrada,
                   error_codigo = NULL, error_mensaje = NULL, version = version + 1
            WHERE id = @id AND uuid IS NULL
            """, new { uuid, r.Blob, sellado.Sello, timbrada = r.TimbradoEn!.Value.UtcDateTime, id }, tx, cancellationToken: ct));
        if (n == 1)
        {
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(TimbradorFacturas.EventoFacturaTimbrada, "factura", id.ToString(), new
            {
                facturaId = id, uuid, serie = f.Serie, folio = f.Folio, clienteId = f.ClienteId, total = f.Total, xmlBlob = r.Blob, sustituye = uuidOriginal,
            }, cid, ahora), ct);
        }
        await tx.CommitAsync(ct);
        FacturacionMetricas.Timbradas.Add(n);
        return (uuid, f.Serie, f.Folio, f.Total);
    }
}
