using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Cobranza;

namespace Telecable.Functions.Http.Cobranza;

/// <summary>Collections: overdue invoices and their stage (staff), promises to pay (admin, cobranzas).</summary>
public sealed class CobranzaFunciones(Api api, ServicioCobranza cobranza)
{
    private static readonly Permiso Cobranzas = Permiso.Para(Roles.Admin, Roles.Cobranzas);

    /// <summary>GET /api/cobranza/vencidas?pagina=1&amp;tamano=50 (admin, soporte, cobranzas): overdue invoices with days
    /// overdue, the collection stage reached and any promise to pay.</summary>
    [Function(nameof(FacturasVencidas))]
    public Task<IActionResult> FacturasVencidas(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "cobranza/vencidas")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Personal, async l =>
            Respuestas.Ok(await cobranza.VencidasAsync(l.Paginacion(50, 200), l.Ct)));

    /// <summary>POST /api/clientes/{id}/promesas-pago {hasta: yyyy-MM-dd, motivo} (admin, cobranzas; Idempotency-Key): holds
    /// the customer's automatic suspension until that date; audited with who granted it.</summary>
    [Function(nameof(RegistrarPromesaPago))]
    public Task<IActionResult> RegistrarPromesaPago(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clientes/{id}/promesas-pago")] HttpRequest req, string id) =>
        api.EjecutarIdempotenteAsync(req, Cobranzas, async l =>
        {
            var cliente = Peticion.Uuid(id, "id");
            var p = await cobranza.RegistrarPromesaAsync(cliente, await l.LeerAsync<SolicitudPromesaPago>(), l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            return Respuestas.Creado($"/api/clientes/{cliente}/promesas-pago/{p.Id}", p);
        });
}
