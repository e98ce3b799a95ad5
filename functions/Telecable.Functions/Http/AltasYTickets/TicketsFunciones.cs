using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.AltasYTickets;

namespace Telecable.Functions.Http.AltasYTickets;

/// <summary>
/// Installation and support tickets. Object-level rules live in <see cref="ServicioTickets"/>: a
/// technician sees and changes only tickets assigned to them, a customer only their own (404 otherwise).
/// </summary>
public sealed class TicketsFunciones(Api api, ServicioTickets tickets)
{
    private static readonly Permiso Lectura = Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Cobranzas, Roles.Tecnico, Roles.Cliente);
    private static readonly Permiso Campo = Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Tecnico);

    /// <summary>POST /api/tickets (admin, soporte; cliente for own contract) → 201 support ticket. With an Idempotency-Key
    /// (the portals send one per form) a repeat, such as a double click, replays the first ticket instead of opening another.</summary>
    [Function(nameof(CrearTicket))]
    public Task<IActionResult> CrearTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets")] HttpRequest req)
    {
        var permiso = Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Cliente);
        Func<Llamada, Task<IActionResult>> crear = async l =>
        {
            var t = await tickets.CrearSoporteAsync(await l.LeerAsync<SolicitudTicket>(), l.UsuarioAutenticado, l.Cid, l.Ct);
            return Respuestas.Creado($"/api/tickets/{t.Id}", t);
        };
        return req.Headers.ContainsKey(Api.EncabezadoIdempotencia)
            ? api.EjecutarIdempotenteAsync(req, permiso, crear)
            : api.EjecutarAsync(req, permiso, crear);
    }

    /// <summary>POST /api/tickets/instalacion (admin, soporte) → 201 installation ticket with a technician assigned.</summary>
    [Function(nameof(CrearTicketInstalacion))]
    public Task<IActionResult> CrearTicketInstalacion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/instalacion")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin, Roles.Soporte), async l =>
        {
            var t = await tickets.CrearInstalacionAsync(await l.LeerAsync<SolicitudInstalacion>(), l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            return Respuestas.Creado($"/api/tickets/{t.Id}", t);
        });

    /// <summary>GET /api/tickets?tecnico=me|id&amp;estado=&amp;fecha=&amp;pagina=&amp;tamano= (staff all; technician own; cliente own).</summary>
    [Function(nameof(ListarTickets))]
    public Task<IActionResult> ListarTickets(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "tickets")] HttpRequest req) =>
        api.EjecutarAsync(req, Lectura, async l => Respuestas.Ok(await tickets.ListarAsync(
            new FiltroTickets(l.Query("tecnico"), l.Query("estado"), Peticion.Fecha(l, "fecha"), l.Paginacion(100, 500)),
            l.UsuarioAutenticado, l.Ct)));

    /// <summary>GET /api/tecnico/visitas?pagina=&amp;tamano= (technician: only the open tickets assigned to them; admin, soporte: every
    /// assigned one): each with the customer's name, phone, installation address and plan, for the technician's cards.</summary>
    [Function(nameof(VisitasTecnico))]
    public Task<IActionResult> VisitasTecnico(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "tecnico/visitas")] HttpRequest req) =>
        api.EjecutarAsync(req, Campo, async l => Respuestas.Ok(
            await tickets.VisitasAsync(l.UsuarioAutenticado, l.Paginacion(100, 500), l.Ct)));

    /// <summary>GET /api/tickets/{id} with events and feedback.</summary>
    [Function(nameof(ObtenerTicket))]
    public Task<IActionResult> ObtenerTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "tickets/{id}")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Lectura, async l => Respuestas.Ok(await tickets.ObtenerAsync(Peticion.Id(id), l.UsuarioAutenticado, l.Ct)));

    /// <summary>PATCH /api/tickets/{id}/progreso (assigned technician, admin, soporte): {estado, nota?, serialRouter?, modeloRouter?, mac?}.</summary>
    [Function(nameof(ProgresoTicket))]
    public Task<IActionResult> ProgresoTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "tickets/{id}/progreso")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Campo, async l => Respuestas.Ok(await tickets.ProgresoAsync(
            Peticion.Id(id), await l.LeerAsync<ProgresoTicket>(), l.UsuarioAutenticado, l.Cid, l.Ct)));

    /// <summary>PATCH /api/tickets/{id}/cerrar (assigned technician, admin, soporte): {nota?}.</summary>
    [Function(nameof(CerrarTicket))]
    public Task<IActionResult> CerrarTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "tickets/{id}/cerrar")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Campo, async l => Respuestas.Ok(await tickets.CerrarAsync(
            Peticion.Id(id), await l.LeerAsync<CierreTicket>(), l.UsuarioAutenticado, l.Cid, l.Ct)));

    /// <summary>POST /api/tickets/{id}/feedback (cliente, own ticket, once): {calificacion 1-5, comentario?}.</summary>
    [Function(nameof(FeedbackTicket))]
    public Task<IActionResult> FeedbackTicket(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tickets/{id}/feedback")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Cliente), async l =>
        {
            var f = await tickets.FeedbackAsync(Peticion.Id(id), await l.LeerAsync<SolicitudFeedback>(), l.UsuarioAutenticado, l.Ct);
            return Respuestas.Creado($"/api/tickets/{id}", f);
        });
}
