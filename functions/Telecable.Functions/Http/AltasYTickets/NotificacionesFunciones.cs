using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Infrastructure.AltasYTickets;

namespace Telecable.Functions.Http.AltasYTickets;

/// <summary>Notifications through <see cref="ICanalNotificaciones"/> (the WhatsApp mock locally) and their history.</summary>
public sealed class NotificacionesFunciones(Api api, ServicioNotificaciones notificaciones)
{
    /// <summary>POST /api/notificaciones (staff): {clienteId? | destino?, plantilla, asunto?, cuerpo} → 201.</summary>
    [Function(nameof(EnviarNotificacion))]
    public Task<IActionResult> EnviarNotificacion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "notificaciones")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Personal, async l =>
        {
            var n = await notificaciones.EnviarAsync(await l.LeerAsync<SolicitudNotificacion>(), l.Cid, l.Ct);
            return Respuestas.Creado($"/api/notificaciones?destino={Uri.EscapeDataString(n.Destino)}", n);
        });

    /// <summary>GET /api/notificaciones?destino=&amp;pagina=&amp;tamano= (staff), newest first.</summary>
    [Function(nameof(ListarNotificaciones))]
    public Task<IActionResult> ListarNotificaciones(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "notificaciones")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Personal, async l =>
            Respuestas.Ok(await notificaciones.ListarAsync(l.Query("destino"), null, l.Paginacion(50, 500), l.Ct)));

    /// <summary>GET /api/whatsapp-mock/mensajes?destino=&amp;pagina=&amp;tamano= (staff): what the WhatsApp mock "delivered".</summary>
    [Function(nameof(MensajesWhatsAppMock))]
    public Task<IActionResult> MensajesWhatsAppMock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "whatsapp-mock/mensajes")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Personal, async l =>
            Respuestas.Ok(await notificaciones.ListarAsync(l.Query("destino"), "whatsapp", l.Paginacion(50, 500), l.Ct)));

    /// <summary>GET /api/email-mock/mensajes?destino=&amp;pagina=&amp;tamano= (staff): what the emulated e-mail provider delivered,
    /// the mailbox a demo or a test reads.</summary>
    [Function(nameof(MensajesEmailMock))]
    public Task<IActionResult> MensajesEmailMock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "email-mock/mensajes")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Personal, async l =>
            Respuestas.Ok(await notificaciones.ListarAsync(l.Query("destino"), "email", l.Paginacion(50, 500), l.Ct)));
}
