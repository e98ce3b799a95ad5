using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Pagos;
using Telecable.Domain.Comun;

namespace Telecable.Infrastructure.Pagos;

public sealed record ComplementoRevertido(Guid PagoId, Guid? Complemento, string EstadoComplemento, string EstadoPago, IReadOnlyList<Guid> FacturasReabiertas);

/// <summary>
/// The first step of cancelling a PPD invoice whose payments carry complements in force (SAT refuses to cancel a CFDI
/// that related CFDIs in force name; the complement's DoctoRelacionado names the invoice): cancels the payment's
/// complement at the PAC (motive 02, a type P needs no acceptance) and reverses the payment's applications, the same
/// compensation ProcesarPago uses (<see cref="PasosPago.RevertirAplicacionAsync"/>): the invoices it paid are due again
/// (pagada back to timbrada, their balance restored), the credit it created is debited, and the payment stays
/// <c>confirmado</c> and unapplied for review (refund or re-application). Complement first: if the PAC refuses, nothing
/// changed; if the reversal fails after it, repeating the request finishes it (each step is idempotent).
/// </summary>
public sealed class ReversionComplemento(NpgsqlDataSource db, IEmisorComplementoPago complementos, PasosPago pasos, ILogger<ReversionComplemento> log)
{
    public async Task<ComplementoRevertido> CancelarAsync(Guid pagoId, string cid, CancellationToken ct)
    {
        IReadOnlyList<Guid> facturas;
        await using (var cn = await db.OpenConnectionAsync(ct))
        {
            _ = await cn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT estado FROM pagos WHERE id = @pagoId", new { pagoId }, cancellationToken: ct))
                ?? throw new ErrorNoEncontrado("pago", pagoId.ToString());
            var estadoComplemento = await cn.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT estado FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId }, cancellationToken: ct));
            if (estadoComplemento is null)
                throw new ErrorConflicto("El pago no tiene complemento de pago (no pagó facturas PPD).", "sin_complemento");
            facturas = (await cn.QueryAsync<Guid>(new CommandDefinition(
                "SELECT f.uuid FROM pago_aplicaciones a JOIN facturas f ON f.id = a.factura_id WHERE a.pago_id = @pagoId ORDER BY f.folio",
                new { pagoId }, cancellationToken: ct))).ToList();
        }
        await complementos.CancelarAsync(pagoId, ct);
        await pasos.RevertirAplicacionAsync(pagoId, cid, ct);
        await using var cn2 = await db.OpenConnectionAsync(ct);
        var (estadoC, uuid, estadoP) = await cn2.QuerySingleAsync<(string, Guid?, string)>(new CommandDefinition("""
            SELECT cp.estado, cp.uuid, p.estado FROM complementos_pago cp JOIN pagos p ON p.id = cp.pago_id WHERE cp.pago_id = @pagoId
            """, new { pagoId }, cancellationToken: ct));
        log.LogInformation("Complemento {Complemento} del pago {Pago} cancelado y aplicación revertida (cid {Cid})", uuid, pagoId, cid);
        return new ComplementoRevertido(pagoId, uuid, estadoC, estadoP, facturas);
    }
}
