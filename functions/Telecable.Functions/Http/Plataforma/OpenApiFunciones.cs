using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Functions.Http.OpenApi;

namespace Telecable.Functions.Http.Plataforma;

/// <summary>GET /api/openapi.json (public): the OpenAPI 3.1 document of every HTTP function, generated from the code.</summary>
public sealed class OpenApiFunciones(Api api)
{
    [Function(nameof(DocumentoApi))]
    public Task<IActionResult> DocumentoApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "openapi.json")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Publica, _ => Task.FromResult<IActionResult>(
            new RespuestaJson(StatusCodes.Status200OK, DocumentoOpenApi.Texto, "application/json; charset=utf-8")));
}
