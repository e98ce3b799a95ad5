using System.Reflection;
using System.Reflection.Emit;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;

namespace Telecable.Functions.Http.OpenApi;

/// <summary>What the code says about one HTTP function: the input of the OpenAPI operation.</summary>
public sealed record OperacionApi(
    string Funcion, string Area, IReadOnlyList<string> Metodos, string Ruta, Permiso Permiso, bool Idempotente,
    Type? Cuerpo, IReadOnlyList<ParametroConsulta> Consulta, IReadOnlyList<RespuestaApi> Respuestas);

public sealed record ParametroConsulta(string Nombre, string Tipo, string? Formato);

/// <summary>A success answer: status, and the body's type or its media type when it is not JSON.</summary>
public sealed record RespuestaApi(int Status, Type? Tipo, string TipoContenido);

/// <summary>
/// The OpenAPI 3.1 document of every HTTP function, built from the code: routes and methods from
/// [HttpTrigger]; roles from the <see cref="Permiso"/> each function hands to <see cref="Api"/>; Idempotency-Key
/// from EjecutarIdempotenteAsync; the request body from Llamada.LeerAsync&lt;T&gt;; query parameters from
/// Llamada.Query*/Peticion.*; answers from Respuestas.Ok/Creado/Aceptado/Json/SinContenido/CfdiXml/Imprimible and RespuestaJson;
/// schemas from System.Text.Json's own exporter with the options the API serializes with. A new function is
/// in the document without anyone writing it down; one the reader cannot understand stops the build of the
/// document with a message saying what to change (OpenApiTests runs it).
/// </summary>
public static class DocumentoOpenApi
{
    private static readonly Lazy<string> Json = new(() => Generar().ToJsonString(new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }));

    /// <summary>The document as served by GET /api/openapi.json (built once per process: the code does not change).</summary>
    public static string Texto => Json.Value;

    private static readonly JsonSerializerOptions OpcionesEsquema = new(JsonWeb.Opciones) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    public static IReadOnlyList<MethodInfo> FuncionesHttp(Assembly? ensamblado = null) =>
        (ensamblado ?? typeof(DocumentoOpenApi).Assembly).GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null && Disparador(m) is not null)
            .OrderBy(m => m.GetCustomAttribute<FunctionAttribute>()!.Name, StringComparer.Ordinal)
            .ToList();

    private static HttpTriggerAttribute? Disparador(MethodInfo m) =>
        m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null);

    /// <summary>Reads one function; throws <see cref="FuncionNoDocumentable"/> naming what to change when it cannot.</summary>
    public static OperacionApi Leer(MethodInfo funcion)
    {
        var nombre = funcion.GetCustomAttribute<FunctionAttribute>()!.Name;
        var disparador = Disparador(funcion)!;
        var ruta = disparador.Route ?? throw new FuncionNoDocumentable(nombre, "su [HttpTrigger] no declara Route.");
        var metodos = (disparador.Methods ?? []).Select(x => x.ToLowerInvariant()).ToList();
        if (metodos.Count == 0) throw new FuncionNoDocumentable(nombre, "su [HttpTrigger] no declara los métodos HTTP.");

        // The Permiso is an argument computed in the function's body (or in the private helper it delegates to):
        // a static field or Permiso.Para("rol", ...).
        Permiso? permiso = null;
        var idempotente = false;
        var cuerpos = LectorIl.CuerposDe(funcion);
        foreach (var m in cuerpos)
        {
            var roles = new List<string>();
            Permiso? visto = null;
            foreach (var ins in LectorIl.Leer(m))
            {
                if (ins.Texto is { } t && Roles.Todos.Contains(t)) roles.Add(t);
                if (ins.Campo is { IsStatic: true } lista && lista.DeclaringType == typeof(Roles) && lista.GetValue(null) is IEnumerable<string> todos) roles.AddRange(todos.Order());
                if (ins.Campo is { FieldType: var ft } campo && ft == typeof(Permiso) && campo.IsStatic) visto = (Permiso)campo.GetValue(null)!;
                if (ins.Metodo is { Name: nameof(Permiso.Para) } pm && pm.DeclaringType == typeof(Permiso)) { visto = Permiso.Para([.. roles]); roles.Clear(); }
                if (ins.Metodo is { } a && a.DeclaringType == typeof(Api) && a.Name is nameof(Api.EjecutarAsync) or nameof(Api.EjecutarIdempotenteAsync))
                {
                    idempotente = a.Name == nameof(Api.EjecutarIdempotenteAsync);
                    permiso = visto ?? throw new FuncionNoDocumentable(nombre,
                        "el Permiso que pasa a Api no es un campo estático de tipo Permiso ni Permiso.Para(Roles.X, ...) escrito junto a la llamada.");
                    break;
                }
            }
            if (permiso is not null) break;
        }
        if (permiso is null)
            throw new FuncionNoDocumentable(nombre, "no llama a api.EjecutarAsync ni a api.EjecutarIdempotenteAsync (toda función HTTP pasa por Api).");

        Type? cuerpo = null;
        var consulta = new List<ParametroConsulta>();
        var respuestas = new List<RespuestaApi>();
        var crudo = false;
        foreach (var m in cuerpos)
        {
            string? ultimoTexto = null, ultimoMedio = null;
            var estados = new List<int>();
            foreach (var ins in LectorIl.Leer(m))
            {
                if (ins.Texto is { } s) { ultimoTexto = s; if (Regex.IsMatch(s, "^[a-z]+/[a-z0-9.+-]+")) ultimoMedio = s; }
                if (ins.Entero is >= 100 and <= 599 and var e) estados.Add(e);
                if (ins.Metodo is not { } llamado) continue;
                var d = llamado.DeclaringType;
                if (d == typeof(Llamada) && llamado.Name == nameof(Llamada.LeerAsync))
                    cuerpo = llamado.GetGenericArguments()[0];
                else if (d == typeof(Llamada) && llamado.Name == nameof(Llamada.Paginacion))
                {
                    foreach (var n in new[] { "pagina", "tamano" })
                        if (consulta.All(c => c.Nombre != n)) consulta.Add(new(n, "integer", null));
                }
                else if (d == typeof(Llamada) && llamado.Name == nameof(Llamada.CuerpoAsync))
                    crudo = true; // raw bytes (a signed webhook): JSON, but verified before it is bound
                else if ((d == typeof(Llamada) || d == typeof(Peticion)) && llamado.GetParameters().Any(p => p.Name == "nombre") && ultimoTexto is not null)
                {
                    if (consulta.All(c => c.Nombre != ultimoTexto)) consulta.Add(ParametroDe(llamado.Name, ultimoTexto));
                }
                else if (d == typeof(Respuestas))
                {
                    switch (llamado.Name)
                    {
                        case nameof(Http.Respuestas.Ok): respuestas.Add(new(200, Arg(llamado), "application/json")); break;
                        case nameof(Http.Respuestas.Creado): respuestas.Add(new(201, Arg(llamado), "application/json")); break;
                        case nameof(Http.Respuestas.Aceptado): respuestas.Add(new(202, Arg(llamado), "application/json")); break;
                        case nameof(Http.Respuestas.SinContenido): respuestas.Add(new(204, null, "")); break;
                        case nameof(Http.Respuestas.CfdiXml): respuestas.Add(new(200, null, "application/xml")); break;
                        case nameof(Http.Respuestas.Imprimible): respuestas.Add(new(200, null, "text/html")); break;
                        case nameof(Http.Respuestas.Json):
                            foreach (var st in estados.DefaultIfEmpty(200)) respuestas.Add(new(st, Arg(llamado), "application/json"));
                            break;
                    }
                    estados.Clear();
                }
                else if (d == typeof(RespuestaJson) && ins.Codigo == OpCodes.Newobj)
                {
                    respuestas.Add(new(estados.LastOrDefault(200), null, (ultimoMedio ?? "application/json").Split(';')[0]));
                    estados.Clear();
                }
            }
        }
        if (respuestas.Count == 0)
            throw new FuncionNoDocumentable(nombre, "no responde con Respuestas.Ok/Creado/Aceptado/Json/SinContenido/CfdiXml/Imprimible ni con new RespuestaJson(...): use uno de ellos para que su respuesta quede documentada.");

        var area = funcion.DeclaringType!.Namespace!.Split('.').Last();
        if (cuerpo is null && crudo) cuerpo = typeof(JsonElement);
        return new OperacionApi(nombre, area, metodos, ruta, permiso, idempotente, cuerpo, consulta,
            respuestas.DistinctBy(r => (r.Status, r.TipoContenido)).ToList());
    }

    private static Type? Arg(MethodBase m) => m.IsGenericMethod ? m.GetGenericArguments()[0] : null;

    private static ParametroConsulta ParametroDe(string metodo, string nombre) => metodo switch
    {
        nameof(Llamada.QueryEntero) => new(nombre, "integer", null),
        nameof(Peticion.Decimal) => new(nombre, "string", "decimal"),
        nameof(Peticion.GuidOpcional) => new(nombre, "string", "uuid"),
        nameof(Peticion.Fecha) => new(nombre, "string", "date"),
        _ => new(nombre, "string", null),
    };

    public static JsonObject Generar()
    {
        var esquemas = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var nombres = new Dictionary<Type, string>();
        var rutas = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var errores = new List<string>();

        foreach (var f in FuncionesHttp())
        {
            OperacionApi op;
            try { op = Leer(f); }
            catch (FuncionNoDocumentable e) { errores.Add(e.Message); continue; }
            var (plantilla, parametrosRuta) = Plantilla(op.Ruta);
            var item = rutas.TryGetValue(plantilla, out var existente) ? existente : rutas[plantilla] = new JsonObject();
            // HEAD is served wherever GET is (SeguridadTests): documented once, under get.
            foreach (var metodo in op.Metodos.Where(x => x != "head"))
                item[metodo] = Operacion(op, metodo, parametrosRuta, esquemas, nombres);
        }
        if (errores.Count > 0)
            throw new InvalidOperationException("El documento OpenAPI no puede describir estas funciones HTTP:\n" + string.Join("\n", errores));

        esquemas["Problema"] = EsquemaProblema();
        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "Telecable Comercial API",
                ["version"] = typeof(DocumentoOpenApi).Assembly.GetName().Version?.ToString() ?? "1.0.0",
                ["description"] = "Generado del código de las funciones HTTP (Telecable.Functions). Toda ruta GET responde también HEAD. " +
                                  "Identidad: token Bearer (JWT de Entra ID; localmente el emisor de desarrollo, POST /api/auth/token); " +
                                  "los roles que admite cada operación están en su descripción y en x-roles. Todo error es application/problem+json (RFC 7807) " +
                                  "con cid; los errores de campos van en errors: { campo: [motivos] }. Las listas responden {pagina, tamano, total, elementos}.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/api" }),
            ["paths"] = new JsonObject(rutas.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))),
            ["components"] = new JsonObject
            {
                ["schemas"] = new JsonObject(esquemas.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT" },
                },
            },
        };
    }

    /// <summary>A route parameter's schema from its route constraint (what a request must send for the route to match).</summary>
    private static JsonObject EsquemaRuta(string restriccion) => restriccion switch
    {
        "guid" => new JsonObject { ["type"] = "string", ["format"] = "uuid" },
        "int" or "long" => new JsonObject { ["type"] = "integer" },
        _ => new JsonObject { ["type"] = "string" },
    };

    private static (string Plantilla, IReadOnlyList<(string Nombre, string Restriccion)> Parametros) Plantilla(string ruta)
    {
        var parametros = new List<(string, string)>();
        var plantilla = Regex.Replace(ruta, @"\{\*?([A-Za-z0-9_]+)(:[^}]*)?\??\}", m =>
        {
            parametros.Add((m.Groups[1].Value, m.Groups[2].Value.TrimStart(':')));
            return "{" + m.Groups[1].Value + "}";
        });
        return ("/" + plantilla.TrimStart('/'), parametros);
    }

    private static JsonObject Operacion(OperacionApi op, string metodo, IReadOnlyList<(string Nombre, string Restriccion)> parametrosRuta,
        SortedDictionary<string, JsonNode> esquemas, Dictionary<Type, string> nombres)
    {
        var p = op.Permiso;
        var quien = p.PorFirma ? "Sin token: el llamador se autentica por firma o llave de dispositivo."
            : p.Publico ? "Pública (sin token), limitada por cliente (429)."
            : $"Roles: {string.Join(", ", p.Roles)}.";
        var o = new JsonObject
        {
            ["operationId"] = op.Funcion,
            ["tags"] = new JsonArray(op.Area),
            ["summary"] = $"{metodo.ToUpperInvariant()} /api/{op.Ruta}",
            ["description"] = quien + (op.Idempotente ? " Requiere Idempotency-Key: la misma clave y cuerpo repiten la respuesta guardada." : ""),
            ["x-roles"] = new JsonArray(p.Roles.Select(r => (JsonNode?)r).ToArray()),
            ["security"] = p.Publico ? new JsonArray() : new JsonArray(new JsonObject { ["bearer"] = new JsonArray() }),
        };

        var parametros = new JsonArray();
        foreach (var (nombre, restriccion) in parametrosRuta)
            parametros.Add(new JsonObject { ["name"] = nombre, ["in"] = "path", ["required"] = true, ["schema"] = EsquemaRuta(restriccion) });
        foreach (var q in op.Consulta)
        {
            var s = new JsonObject { ["type"] = q.Tipo };
            if (q.Formato is not null) s["format"] = q.Formato;
            parametros.Add(new JsonObject { ["name"] = q.Nombre, ["in"] = "query", ["required"] = false, ["schema"] = s });
        }
        if (op.Idempotente)
            parametros.Add(new JsonObject
            {
                ["name"] = Api.EncabezadoIdempotencia, ["in"] = "header", ["required"] = true,
                ["schema"] = new JsonObject { ["type"] = "string", ["maxLength"] = 255 },
            });
        if (parametros.Count > 0) o["parameters"] = parametros;

        if (op.Cuerpo is { } cuerpo)
            o["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Referencia(cuerpo, esquemas, nombres, op.Funcion + "Solicitud") } },
            };

        var respuestas = new JsonObject();
        foreach (var grupo in op.Respuestas.GroupBy(r => r.Status).OrderBy(g => g.Key))
        {
            var r = new JsonObject { ["description"] = Descripcion(grupo.Key) };
            var contenido = new JsonObject();
            foreach (var x in grupo.Where(x => x.TipoContenido.Length > 0))
                contenido[x.TipoContenido] = new JsonObject
                {
                    ["schema"] = x.Tipo is { } t ? Referencia(t, esquemas, nombres, $"{op.Funcion}Respuesta{(grupo.Key == 200 ? "" : grupo.Key)}")
                        : new JsonObject { ["type"] = x.TipoContenido == "application/json" ? "object" : "string" },
                };
            if (contenido.Count > 0) r["content"] = contenido;
            respuestas[grupo.Key.ToString()] = r;
        }
        foreach (var status in Problemas(op, parametrosRuta.Count > 0, metodo))
            respuestas[status.ToString()] ??= new JsonObject
            {
                ["description"] = Descripcion(status),
                ["content"] = new JsonObject { [Respuestas.TipoProblema.Split(';')[0]] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Problema" } } },
            };
        o["responses"] = respuestas;
        return o;
    }

    /// <summary>The problems Api can answer for this kind of operation (Api.Mapear and its checks before the call).</summary>
    private static IEnumerable<int> Problemas(OperacionApi op, bool conRuta, string metodo)
    {
        yield return 400;
        if (!op.Permiso.Publico) { yield return 401; yield return 403; }
        if (op.Permiso.PorFirma) yield return 401;
        if (conRuta) yield return 404;
        if (metodo != "get" || op.Idempotente) { yield return 409; yield return 422; }
        if (op.Cuerpo is not null) { yield return 413; yield return 415; }
        if (op.Permiso.LimitarAnonimos || op.Permiso.PorFirma) yield return 429;
        yield return 500;
    }

    private static string Descripcion(int status) => status switch
    {
        200 => "OK", 201 => "Creado (Location y, donde aplica, ETag)", 202 => "Aceptado: la orquestación quedó programada (Location para seguirla)",
        204 => "Sin contenido", 400 => "Datos inválidos: errors nombra cada campo", 401 => "No autenticado", 403 => "Prohibido: el rol no está admitido",
        404 => "No encontrado (o no visible para el llamador)", 409 => "Conflicto (versión vieja, estado que no admite el cambio, Idempotency-Key en curso)",
        413 => "Cuerpo demasiado grande", 415 => "El cuerpo no es application/json", 422 => "Regla de negocio (o Idempotency-Key usada con otro cuerpo)",
        429 => "Demasiadas solicitudes (Retry-After)", 500 => "Error interno: solo el cid, nunca detalles", 503 => "Un componente no está disponible",
        _ => $"HTTP {status}",
    };

    /// <param name="anonimo">the name an anonymous type takes (the operation's, e.g. QuienSoyRespuesta)</param>
    private static JsonObject Referencia(Type t, SortedDictionary<string, JsonNode> esquemas, Dictionary<Type, string> nombres, string anonimo)
    {
        if (!nombres.TryGetValue(t, out var nombre))
        {
            nombre = NombreEsquema(t, anonimo);
            // Two types with one short name (e.g. in two areas): the second takes its namespace's last part.
            if (esquemas.ContainsKey(nombre)) nombre = $"{t.Namespace?.Split('.').Last()}{nombre}";
            nombres[t] = nombre;
            var esquema = JsonSchemaExporter.GetJsonSchemaAsNode(OpcionesEsquema, t,
                new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
            esquemas[nombre] = Reubicar(esquema, $"#/components/schemas/{nombre}");
        }
        return new JsonObject { ["$ref"] = $"#/components/schemas/{nombre}" };
    }

    private static readonly HashSet<string> ConEsquema = ["items", "additionalProperties", "not", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems"];
    private static readonly HashSet<string> ConEsquemas = ["anyOf", "oneOf", "allOf", "prefixItems"];

    /// <summary>
    /// The exporter's $refs point into the schema's own root ("#/..."): once stored under components they must say
    /// where. Its boolean schemas ("true" for any JSON) become {} / {"not":{}}, which every OpenAPI tool reads.
    /// </summary>
    private static JsonNode Reubicar(JsonNode nodo, string raiz)
    {
        if (nodo is JsonValue b && b.TryGetValue<bool>(out var cualquiera))
            return cualquiera ? new JsonObject() : new JsonObject { ["not"] = new JsonObject() };
        if (nodo is not JsonObject o) return nodo;
        foreach (var (k, v) in o.ToList())
        {
            if (v is null) continue;
            if (k == "$ref" && v is JsonValue val && val.TryGetValue<string>(out var r) && r.StartsWith('#'))
                o[k] = raiz + r[1..];
            else if (ConEsquema.Contains(k)) o[k] = Reubicar(Desprender(o, k), raiz);
            else if (k is "properties" or "patternProperties" or "$defs" && v is JsonObject props)
                foreach (var (pk, pv) in props.ToList()) { if (pv is not null) props[pk] = Reubicar(Desprender(props, pk), raiz); }
            else if (ConEsquemas.Contains(k) && v is JsonArray a)
                for (var i = 0; i < a.Count; i++) if (a[i] is { } x) { a[i] = null; a[i] = Reubicar(x, raiz); }
        }
        return o;
    }

    /// <summary>A node must leave its parent before it can be put back somewhere else.</summary>
    private static JsonNode Desprender(JsonObject padre, string clave)
    {
        var n = padre[clave]!;
        padre[clave] = null;
        return n;
    }

    private static string NombreEsquema(Type t, string anonimo)
    {
        if (t.Name.StartsWith("<>", StringComparison.Ordinal)) return anonimo;
        if (t.IsArray) return "ListaDe" + NombreEsquema(t.GetElementType()!, anonimo);
        if (!t.IsGenericType) return t.Name;
        var args = t.GetGenericArguments();
        var def = t.GetGenericTypeDefinition();
        if (args.Length == 1 && typeof(System.Collections.IEnumerable).IsAssignableFrom(t) && def != typeof(Application.Comun.Pagina<>))
            return "ListaDe" + NombreEsquema(args[0], anonimo);
        if (args.Length == 2 && def.Name.Contains("Dictionary", StringComparison.Ordinal)) return "MapaDe" + NombreEsquema(args[1], anonimo);
        return t.Name[..t.Name.IndexOf('`')] + "De" + string.Join("Y", args.Select(a => NombreEsquema(a, anonimo)));
    }

    private static JsonObject EsquemaProblema() => new()
    {
        ["type"] = "object",
        ["description"] = "RFC 7807 problem details, as Respuestas.Problema writes them.",
        ["required"] = new JsonArray("type", "title", "status", "instance", "cid"),
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string", ["description"] = "https://telecable.mx/problemas/{status}" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer" },
            ["detail"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
            ["instance"] = new JsonObject { ["type"] = "string" },
            ["cid"] = new JsonObject { ["type"] = "string", ["description"] = "Identificador de correlación: citarlo al reportar un error." },
            ["code"] = new JsonObject { ["type"] = "string", ["description"] = "Código estable de un conflicto (409)." },
            ["recurso"] = new JsonObject { ["type"] = "string" },
            ["errors"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "Por campo, sus motivos.",
                ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            },
        },
    };
}

/// <summary>A function whose code the OpenAPI reader cannot understand: the message says which and what to change.</summary>
public sealed class FuncionNoDocumentable(string funcion, string motivo)
    : Exception($"La función HTTP {funcion}: {motivo}");
