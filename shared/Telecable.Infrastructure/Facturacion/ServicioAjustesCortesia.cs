using Dapper;
using Npgsql;
using Telecable.Application.Facturacion;
using Telecable.Domain.Comun;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>
/// Goodwill adjustments: a credit note (CFDI E, TipoRelacion 01, origen 'cortesia') for the amount, with the reason
/// required. The note service writes the audit row in the customer's timeline (eventos_sistema, entidad 'cliente':
/// who, why, how much, which invoice) in the same transaction that seals the note, so no adjustment goes unrecorded.
/// </summary>
public sealed class ServicioAjustesCortesia(NpgsqlDataSource db, IServicioNotasCredito notas) : IServicioAjustesCortesia
{
    public async Task<ResultadoNotaCredito> AplicarAsync(Guid clienteId, SolicitudAjusteCortesia s, string clave, string actor, string cid, CancellationToken ct)
    {
        new Validador()
            .Requerido(s.Motivo, "motivo", 300)
            .Regla(s.Monto is > 0m && decimal.Round(s.Monto.Value, 2) == s.Monto, "monto", "Es obligatorio: mayor que cero, con dos decimales a lo más.")
            .Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        if (!await cn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM clientes WHERE id = @clienteId)", new { clienteId }, cancellationToken: ct)))
            throw new ErrorNoEncontrado("cliente", clienteId.ToString());
        Guid factura;
        if (s.FacturaUuid is { } pedida)
        {
            // Another customer's invoice looks exactly like one that does not exist.
            factura = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                "SELECT uuid FROM facturas WHERE uuid = @pedida AND cliente_id = @clienteId", new { pedida, clienteId }, cancellationToken: ct))
                ?? throw new ErrorNoEncontrado("factura", pedida.ToString());
        }
        else
        {
            factura = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
                SELECT f.uuid FROM facturas f
                WHERE f.cliente_id = @clienteId AND f.estado = 'timbrada'
                  AND f.total - f.acreditado - coalesce((SELECT sum(a.monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0) >= @Monto
                ORDER BY f.fecha_emision, f.folio LIMIT 1
                """, new { clienteId, s.Monto }, cancellationToken: ct))
                ?? throw new ErrorConflicto("El cliente no tiene una factura timbrada con saldo suficiente para el ajuste; indique facturaUuid.", "sin_factura_con_saldo");
        }
        return await notas.EmitirAsync(factura, new SolicitudNotaCredito(s.Monto, null, s.Motivo, null),
            new ContextoNotaCredito(clave, ContextoNotaCredito.Cortesia, actor, cid), ct);
    }
}
