using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Clientes;

namespace Telecable.Functions.Http.Clientes;

/// <summary>
/// Customers, consents and contracts. Support staff (admin, soporte, cobranzas) read every customer;
/// role cliente reads only its own (others: 404, so ids cannot be probed); only admin and soporte write.
/// </summary>
public sealed class ClientesFunciones(Api api, ServicioClientes clientes)
{
    private static readonly Permiso Escritura = Permiso.Para(Roles.Admin, Roles.Soporte);
    private static readonly Permiso Lectura = Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Cobranzas, Roles.Cliente);

    /// <summary>The customer id of the route, if the caller may see it; 404 otherwise.</summary>
    private static Guid Propio(Llamada l, string id)
    {
        var g = Peticion.Id(id);
        return l.UsuarioAutenticado.PuedeVerCliente(g) ? g : throw new ErrorNoEncontrado("cliente", id);
    }

    private static SolicitudConsentimiento? ConOrigen(Llamada l, SolicitudConsentimiento? c) =>
        c is null ? null : c with
        {
            Ip = c.Ip ?? l.Solicitud.HttpContext.Connection.RemoteIpAddress?.ToString(),
            UserAgent = c.UserAgent ?? (l.Solicitud.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 500)] : null),
        };

    /// <summary>POST /api/clientes (admin, soporte; Idempotency-Key).</summary>
    [Function(nameof(CrearCliente))]
    public Task<IActionResult> CrearCliente(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clientes")] HttpRequest req) =>
        api.EjecutarIdempotenteAsync(req, Escritura, async l =>
        {
            var s = await l.LeerAsync<SolicitudCliente>();
            var c = await clientes.CrearAsync(s with { Consentimiento = ConOrigen(l, s.Consentimiento) }, l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            return Respuestas.Creado($"/api/clientes/{c.Id}", c).Con("ETag", $"\"{c.Version}\"");
        });

    /// <summary>GET /api/clientes?buscar=&amp;zona=&amp;estado=&amp;pagina=&amp;tamano= (admin, soporte, cobranzas).</summary>
    [Function(nameof(BuscarClientes))]
    public Task<IActionResult> BuscarClientes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "clientes")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Personal, async l => Respuestas.Ok(await clientes.BuscarAsync(
            l.Query("buscar"), l.Query("zona"), l.Query("estado"), l.Paginacion(), l.Ct)));

    /// <summary>GET /api/clientes/{id} (staff; cliente only its own). ETag = version.</summary>
    [Function(nameof(ObtenerCliente))]
    public Task<IActionResult> ObtenerCliente(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "clientes/{id}")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Lectura, async l =>
        {
            var c = await clientes.ObtenerAsync(Propio(l, id), l.Ct);
            return Respuestas.Ok(c).Con("ETag", $"\"{c.Version}\"");
        });

    /// <summary>PATCH /api/clientes/{id} (admin, soporte): If-Match or version in the body; 409 when stale.</summary>
    [Function(nameof(ActualizarCliente))]
    public Task<IActionResult> ActualizarCliente(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "clientes/{id}")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Escritura, async l =>
        {
            var cambio = await l.LeerAsync<CambioCliente>();
            var c = await clientes.ActualizarAsync(Peticion.Id(id), cambio, Peticion.Version(l, cambio.Version), l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            return Respuestas.Ok(c).Con("ETag", $"\"{c.Version}\"");
        });

    /// <summary>GET /api/clientes/{id}/estado (staff; cliente only its own): contracts, balance, routers, open tickets.</summary>
    [Function(nameof(EstadoCliente))]
    public Task<IActionResult> EstadoCliente(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "clientes/{id}/estado")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Lectura, async l => Respuestas.Ok(await clientes.EstadoAsync(Propio(l, id), l.Ct)));

    /// <summary>POST /api/clientes/{id}/consentimientos (admin, soporte, the customer itself): appends a consent.</summary>
    [Function(nameof(RegistrarConsentimiento))]
    public Task<IActionResult> RegistrarConsentimiento(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clientes/{id}/consentimientos")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Cliente), async l =>
        {
            var clienteId = Propio(l, id);
            var c = await clientes.RegistrarConsentimientoAsync(clienteId, ConOrigen(l, await l.LeerAsync<SolicitudConsentimiento>())!, l.Cid, l.Ct);
            return Respuestas.Creado($"/api/clientes/{clienteId}/consentimientos", c);
        });

    /// <summary>GET /api/clientes/{id}/consentimientos?pagina=&amp;tamano= (staff; cliente only its own): the whole history, newest first.</summary>
    [Function(nameof(ListarConsentimientos))]
    public Task<IActionResult> ListarConsentimientos(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "clientes/{id}/consentimientos")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Lectura, async l => Respuestas.Ok(await clientes.ConsentimientosAsync(Propio(l, id), l.Paginacion(), l.Ct)));

    /// <summary>POST /api/clientes/{id}/domicilios (admin, soporte): another installation address.</summary>
    [Function(nameof(AgregarDomicilio))]
    public Task<IActionResult> AgregarDomicilio(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clientes/{id}/domicilios")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Escritura, async l =>
        {
            var clienteId = Peticion.Id(id);
            var d = await clientes.AgregarDomicilioAsync(clienteId, await l.LeerAsync<SolicitudDomicilio>(), l.Ct);
            return Respuestas.Creado($"/api/clientes/{clienteId}", d);
        });

    /// <summary>POST /api/clientes/{id}/contratos (admin, soporte; Idempotency-Key).</summary>
    [Function(nameof(CrearContrato))]
    public Task<IActionResult> CrearContrato(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clientes/{id}/contratos")] HttpRequest req, string id) =>
        api.EjecutarIdempotenteAsync(req, Escritura, async l =>
        {
            var k = await clientes.CrearContratoAsync(Peticion.Id(id), await l.LeerAsync<SolicitudContrato>(), l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            return Respuestas.Creado($"/api/contratos/{k.Id}", k).Con("ETag", $"\"{k.Version}\"");
        });

    /// <summary>GET /api/clientes/{id}/contratos?pagina=&amp;tamano= (staff; cliente only its own).</summary>
    [Function(nameof(ListarContratos))]
    public Task<IActionResult> ListarContratos(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "clientes/{id}/contratos")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Lectura, async l => Respuestas.Ok(await clientes.ContratosAsync(Propio(l, id), l.Paginacion(), l.Ct)));

    /// <summary>PATCH /api/contratos/{id} (admin, soporte): cambiar_plan, activar, suspender, reactivar, cancelar.</summary>
    [Function(nameof(ModificarContrato))]
    public Task<IActionResult> ModificarContrato(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "contratos/{id}")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Escritura, async l =>
        {
            var cambio = await l.LeerAsync<CambioContrato>();
            var k = await clientes.ModificarContratoAsync(Peticion.Id(id), cambio, Peticion.Version(l, cambio.Version), l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            return Respuestas.Ok(k).Con("ETag", $"\"{k.Version}\"");
        });
}
