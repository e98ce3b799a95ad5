using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Soporte;

namespace Telecable.Functions.Http.Soporte;

/// <summary>
/// The support desk (issue 21) over support and outage tickets. Object rules live in <see cref="ServicioMesaSoporte"/>:
/// staff any ticket, the assigned technician theirs, a customer their own (404 otherwise).
/// </summary>
public sealed class MesaSoporteFunciones(Api api, ServicioMesaSoporte mesa)
{
    private static readonly Permiso Mesa = Permiso.Para(Roles.Admin, Roles.Soporte);
    private static readonly Permiso Atencion = Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Tecnico);
    private static readonly Permiso DelCliente = Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Cliente);
    private static readonly Permiso Todos = Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Tecnico, Roles.Cliente);

    /// <summary>POST /api/tickets/{id}/asignacion (admin, soporte): {agente | tecnicoId, nota?} → asignado (also reassigns).</summary>
    [Function(nameof(AsignarTicket))]
    public Task<IActionResult> AsignarTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/{id}/asignacion")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Mesa, async l => Respuestas.Ok(await mesa.AsignarAsync(
            Peticion.Id(id), await l.LeerAsync<SolicitudAsignacion>(), l.UsuarioAutenticado, l.Cid, l.Ct)));

    /// <summary>POST /api/tickets/{id}/atencion (admin, soporte, assigned technician) → en_atencion.</summary>
    [Function(nameof(AtenderTicket))]
    public Task<IActionResult> AtenderTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/{id}/atencion")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Atencion, async l => Respuestas.Ok(await mesa.AtenderAsync(Peticion.Id(id), l.UsuarioAutenticado, l.Cid, l.Ct)));

    /// <summary>POST /api/tickets/{id}/resolucion (admin, soporte, assigned technician): {motivo} (what was done, shown to the customer) → resuelto.</summary>
    [Function(nameof(ResolverTicket))]
    public Task<IActionResult> ResolverTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/{id}/resolucion")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Atencion, async l => Respuestas.Ok(await mesa.ResolverAsync(
            Peticion.Id(id), await l.LeerAsync<SolicitudMotivo>(), l.UsuarioAutenticado, l.Cid, l.Ct)));

    /// <summary>POST /api/tickets/{id}/confirmacion (customer own, admin, soporte): the solution worked → cerrado.</summary>
    [Function(nameof(ConfirmarTicket))]
    public Task<IActionResult> ConfirmarTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/{id}/confirmacion")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, DelCliente, async l => Respuestas.Ok(await mesa.ConfirmarAsync(Peticion.Id(id), l.UsuarioAutenticado, l.Cid, l.Ct)));

    /// <summary>POST /api/tickets/{id}/reapertura (customer own, admin, soporte): {motivo} → back to its agent (asignado) or the queue.</summary>
    [Function(nameof(ReabrirTicket))]
    public Task<IActionResult> ReabrirTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/{id}/reapertura")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, DelCliente, async l => Respuestas.Ok(await mesa.ReabrirAsync(
            Peticion.Id(id), await l.LeerAsync<SolicitudMotivo>(), l.UsuarioAutenticado, l.Cid, l.Ct)));

    /// <summary>POST /api/tickets/{id}/cancelacion (customer own, admin, soporte): {motivo} → cancelado, while not resolved.</summary>
    [Function(nameof(CancelarTicket))]
    public Task<IActionResult> CancelarTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/{id}/cancelacion")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, DelCliente, async l => Respuestas.Ok(await mesa.CancelarAsync(
            Peticion.Id(id), await l.LeerAsync<SolicitudMotivo>(), l.UsuarioAutenticado, l.Cid, l.Ct)));

    /// <summary>POST /api/tickets/{id}/notas (all on their own tickets): {texto, interna?}; internal notes never reach the customer.</summary>
    [Function(nameof(AnotarTicket))]
    public Task<IActionResult> AnotarTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/{id}/notas")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Todos, async l => Respuestas.Ok(await mesa.AnotarAsync(
            Peticion.Id(id), await l.LeerAsync<SolicitudNotaTicket>(), l.UsuarioAutenticado, l.Cid, l.Ct)));

    /// <summary>GET /api/soporte/bandeja?estado=&amp;tipo=&amp;prioridad=&amp;agente=&amp;tecnico=&amp;vencidos=true&amp;pagina=&amp;tamano= (admin, soporte): the SLA queue.</summary>
    [Function(nameof(BandejaSoporte))]
    public Task<IActionResult> BandejaSoporte(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "soporte/bandeja")] HttpRequest req) =>
        api.EjecutarAsync(req, Mesa, async l => Respuestas.Ok(await mesa.BandejaAsync(new FiltroBandeja(
            l.Query("estado"), l.Query("tipo"), l.Query("vencidos") is "true" or "1", l.Query("agente"),
            l.Paginacion(), l.Query("prioridad"), Peticion.GuidOpcional(l, "tecnico")), l.Ct)));

    /// <summary>GET /api/soporte/tickets/{id} (admin, soporte): a desk ticket with its whole history, internal notes included, actors by name.</summary>
    [Function(nameof(DetalleTicketMesa))]
    public Task<IActionResult> DetalleTicketMesa(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "soporte/tickets/{id}")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Mesa, async l => Respuestas.Ok(await mesa.DetalleAsync(Peticion.Id(id), l.Ct)));

    /// <summary>GET /api/soporte/responsables?pagina=&amp;tamano= (admin, soporte): active agents and technicians a ticket can be assigned to.</summary>
    [Function(nameof(ResponsablesMesa))]
    public Task<IActionResult> ResponsablesMesa(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "soporte/responsables")] HttpRequest req) =>
        api.EjecutarAsync(req, Mesa, async l => Respuestas.Ok(await mesa.ResponsablesAsync(l.Paginacion(100, 500), l.Ct)));

    /// <summary>GET /api/clientes/{id}/linea-tiempo?pagina=&amp;tamano= (staff; customer own): what happened to the account, newest first.</summary>
    [Function(nameof(LineaDeTiempoCliente))]
    public Task<IActionResult> LineaDeTiempoCliente(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "clientes/{id}/linea-tiempo")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Cobranzas, Roles.Cliente), async l => Respuestas.Ok(
            await mesa.LineaDeTiempoAsync(Peticion.Id(id), l.UsuarioAutenticado, l.Paginacion(), l.Ct)));

    /// <summary>GET /api/faq?categoria=&amp;pagina=&amp;tamano= (public): the help page's questions and answers.</summary>
    [Function(nameof(ListarFaq))]
    public Task<IActionResult> ListarFaq(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "faq")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Publica, async l => Respuestas.Ok(await mesa.FaqAsync(l.Query("categoria"), l.Paginacion(100, 200), l.Ct)));
}
