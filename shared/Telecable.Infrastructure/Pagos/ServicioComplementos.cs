using Dapper;
using Npgsql;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Infrastructure.Pagos;

/// <summary>A payment's complement (CFDI type P) as stamped, and its printable copy. Admin and cobranzas see any; a
/// cliente only those of their own payments; anything else, or a payment without a stamped complement, is 404.</summary>
public sealed class ServicioComplementos(NpgsqlDataSource db, AlmacenBlobs blobs)
{
    public async Task<string> XmlAsync(Usuario u, Guid pagoId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var c = await cn.QuerySingleOrDefaultAsync<(Guid ClienteId, string? Blob)?>(new CommandDefinition("""
            SELECT p.cliente_id, cp.xml_blob FROM pagos p
            LEFT JOIN complementos_pago cp ON cp.pago_id = p.id AND cp.uuid IS NOT NULL AND cp.estado IN ('timbrado', 'cancelado')
            WHERE p.id = @pagoId
            """, new { pagoId }, cancellationToken: ct));
        if (c is not { } fila || !(u.TieneAlguno([Roles.Admin, Roles.Cobranzas]) || u.ClienteId == fila.ClienteId))
            throw new ErrorNoEncontrado("pago", pagoId.ToString());
        var xml = fila.Blob is null ? null : await blobs.DescargarAsync(fila.Blob, ct);
        return xml?.ToString() ?? throw new ErrorNoEncontrado("complemento de pago", pagoId.ToString());
    }

    public async Task<string> RepresentacionAsync(Usuario u, Guid pagoId, CancellationToken ct) =>
        RepresentacionImpresa.Html(await XmlAsync(u, pagoId, ct));
}
