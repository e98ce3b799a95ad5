using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Outbox;

namespace Telecable.Functions.Http.Plataforma;

/// <summary>GET /api/eventos: the domain events recorded in the outbox and where they were relayed (admin, soporte).</summary>
public sealed class EventosFunciones(Api api, RelayOutbox relay)
{
    [Function(nameof(ListarEventos))]
    public Task<IActionResult> ListarEventos(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "eventos")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin, Roles.Soporte), async l =>
            Respuestas.Ok(await relay.ConsultarAsync(l.Query("tipo"), l.Query("agregadoId"), l.Paginacion(50, 500), l.Ct)));
}
