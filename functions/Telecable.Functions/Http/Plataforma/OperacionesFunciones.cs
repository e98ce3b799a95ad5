using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Operacion;

namespace Telecable.Functions.Http.Plataforma;

/// <summary>
/// GET /api/operaciones/resumen?horas=6 (admin): the figures of the operations page over the last hours
/// (1 to 48), read from PostgreSQL so it answers the same in Azure, plus the alerts of Prometheus when
/// Operaciones:PrometheusUrl is set.
/// </summary>
public sealed class OperacionesFunciones(Api api, ServicioOperacion operacion)
{
    [Function(nameof(ResumenOperacion))]
    public Task<IActionResult> ResumenOperacion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "operaciones/resumen")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin), async l =>
            Respuestas.Ok(await operacion.ResumenAsync(l.QueryEntero("horas", 6, 1, 48), l.Ct)));
}
