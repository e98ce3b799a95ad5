using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Telecable.Domain.Comun;
using Telecable.Orchestrations.Plataforma;

namespace Telecable.Functions.Http.Plataforma;

public sealed record SolicitudSonda(int Pasos = 3, int EsperaMs = 0);
public sealed record EstadoOrquestacion(string Id, string Nombre, string Estado, DateTimeOffset CreadaEn, DateTimeOffset ActualizadaEn, string? Salida, string? Falla);

/// <summary>
/// The durable probe, for operators (admin): POST /api/admin/sonda (Idempotency-Key) starts SondaDurable,
/// GET /api/admin/sonda/{id} reads its state. Proves the durable backend works end to end.
/// </summary>
public sealed class SondaFunciones(Api api)
{
    [Function(nameof(IniciarSonda))]
    public Task<IActionResult> IniciarSonda(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "admin/sonda")] HttpRequest req,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarIdempotenteAsync(req, Permiso.Para(Roles.Admin), async l =>
        {
            var s = await l.LeerAsync<SolicitudSonda>();
            new Validador()
                .Regla(s.Pasos is >= 1 and <= 100, "pasos", "Debe estar entre 1 y 100.")
                .Regla(s.EsperaMs is >= 0 and <= 10_000, "esperaMs", "Debe estar entre 0 y 10000.")
                .Lanzar();
            var id = await durable.ScheduleNewOrchestrationInstanceAsync(nameof(SondaDurable), new EntradaSonda(s.Pasos, s.EsperaMs, l.Cid), l.Ct);
            return Respuestas.Aceptado($"/api/admin/sonda/{id}", new { id });
        });

    [Function(nameof(ConsultarSonda))]
    public Task<IActionResult> ConsultarSonda(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "admin/sonda/{id}")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin), async l =>
        {
            var m = await durable.GetInstanceAsync(id, getInputsAndOutputs: true, l.Ct)
                    ?? throw new ErrorNoEncontrado("orquestación", id);
            return Respuestas.Ok(new EstadoOrquestacion(m.InstanceId, m.Name, m.RuntimeStatus.ToString(), m.CreatedAt, m.LastUpdatedAt,
                m.SerializedOutput, m.FailureDetails?.ErrorMessage));
        });
}
