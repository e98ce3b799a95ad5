using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Catalogo;

namespace Telecable.Functions.Http.Catalogo;

/// <summary>The plan catalog: public reads (prices per zone, coverage by postal code, quotes); admin writes.</summary>
public sealed class CatalogoComercialFunciones(Api api, ServicioCatalogo catalogo)
{
    private static readonly Permiso SoloAdmin = Permiso.Para(Roles.Admin);

    /// <summary>GET /api/catalogo/planes?zona=&amp;tecnologia=&amp;velocidadMin=&amp;precioMax=&amp;tipo=&amp;orden=&amp;pagina=&amp;tamano= (public).</summary>
    [Function(nameof(BuscarPlanes))]
    public Task<IActionResult> BuscarPlanes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "catalogo/planes")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Publica, async l => Respuestas.Ok(await catalogo.BuscarPlanesAsync(new FiltroPlanes(
            l.Query("zona"), l.Query("tecnologia"), string.IsNullOrEmpty(l.Query("velocidadMin")) ? null : l.QueryEntero("velocidadMin", 0, 0, 100_000),
            Peticion.Decimal(l, "precioMax"), l.Query("tipo"), l.Query("orden"),
            l.Paginacion()), l.Ct)));

    /// <summary>GET /api/catalogo/zonas?pagina=&amp;tamano= (public): zones with the technologies they offer today.</summary>
    [Function(nameof(ListarZonas))]
    public Task<IActionResult> ListarZonas(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "catalogo/zonas")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Publica, async l => Respuestas.Ok(await catalogo.ListarZonasAsync(l.Paginacion(100, 500), l.Ct)));

    /// <summary>GET /api/catalogo/dias-corte (public): the cut-off days a contract may choose at sign-up, and the one given when
    /// none is chosen today.</summary>
    [Function(nameof(ListarDiasCorte))]
    public Task<IActionResult> ListarDiasCorte(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "catalogo/dias-corte")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Publica, async l => Respuestas.Ok(await catalogo.DiasCorteAsync(l.Ct)));

    /// <summary>GET /api/catalogo/zonas/{cp} (public): the zone of a postal code and the plans and combos it can buy.</summary>
    [Function(nameof(CoberturaPorCp))]
    public Task<IActionResult> CoberturaPorCp(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "catalogo/zonas/{cp}")] HttpRequest req, string cp) =>
        api.EjecutarAsync(req, Permiso.Publica, async l => Respuestas.Ok(await catalogo.CoberturaAsync(cp, l.Ct)));

    /// <summary>GET /api/catalogo/combos?zona=&amp;pagina=&amp;tamano= (public): combos sold in a zone, priced per part.</summary>
    [Function(nameof(ListarCombos))]
    public Task<IActionResult> ListarCombos(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "catalogo/combos")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Publica, async l =>
            Respuestas.Ok(await catalogo.CombosAsync(l.Query("zona") ?? throw new ErrorValidacion("zona", "Es obligatoria."), l.Paginacion(50, 100), l.Ct)));

    /// <summary>GET /api/catalogo/cotizacion?zona=|cp=&amp;planId=|comboId=&amp;fecha= (public): lines per part with IEPS/IVA.</summary>
    [Function(nameof(Cotizar))]
    public Task<IActionResult> Cotizar(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "catalogo/cotizacion")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Publica, async l => Respuestas.Ok(await catalogo.CotizarAsync(new SolicitudCotizacion(
            l.Query("zona"), l.Query("cp"), Peticion.GuidOpcional(l, "planId"), Peticion.GuidOpcional(l, "comboId"), Peticion.Fecha(l, "fecha")), l.Ct)));

    /// <summary>POST /api/catalogo/zonas (admin).</summary>
    [Function(nameof(CrearZona))]
    public Task<IActionResult> CrearZona(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "catalogo/zonas")] HttpRequest req) =>
        api.EjecutarAsync(req, SoloAdmin, async l =>
        {
            var z = await catalogo.CrearZonaAsync(await l.LeerAsync<SolicitudZona>(), l.Ct);
            return Respuestas.Creado($"/api/catalogo/zonas/{z.Clave}", z);
        });

    /// <summary>POST /api/catalogo/planes (admin).</summary>
    [Function(nameof(CrearPlan))]
    public Task<IActionResult> CrearPlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "catalogo/planes")] HttpRequest req) =>
        api.EjecutarAsync(req, SoloAdmin, async l =>
        {
            var id = await catalogo.CrearPlanAsync(await l.LeerAsync<SolicitudPlan>(), l.Ct);
            return Respuestas.Creado($"/api/catalogo/planes/{id}", new { id });
        });

    /// <summary>PATCH /api/catalogo/planes/{id} (admin): nombre, descripcion, activo.</summary>
    [Function(nameof(CambiarPlan))]
    public Task<IActionResult> CambiarPlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "catalogo/planes/{id}")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, SoloAdmin, async l =>
        {
            await catalogo.CambiarPlanAsync(Peticion.Id(id), await l.LeerAsync<CambioPlan>(), l.Ct);
            return Respuestas.SinContenido();
        });

    /// <summary>POST /api/catalogo/planes/{id}/precios (admin): price in a zone from a date on.</summary>
    [Function(nameof(FijarPrecio))]
    public Task<IActionResult> FijarPrecio(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "catalogo/planes/{id}/precios")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, SoloAdmin, async l =>
        {
            await catalogo.FijarPrecioAsync(Peticion.Id(id), await l.LeerAsync<SolicitudPrecio>(), l.Ct);
            return Respuestas.SinContenido();
        });

    /// <summary>POST /api/catalogo/combos (admin).</summary>
    [Function(nameof(CrearCombo))]
    public Task<IActionResult> CrearCombo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "catalogo/combos")] HttpRequest req) =>
        api.EjecutarAsync(req, SoloAdmin, async l =>
        {
            var id = await catalogo.CrearComboAsync(await l.LeerAsync<SolicitudCombo>(), l.Ct);
            return Respuestas.Creado($"/api/catalogo/combos/{id}", new { id });
        });

    /// <summary>POST /api/catalogo/promociones (admin).</summary>
    [Function(nameof(CrearPromocion))]
    public Task<IActionResult> CrearPromocion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "catalogo/promociones")] HttpRequest req) =>
        api.EjecutarAsync(req, SoloAdmin, async l =>
        {
            var id = await catalogo.CrearPromocionAsync(await l.LeerAsync<SolicitudPromocion>(), l.Ct);
            return Respuestas.Creado($"/api/catalogo/promociones/{id}", new { id });
        });
}
