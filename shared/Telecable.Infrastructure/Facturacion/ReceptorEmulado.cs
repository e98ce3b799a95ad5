using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Domain.Comun;

namespace Telecable.Infrastructure.Facturacion;

public sealed record RespuestaReceptorEmulada(Guid Uuid, string Respuesta, string? EstadoFactura);

/// <summary>
/// The receptor's side of a cancellation that needs their acceptance (CFF art. 29-A), with the emulated PAC: in production
/// the receptor answers in SAT's buzón tributario and the PAC reports it; here an admin answers in their place, accepting
/// or rejecting, so the demo and the tests can drive both outcomes. The answer is recorded in the emulated PAC
/// (<see cref="PacEmuladoPersistente.ResponderCancelacionAsync"/>) and the pending cancellations are then followed at once,
/// exactly as the <c>ConsultarCancelacionesPendientes</c> timer does (<see cref="ServicioCancelacionesPendientes"/>), so the
/// invoice leaves <c>cancelacion_pendiente</c> in the same call. Repeating the same answer changes nothing; the other
/// answer after one was given is a conflict (the receptor answers once).
/// </summary>
public sealed class ReceptorEmulado(PacEmuladoPersistente pac, ServicioCancelacionesPendientes pendientes, NpgsqlDataSource db,
    ILogger<ReceptorEmulado> log)
{
    public async Task<RespuestaReceptorEmulada> ResponderAsync(Guid uuid, bool acepta, string cid, CancellationToken ct)
    {
        var clave = uuid.ToString().ToUpperInvariant();
        var respuesta = acepta ? "aceptada" : "rechazada";
        if (!await pac.ResponderCancelacionAsync(clave, acepta, ct))
        {
            await using var cn = await db.OpenConnectionAsync(ct);
            var previa = await cn.QuerySingleOrDefaultAsync<(DateTime? Solicitada, string? Respuesta)?>(new CommandDefinition(
                "SELECT cancelacion_solicitada_en, respuesta_receptor FROM pac_emulado_timbres WHERE upper(uuid) = @clave", new { clave }, cancellationToken: ct));
            if (previa is not { Solicitada: not null, Respuesta: not null })
                throw new ErrorNoEncontrado("cancelación que espera la respuesta del receptor", clave);
            if (previa.Value.Respuesta != respuesta)
                throw new ErrorConflicto($"El receptor ya respondió a esta solicitud de cancelación: {previa.Value.Respuesta}.", "ya_respondida");
        }
        else
        {
            log.LogInformation("Receptor emulado: cancelación de {Uuid} {Respuesta} (cid {Cid})", clave, respuesta, cid);
        }
        await pendientes.ActualizarAsync(cid, ct);
        await using var cn2 = await db.OpenConnectionAsync(ct);
        var estado = await cn2.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT estado FROM facturas WHERE uuid = @uuid", new { uuid }, cancellationToken: ct));
        return new RespuestaReceptorEmulada(uuid, respuesta, estado);
    }
}
