using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Application.Ciclos;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Functions.Http.Facturacion;

/// <summary>Billing cycles (issue 18): plan changes with proration (staff) and the statement of account (staff, the
/// customer itself; another customer's id answers 404).</summary>
public sealed class CiclosFunciones(Api api, ServicioCiclos ciclos)
{
    private static readonly Permiso Escritura = Permiso.Para(Roles.Admin, Roles.Soporte);
    private static readonly Permiso Lectura = Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Cobranzas, Roles.Cliente);

    /// <summary>POST /api/contratos/{id}/cambio-plan {planId | comboId, aplicar: inmediato | siguiente_corte} (admin, soporte;
    /// Idempotency-Key): an immediate change credits the old plan's unused days and charges the new plan's on the next
    /// invoice; a deferred one applies at the next cut-off.</summary>
    [Function(nameof(CambiarPlanContrato))]
    public Task<IActionResult> CambiarPlanContrato(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "contratos/{id}/cambio-plan")] HttpRequest req, string id) =>
        api.EjecutarIdempotenteAsync(req, Escritura, async l =>
        {
            var contrato = Peticion.Id(id);
            var c = await ciclos.CambiarPlanAsync(contrato, await l.LeerAsync<SolicitudCambioPlan>(), l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            return Respuestas.Ok(c);
        });

    /// <summary>GET /api/clientes/{id}/estado-de-cuenta?desde=yyyy-MM-dd&amp;hasta=yyyy-MM-dd&amp;formato=json|pdf (admin, soporte,
    /// cobranzas, the customer itself): every charge, payment and credit with the running balance, the credit balance, the
    /// charges waiting for the next invoice and the next cut-off with the amount due and any suspension warning.</summary>
    [Function(nameof(EstadoDeCuentaCliente))]
    public Task<IActionResult> EstadoDeCuentaCliente(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "clientes/{id}/estado-de-cuenta")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Lectura, async l =>
        {
            var g = Peticion.Id(id);
            if (!l.UsuarioAutenticado.PuedeVerCliente(g)) throw new ErrorNoEncontrado("cliente", id);
            var formato = l.Query("formato") ?? "json";
            if (formato is not ("json" or "pdf")) throw new ErrorValidacion("formato", "Debe ser json o pdf.");
            var e = await ciclos.EstadoDeCuentaAsync(g, Peticion.Fecha(l, "desde"), Peticion.Fecha(l, "hasta"), l.Ct);
            if (formato == "json") return Respuestas.Ok(e);
            return new RespuestaBinaria(EstadoDeCuentaPdf.Generar(e), "application/pdf")
                .Con("Content-Disposition", $"inline; filename=\"estado-de-cuenta-{e.NumeroCliente}-{e.Hasta:yyyyMMdd}.pdf\"");
        });
}
