using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;
using Telecable.Functions.Http;
using Telecable.Functions.Http.OpenApi;

namespace Telecable.UnitTests;

/// <summary>
/// GET /api/openapi.json is generated from the functions' code (DocumentoOpenApi). These tests fail when an
/// HTTP function is missing from it or is described wrongly, and when the document is not valid OpenAPI 3.1
/// for Microsoft.OpenApi's reader.
/// </summary>
public sealed class OpenApiTests
{
    private static readonly JsonObject Documento = JsonNode.Parse(DocumentoOpenApi.Texto)!.AsObject();

    private static IEnumerable<(string Ruta, string Metodo, JsonObject Operacion)> Operaciones() =>
        from ruta in Documento["paths"]!.AsObject()
        from op in ruta.Value!.AsObject()
        select (ruta.Key, op.Key, op.Value!.AsObject());

    private static JsonObject Operacion(string id) => Operaciones().Single(o => (string?)o.Operacion["operationId"] == id).Operacion;

    [Fact]
    public void Toda_funcion_HTTP_esta_en_el_documento_con_su_ruta_y_sus_metodos()
    {
        var funciones = DocumentoOpenApi.FuncionesHttp();
        Assert.True(funciones.Count > 60, $"solo {funciones.Count} funciones HTTP encontradas");
        var faltan = new List<string>();
        foreach (var f in funciones)
        {
            var nombre = f.GetCustomAttribute<FunctionAttribute>()!.Name;
            var disparador = f.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).First(a => a is not null)!;
            foreach (var metodo in disparador.Methods!.Where(m => m != "head"))
            {
                var ruta = "/" + System.Text.RegularExpressions.Regex.Replace(disparador.Route!, @"\{\*?([A-Za-z0-9_]+)(:[^}]*)?\??\}", "{$1}");
                var op = Documento["paths"]?[ruta]?[metodo];
                if ((string?)op?["operationId"] != nombre) faltan.Add($"{nombre}: {metodo.ToUpperInvariant()} {ruta}");
            }
        }
        Assert.True(faltan.Count == 0, "Funciones HTTP que faltan en /api/openapi.json:\n" + string.Join("\n", faltan));
    }

    [Fact]
    public void Toda_lista_responde_la_unica_pagina()
    {
        // One paging contract (issue #16): a GET that answers a collection answers Pagina<T>
        // {pagina, tamano, total, elementos}, never a bare array or another page shape.
        var fuera = new List<string>();
        foreach (var f in DocumentoOpenApi.FuncionesHttp())
        {
            var op = DocumentoOpenApi.Leer(f);
            if (!op.Metodos.Contains("get")) continue;
            foreach (var r in op.Respuestas.Where(r => r.Tipo is not null))
            {
                var t = r.Tipo!;
                var pagina = t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Telecable.Application.Comun.Pagina<>);
                var otraPagina = !pagina && t.Name.StartsWith("Pagina", StringComparison.Ordinal);
                var lista = t != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(t) && !t.Name.Contains("Dictionary", StringComparison.Ordinal);
                if (otraPagina || lista) fuera.Add($"{op.Funcion}: GET /{op.Ruta} responde {t}");
            }
        }
        Assert.True(fuera.Count == 0, "Listas que no responden Telecable.Application.Comun.Pagina<T>:\n" + string.Join("\n", fuera));
    }

    [Fact]
    public void Cada_operacion_dice_quien_puede_llamarla_y_sus_problemas()
    {
        foreach (var (ruta, metodo, op) in Operaciones())
        {
            var id = (string?)op["operationId"];
            var roles = op["x-roles"]!.AsArray().Select(r => (string)r!).ToList();
            var publica = op["security"]!.AsArray().Count == 0;
            Assert.True(publica || roles.Count > 0, $"{id} ({metodo} {ruta}) pide token sin roles");
            Assert.True(roles.All(Telecable.Domain.Comun.Roles.Todos.Contains), $"{id}: rol desconocido en {string.Join(",", roles)}");
            var respuestas = op["responses"]!.AsObject();
            Assert.Contains(respuestas, r => r.Key.StartsWith('2'));
            foreach (var status in new[] { "400", "500" }.Concat(publica ? [] : ["401", "403"]))
                Assert.Equal("#/components/schemas/Problema", (string?)respuestas[status]?["content"]?["application/problem+json"]?["schema"]?["$ref"]);
        }
    }

    [Fact]
    public void Los_roles_el_cuerpo_la_consulta_y_las_respuestas_salen_del_codigo_de_la_funcion()
    {
        var crear = Operacion("CrearCliente");
        Assert.Equal(["admin", "soporte"], crear["x-roles"]!.AsArray().Select(r => (string)r!));
        Assert.Equal("#/components/schemas/SolicitudCliente", (string?)crear["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]);
        Assert.Contains(crear["parameters"]!.AsArray(), p => (string?)p!["name"] == "Idempotency-Key" && (string?)p["in"] == "header" && (bool)p["required"]!);
        Assert.NotNull(crear["responses"]!["201"]!["content"]!["application/json"]);
        Assert.NotNull(crear["responses"]!["415"]);

        var buscar = Operacion("BuscarClientes");
        Assert.Equal(["admin", "soporte", "cobranzas"], buscar["x-roles"]!.AsArray().Select(r => (string)r!));
        var consulta = buscar["parameters"]!.AsArray().Where(p => (string?)p!["in"] == "query").ToDictionary(p => (string)p!["name"]!, p => (string?)p!["schema"]!["type"]);
        Assert.Equal("integer", consulta["pagina"]);
        Assert.Equal("integer", consulta["tamano"]);
        Assert.Equal("string", consulta["buscar"]);

        var obtener = Operacion("ObtenerCliente");
        Assert.Contains(obtener["parameters"]!.AsArray(), p => (string?)p!["name"] == "id" && (string?)p["in"] == "path");
        Assert.NotNull(obtener["responses"]!["404"]);

        var metricas = Operacion("Metricas");
        Assert.Equal(["admin"], metricas["x-roles"]!.AsArray().Select(r => (string)r!));
        Assert.NotNull(metricas["responses"]!["200"]!["content"]!["text/plain"]);

        var salud = Operacion("Salud");
        Assert.NotNull(salud["responses"]!["503"]);

        var propio = Operacion("DocumentoApi");
        Assert.Empty(propio["security"]!.AsArray());
    }

    [Fact]
    public void Cada_esquema_referido_existe()
    {
        var esquemas = Documento["components"]!["schemas"]!.AsObject();
        var refs = new List<string>();
        void Recorrer(JsonNode? n)
        {
            if (n is JsonObject o) foreach (var (k, v) in o) { if (k == "$ref") refs.Add((string)v!); else Recorrer(v); }
            else if (n is JsonArray a) foreach (var v in a) Recorrer(v);
        }
        Recorrer(Documento);
        Assert.NotEmpty(refs);
        foreach (var r in refs.Distinct())
        {
            Assert.StartsWith("#/components/schemas/", r);
            Assert.True(esquemas.ContainsKey(r.Split('/')[3]), $"$ref sin esquema: {r}");
        }
    }

    [Fact]
    public async Task Es_un_documento_OpenAPI_3_1_valido_para_Microsoft_OpenApi()
    {
        // Left beside the test binaries for a human to read.
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "openapi.json"), DocumentoOpenApi.Texto);
        using var flujo = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(DocumentoOpenApi.Texto));
        var lectura = await OpenApiDocument.LoadAsync(flujo, "json");
        Assert.True(lectura.Diagnostic!.Errors.Count == 0, string.Join("\n", lectura.Diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}")));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, lectura.Diagnostic.SpecificationVersion);
        var reglas = lectura.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(reglas.Count == 0, string.Join("\n", reglas.Select(e => $"{e.Pointer}: {e.Message}")));
        Assert.Equal(DocumentoOpenApi.FuncionesHttp().Sum(f => f.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).First(a => a is not null)!.Methods!.Count(m => m != "head")),
            lectura.Document!.Paths.Sum(p => p.Value.Operations!.Count));
    }

    /// <summary>A function the reader cannot understand fails the document loudly, naming the function and what to change.</summary>
    [Fact]
    public void Una_funcion_que_no_pasa_por_Api_detiene_el_documento_con_un_mensaje_claro()
    {
        var f = typeof(FuncionesDePrueba).GetMethod(nameof(FuncionesDePrueba.SinApi))!;
        var e = Assert.Throws<FuncionNoDocumentable>(() => DocumentoOpenApi.Leer(f));
        Assert.Contains("SinApi", e.Message);
        Assert.Contains("api.EjecutarAsync", e.Message, StringComparison.Ordinal);
    }

    private sealed class FuncionesDePrueba
    {
        [Function(nameof(SinApi))]
        public Task<IActionResult> SinApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "prueba")] HttpRequest req) =>
            Task.FromResult<IActionResult>(Respuestas.SinContenido());
    }
}
