using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>What an operator charts for cancellations: requests by result (cancelada at once, en_proceso waiting for the
/// receptor) and how pending ones ended (aceptada, rechazada).</summary>
public static class CancelacionesMetricas
{
    public static readonly Counter<long> Solicitudes = Telemetria.Medidor.CreateCounter<long>("facturacion.cancelaciones", "{solicitud}",
        "Cancellation requests by result (cancelada, en_proceso) and motive");
    public static readonly Counter<long> Resueltas = Telemetria.Medidor.CreateCounter<long>("facturacion.cancelaciones.resueltas", "{factura}",
        "Pending cancellations the receptor accepted or rejected");
}

/// <summary>
/// Follows the cancellations that wait for the receptor's acceptance (estado cancelacion_pendiente): asks the PAC for each
/// one's status and, in one transaction per invoice, ends it cancelada (accepted, or 72 hours without an answer) or takes
/// it back to timbrada (rejected: the invoice stays in force and its balance is due again). Run by the
/// ConsultarCancelacionesPendientes timer; idempotent (each update is conditional on the estado).
/// </summary>
public sealed class ServicioCancelacionesPendientes(NpgsqlDataSource db, IConsultaCancelaciones consulta, TimeProvider reloj, ILogger<ServicioCancelacionesPendientes> log)
{
    public const string EventoCancelacionRechazada = "CancelacionFacturaRechazada";

    public async Task<(int Canceladas, int Rechazadas, int EnProceso)> ActualizarAsync(string cid, CancellationToken ct)
    {
        List<(Guid Id, Guid Uuid, string Motivo, Guid? Sustituto)> pendientes;
        await using (var cn = await db.OpenConnectionAsync(ct))
        {
            pendientes = (await cn.QueryAsync<(Guid, Guid, string, Guid?)>(new CommandDefinition("""
                SELECT id, uuid, motivo_cancelacion, folio_sustitucion FROM facturas
                WHERE estado = 'cancelacion_pendiente' ORDER BY cancelacion_solicitada_en LIMIT 500
                """, cancellationToken: ct))).ToList();
        }
        int canceladas = 0, rechazadas = 0, enProceso = 0;
        foreach (var p in pendientes)
        {
            var estado = await consulta.ConsultarCancelacionAsync(p.Uuid.ToString().ToUpperInvariant(), ct);
            if (estado is EstadoCancelacionPac.EnProceso or EstadoCancelacionPac.NoSolicitada)
            {
                enProceso++;
                continue;
            }
            var acepto = estado == EstadoCancelacionPac.Cancelada;
            await using var cn = await db.OpenConnectionAsync(ct);
            await using var tx = await cn.BeginTransactionAsync(ct);
            var ahora = reloj.GetUtcNow();
            var n = await cn.ExecuteAsync(new CommandDefinition(acepto
                ? "UPDATE facturas SET estado = 'cancelada', cancelada_en = @ahora, version = version + 1 WHERE id = @Id AND estado = 'cancelacion_pendiente'"
                : """
                  UPDATE facturas SET estado = 'timbrada', motivo_cancelacion = NULL, folio_sustitucion = NULL, cancelacion_solicitada_en = NULL,
                         version = version + 1
                  WHERE id = @Id AND estado = 'cancelacion_pendiente'
                  """, new { ahora, p.Id }, tx, cancellationToken: ct));
            if (n == 1)
            {
                await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(
                    acepto ? ServicioFacturas.EventoFacturaCancelada : EventoCancelacionRechazada, "factura", p.Id.ToString(),
                    new { facturaId = p.Id, uuid = p.Uuid, motivo = p.Motivo, folioSustitucion = p.Sustituto, actor = "receptor" }, cid, ahora), ct);
            }
            await tx.CommitAsync(ct);
            if (n == 1)
            {
                if (acepto) canceladas++; else rechazadas++;
                CancelacionesMetricas.Resueltas.Add(1, new KeyValuePair<string, object?>("resultado", acepto ? "aceptada" : "rechazada"));
                log.LogInformation("Cancelación de la factura {Uuid} {Resultado} por el receptor (cid {Cid})", p.Uuid, acepto ? "aceptada" : "rechazada", cid);
            }
        }
        return (canceladas, rechazadas, enProceso);
    }
}
