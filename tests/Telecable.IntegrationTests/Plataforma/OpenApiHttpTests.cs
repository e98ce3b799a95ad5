using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Telecable.Domain.Comun;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Plataforma;

/// <summary>
/// GET /api/openapi.json is public and its reference page is served; the roles it states for each operation
/// are the ones the running API enforces (a role outside x-roles gets 403 everywhere; a role inside never gets
/// 401/403 on a read).
/// </summary>
[Collection(ColeccionHost.Nombre)]
public sealed class OpenApiHttpTests(HostPrueba host)
{
    [Fact]
    public async Task El_documento_es_publico_y_la_pagina_de_referencia_lo_lee()
    {
        var r = await host.Http.GetAsync("api/openapi.json");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var doc = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.Equal("3.1.0", (string?)doc["openapi"]);
        Assert.NotNull(doc["paths"]!["/openapi.json"]!["get"]);

        var pagina = await host.Http.GetStringAsync("referencia-api/");
        Assert.Contains("/vendor/swagger-ui/swagger-ui-bundle.js", pagina, StringComparison.Ordinal);
        Assert.Contains("'/api/openapi.json'", await host.Http.GetStringAsync("referencia-api/referencia.js"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("vendor/swagger-ui/swagger-ui-bundle.js")).StatusCode);
    }

    [Fact]
    public async Task Los_roles_del_documento_son_los_que_la_API_exige()
    {
        var doc = JsonNode.Parse(await host.Http.GetStringAsync("api/openapi.json"))!;
        var clientes = new Dictionary<string, HttpClient>();
        foreach (var rol in Roles.Todos) clientes[rol] = await host.ClienteAsync(rol);
        var errores = new List<string>();
        try
        {
            foreach (var (ruta, item) in doc["paths"]!.AsObject())
            foreach (var (metodo, op) in item!.AsObject())
            {
                if (op!["security"]!.AsArray().Count == 0) continue; // public or signed: no role to check
                var admitidos = op["x-roles"]!.AsArray().Select(x => (string)x!).ToHashSet();
                // Each path parameter gets a value of its declared type, so the route matches and authorization is what answers.
                var enteros = (op["parameters"]?.AsArray() ?? []).Where(x => (string?)x!["in"] == "path" && (string?)x["schema"]!["type"] == "integer")
                    .Select(x => (string)x!["name"]!).ToHashSet();
                var url = "api" + System.Text.RegularExpressions.Regex.Replace(ruta, @"\{([^}]+)\}", m => enteros.Contains(m.Groups[1].Value) ? "1" : Guid.Empty.ToString());
                foreach (var rol in Roles.Todos)
                {
                    // Writes are only sent to roles that must be refused: a refusal happens before the function runs.
                    if (admitidos.Contains(rol) && metodo != "get") continue;
                    using var m = new HttpRequestMessage(new HttpMethod(metodo.ToUpperInvariant()), url);
                    if (metodo != "get") m.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                    var status = (int)(await clientes[rol].SendAsync(m)).StatusCode;
                    if (admitidos.Contains(rol) ? status is 401 or 403 : status != 403)
                        errores.Add($"{op["operationId"]} {metodo.ToUpperInvariant()} {ruta} con rol {rol}: {status} (x-roles: {string.Join(",", admitidos)})");
                }
            }
        }
        finally
        {
            foreach (var c in clientes.Values) c.Dispose();
        }
        Assert.True(errores.Count == 0, string.Join("\n", errores));
    }
}
