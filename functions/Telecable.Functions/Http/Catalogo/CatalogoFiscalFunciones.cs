using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Domain.Identidad;
using ErrorValidacion = Telecable.Domain.Comun.ErrorValidacion;

namespace Telecable.Functions.Http.Catalogo;

/// <summary>
/// GET /api/catalogo/regimenes-fiscales?tipo=fisica|moral&amp;pagina=&amp;tamano= (public): each fiscal regime with the CFDI uses it allows,
/// from the same rules the server validates a customer with, so the sign-up form offers only valid pairs (issue 21).
/// </summary>
public sealed class CatalogoFiscalFunciones(Api api)
{
    [Function(nameof(RegimenesFiscales))]
    public Task<IActionResult> RegimenesFiscales(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "catalogo/regimenes-fiscales")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Publica, l =>
        {
            var tipo = l.Query("tipo") switch
            {
                "fisica" => TipoPersona.Fisica,
                "moral" => TipoPersona.Moral,
                _ => throw new ErrorValidacion("tipo", "Use fisica o moral."),
            };
            return Task.FromResult<IActionResult>(Respuestas.Ok(l.Paginacion(100, 100).De(ParesFiscales.Para(tipo))).Con("Cache-Control", "public, max-age=3600"));
        });
}
