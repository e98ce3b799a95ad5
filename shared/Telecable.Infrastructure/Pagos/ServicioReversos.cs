using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Observabilidad;

namespace Telecable.Infrastructure.Pagos;

/// <summary>What one pass over the pending reversals did.</summary>
public sealed record ResultadoReversos(int Aplicados, int Revision, int EnEspera);

/// <summary>
/// Carries out the refunds and chargebacks that providers reported (<c>pago_reversos</c>, written by the webhook):
/// the payment complement is cancelled at the PAC through the existing <see cref="IEmisorComplementoPago.CancelarAsync"/>
/// (motive 02, as the saga's own compensation does: SAT requires a complement only for money actually received),
/// then in one transaction the applications are removed (the invoices' balances reopen and a settled invoice is
/// 'timbrada' again), the credit the payment left is debited, the payment ends 'reembolsado' or 'contracargado'
/// and the event goes to the outbox. Every step is idempotent, so a crash anywhere is repaired by the next pass.
/// A payment whose ProcesarPago is still running waits for the next pass; a partial refund goes to manual review.
/// </summary>
public sealed class ServicioReversos(NpgsqlDataSource db, IEmisorComplementoPago complementos, TimeProvider reloj, ILogger<ServicioReversos> log)
{
    private static readonly Counter<long> Reversos = Telemetria.Medidor.CreateCounter<long>(
        "telecable.pagos.reversos", description: "Reembolsos y contracargos aplicados (por tipo y resultado)");

    private sealed record Pendiente(Guid PagoId, string Tipo, decimal Monto, string EstadoPago, decimal MontoPago, string? Cid);

    public async Task<ResultadoReversos> ProcesarPendientesAsync(Func<Guid, Task<bool>> sagaEnCurso, CancellationToken ct)
    {
        List<Pendiente> pendientes;
        await using (var cn = await db.OpenConnectionAsync(ct))
            pendientes = (await cn.QueryAsync<Pendiente>(new CommandDefinition("""
                SELECT r.pago_id AS PagoId, r.tipo, r.monto, p.estado AS EstadoPago, p.monto AS MontoPago, r.cid
                FROM pago_reversos r JOIN pagos p ON p.id = r.pago_id
                WHERE r.estado = 'pendiente' ORDER BY r.recibido_en LIMIT 100
                """, cancellationToken: ct))).ToList();
        int aplicados = 0, revision = 0, espera = 0;
        foreach (var r in pendientes)
        {
            using var _ = log.BeginScope(new Dictionary<string, object?> { ["cid"] = r.Cid, ["pagoId"] = r.PagoId });
            if (r.Monto < r.MontoPago)
            {
                await CerrarAsync(r.PagoId, "revision_manual", "reverso_parcial", ct);
                log.LogWarning("Reverso parcial ({Tipo}, {Monto} de {MontoPago}) del pago {PagoId}: requiere revisión manual", r.Tipo, r.Monto, r.MontoPago, r.PagoId);
                Reversos.Add(1, new("tipo", r.Tipo), new("resultado", "revision_manual"));
                revision++;
                continue;
            }
            if (await sagaEnCurso(r.PagoId)) { espera++; continue; }
            await complementos.CancelarAsync(r.PagoId, ct);
            await RevertirAsync(r.PagoId, r.Tipo, r.Cid ?? Correlacion.Normalizar(null), ct);
            log.LogInformation("Pago {PagoId} {Tipo}: aplicación revertida y complemento cancelado", r.PagoId, r.Tipo);
            Reversos.Add(1, new("tipo", r.Tipo), new("resultado", "aplicado"));
            aplicados++;
        }
        return new ResultadoReversos(aplicados, revision, espera);
    }

    private async Task RevertirAsync(Guid pagoId, string tipo, string cid, CancellationToken ct)
    {
        var ahora = reloj.GetUtcNow();
        var estadoFinal = tipo == "reembolso" ? "reembolsado" : "contracargado";
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var estado = await cn.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT estado FROM pagos WHERE id = @pagoId FOR UPDATE", new { pagoId }, tx, cancellationToken: ct));
        if (estado is "aplicado" or "confirmado")
        {
            var facturas = (await cn.QueryAsync<Guid>(new CommandDefinition(
                "SELECT factura_id FROM pago_aplicaciones WHERE pago_id = @pagoId", new { pagoId }, tx, cancellationToken: ct))).ToArray();
            await Cobranza.ServicioCobranza.ReabrirSuspensionAsync(cn, tx, pagoId, ct);
            await cn.ExecuteAsync(new CommandDefinition($"""
                UPDATE facturas SET estado = 'timbrada' WHERE estado = 'pagada' AND id = ANY(@facturas);
                DELETE FROM pago_aplicaciones WHERE pago_id = @pagoId;
                INSERT INTO movimientos_saldo (cliente_id, tipo, monto, pago_id, concepto, actor, created_at)
                SELECT cliente_id, 'cargo', monto, pago_id, 'Reverso de saldo a favor ({tipo})', 'sistema', @ahora
                FROM movimientos_saldo m WHERE m.pago_id = @pagoId AND m.tipo = 'abono'
                  AND NOT EXISTS (SELECT 1 FROM movimientos_saldo c WHERE c.pago_id = @pagoId AND c.tipo = 'cargo');
                UPDATE pagos SET estado = @estadoFinal, version = version + 1 WHERE id = @pagoId;
                """, new { pagoId, facturas, ahora, estadoFinal }, tx, cancellationToken: ct));
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(tipo == "reembolso" ? "PagoReembolsado" : "PagoContracargado", "pago",
                pagoId.ToString(), new { pagoId, facturasReabiertas = facturas }, cid, ahora), ct);
        }
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE pago_reversos SET estado = 'aplicado', procesado_en = @ahora WHERE pago_id = @pagoId AND estado = 'pendiente'",
            new { pagoId, ahora }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    private async Task CerrarAsync(Guid pagoId, string estado, string motivo, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE pago_reversos SET estado = @estado, motivo = @motivo, procesado_en = @ahora WHERE pago_id = @pagoId AND estado = 'pendiente'",
            new { pagoId, estado, motivo, ahora = reloj.GetUtcNow() }, cancellationToken: ct));
    }
}
