using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Application.Facturacion;
using Telecable.Domain.Comun;

namespace Telecable.Functions.Http.Facturacion;

/// <summary>SLA credits earned by outages: a cliente sees their own; staff name the customer.</summary>
public sealed class CreditosSlaFunciones(Api api, IServicioCreditosSla creditos)
{
    private static readonly Permiso Lectores = Permiso.Para(Roles.Admin, Roles.Cobranzas, Roles.Soporte, Roles.Cliente);

    /// <summary>GET /api/facturacion/creditos-sla?clienteId=&amp;pagina=1&amp;tamano=20: the customer's credits, newest first
    /// (clienteId is required for staff and ignored for a cliente, who always gets their own).</summary>
    [Function(nameof(CreditosSla))]
    public Task<IActionResult> CreditosSla(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/creditos-sla")] HttpRequest req) =>
        api.EjecutarAsync(req, Lectores, async l =>
        {
            var cliente = Peticion.UuidOpcional(l.Query("clienteId"), "clienteId");
            return Respuestas.Ok(await creditos.DelClienteAsync(l.UsuarioAutenticado, cliente, l.Paginacion(), l.Ct));
        });
}
