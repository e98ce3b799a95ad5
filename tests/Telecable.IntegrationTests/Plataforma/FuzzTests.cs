using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Bogus;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Pagos;
using Telecable.IntegrationTests.Infraestructura;
using Telecable.LocalHost.Funciones;
using Xunit.Abstractions;

namespace Telecable.IntegrationTests.Plataforma;

/// <summary>
/// Issue 22: every HTTP function, discovered as the local host and the authorization test find them, gets
/// generated requests (random JSON built from the fields the endpoints read, wrong types, huge numbers, NUL and
/// lone surrogates, long strings, wrong content types, odd route and query values, valid and invalid
/// credentials, signed and unsigned webhooks). No answer may be a 5xx, and no 4xx may change the database.
/// The seed is printed (and read from TELECABLE_FUZZ_SEMILLA) so a failure can be replayed.
/// </summary>
public sealed class FuzzTests(HostFuzz host, ITestOutputHelper salida) : IClassFixture<HostFuzz>
{
    private const int SolicitudesPorFuncion = 5;
    private static readonly Regex ParametroDeRuta = new(@"\{([^}:]+)(:[^}]+)?\}", RegexOptions.Compiled);

    [Fact]
    public async Task Ninguna_solicitud_generada_recibe_5xx_ni_un_4xx_cambia_la_base()
    {
        var semilla = int.TryParse(Environment.GetEnvironmentVariable("TELECABLE_FUZZ_SEMILLA"), out var s) ? s : Environment.TickCount;
        salida.WriteLine($"Semilla: {semilla} (TELECABLE_FUZZ_SEMILLA={semilla} la repite)");
        var g = new Generador(new Faker("es_MX") { Random = new Randomizer(semilla) }, await host.CredencialesAsync());

        var funciones = CatalogoFunciones.Descubrir(typeof(Telecable.Functions.Registro).Assembly, typeof(Telecable.Orchestrations.Contexto).Assembly)
            .Where(f => f.Disparador == Disparador.Http)
            .Select(f => (f.Nombre, Atributo: (HttpTriggerAttribute)f.Atributo))
            .ToList();
        Assert.True(funciones.Count > 40, $"Solo se descubrieron {funciones.Count} funciones HTTP.");

        var fallas = new List<string>();
        var porStatus = new SortedDictionary<int, int>();
        var enviadas = 0;
        var antes = await host.HuellaAsync();
        foreach (var (nombre, atributo) in funciones)
        {
            var metodos = (atributo.Methods ?? ["get"]).ToArray();
            // Random requests to every function, then each value of a valid body made hostile in turn (where there is one).
            var solicitudes = Enumerable.Range(0, SolicitudesPorFuncion).Select(_ => g.Solicitud(nombre, g.F.PickRandom(metodos), atributo.Route ?? nombre))
                .Concat(g.Dirigidas(nombre, metodos[0], atributo.Route ?? nombre));
            foreach (var (pedido, descripcion) in solicitudes)
            {
                int status;
                string cuerpo;
                using (pedido)
                using (var r = await host.Http.SendAsync(pedido))
                {
                    status = (int)r.StatusCode;
                    cuerpo = await r.Content.ReadAsStringAsync();
                }
                enviadas++;
                if (Environment.GetEnvironmentVariable("TELECABLE_FUZZ_TRAZA") == "1") salida.WriteLine($"{status} {descripcion}");
                porStatus[status] = porStatus.GetValueOrDefault(status) + 1;
                if (status >= 500) fallas.Add($"{nombre}: {status} a {descripcion} -> {Recortar(cuerpo)}");

                if (status is >= 200 and < 300) await host.EsperarOrquestacionesAsync();
                var despues = await host.HuellaAsync();
                if (status is >= 400 and < 500)
                {
                    var cambiadas = despues.Keys.Union(antes.Keys).Where(t => despues.GetValueOrDefault(t) != antes.GetValueOrDefault(t)).ToList();
                    if (cambiadas.Count > 0) fallas.Add($"{nombre}: {status} cambió {string.Join(", ", cambiadas)} con {descripcion}");
                }
                antes = despues;
            }
        }

        salida.WriteLine($"Solicitudes: {enviadas} a {funciones.Count} funciones; por status: {string.Join(", ", porStatus.Select(p => $"{p.Key}={p.Value}"))}");
        Console.WriteLine($"[fuzz] semilla {semilla}: {enviadas} solicitudes a {funciones.Count} funciones; {string.Join(", ", porStatus.Select(p => $"{p.Key}={p.Value}"))}");
        Assert.True(fallas.Count == 0, $"Semilla {semilla}: {fallas.Count} fallas de {enviadas} solicitudes:\n" + string.Join("\n", fallas.Take(30)));
        Assert.True(porStatus.Keys.Any(k => k is >= 200 and < 300), "Ninguna solicitud pasó: el generador no llega a la lógica.");
    }

    private static string Recortar(string s) => s.Length > 300 ? s[..300] + "…" : s;

    /// <summary>Builds one request: route, query, headers and body each drawn from good, odd and hostile values.</summary>
    private sealed class Generador(Faker f, Credenciales c)
    {
        public Faker F => f;

        /// <summary>Property names of the request records the endpoints bind, camelCase: bodies that reach the validators.</summary>
        private static readonly string[] Campos = typeof(Telecable.Infrastructure.Pagos.ServicioPagos).Assembly.GetTypes()
            .Concat(typeof(Telecable.Domain.Comun.ErrorCampo).Assembly.GetTypes()).Concat(typeof(Telecable.Functions.Registro).Assembly.GetTypes())
            .Where(t => t.IsPublic && Regex.IsMatch(t.Name, "^(Solicitud|Cambio|Reporte|Progreso|Cierre|Confirmacion|Movimiento)"))
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..])
            .Append("id").Append("type").Append("data").Append("object").Append("amount").Append("metadata")
            .Distinct().Order(StringComparer.Ordinal).ToArray();

        private static readonly string[] Consultas =
            ["pagina", "tamano", "zona", "clienteId", "buscar", "estado", "tipo", "desde", "hasta", "limite", "periodo", "tecnologia",
             "velocidadMin", "precioMax", "orden", "agregadoId", "cp", "planId", "comboId"];

        public (HttpRequestMessage, string) Solicitud(string funcion, string metodo, string ruta)
        {
            var url = "api/" + ParametroDeRuta.Replace(ruta, m => Uri.EscapeDataString(ValorDeRuta(m.Groups[1].Value, m.Groups[2].Success)));
            var consulta = f.Random.Bool(0.5f)
                ? "?" + string.Join("&", Enumerable.Range(0, f.Random.Int(1, 3)).Select(_ =>
                    Uri.EscapeDataString(f.PickRandom(Consultas)) + "=" + Uri.EscapeDataString(TextoHostil())))
                : "";
            var pedido = new HttpRequestMessage(new HttpMethod(metodo.ToUpperInvariant()), url + consulta);
            var credencial = Credencial(pedido);
            var cuerpo = "";
            if (metodo is not ("get" or "head") || f.Random.Bool(0.1f))
            {
                cuerpo = c.Semillas.TryGetValue(funcion, out var semilla) && f.Random.Bool(0.6f) ? Mutar(semilla) : Cuerpo();
                var contenido = new ByteArrayContent(Encoding.UTF8.GetBytes(cuerpo));
                var tipo = f.Random.WeightedRandom(
                    ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "", "application/merge-patch+json"],
                    [0.55f, 0.15f, 0.1f, 0.05f, 0.1f, 0.05f]);
                if (tipo.Length > 0) contenido.Headers.ContentType = MediaTypeHeaderValue.Parse(tipo);
                pedido.Content = contenido;
                if (ruta.StartsWith("pagos/webhooks", StringComparison.Ordinal) && f.Random.Bool(0.6f))
                    pedido.Headers.TryAddWithoutValidation(FirmaStripe.Encabezado,
                        FirmaStripe.Generar(Encoding.UTF8.GetBytes(cuerpo), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), HostFuzz.Secreto));
            }
            if (f.Random.Bool(0.6f))
                pedido.Headers.TryAddWithoutValidation("Idempotency-Key", f.Random.Bool(0.9f) ? Guid.NewGuid().ToString() : new string('k', 300));
            if (f.Random.Bool(0.1f)) pedido.Headers.TryAddWithoutValidation("If-Match", f.PickRandom("\"1\"", "W/\"2\"", "\"x\"", "-1"));
            if (f.Random.Bool(0.1f)) pedido.Headers.TryAddWithoutValidation("X-Correlation-Id", f.Random.Bool() ? f.Random.AlphaNumeric(f.Random.Int(1, 300)) : "../x y");
            return (pedido, $"{metodo.ToUpperInvariant()} {url}{consulta} [{credencial}] {Recortar(cuerpo)}");
        }

        private string ValorDeRuta(string nombre, bool restringido) => f.Random.WeightedRandom<Func<string>>(
        [
            () => f.PickRandom(c.Ids),
            () => Guid.NewGuid().ToString(),
            () => nombre == "gateway" ? "emulada" : nombre == "cp" ? f.PickRandom("64000", "64620", "00000") : f.Random.AlphaNumeric(8),
            () => restringido ? Guid.NewGuid().ToString() : TextoHostil(),
        ], [0.45f, 0.2f, 0.2f, 0.15f])();

        private string Credencial(HttpRequestMessage pedido)
        {
            var (nombre, valor) = f.Random.WeightedRandom<(string, string)>(
                [("admin", c.Tokens["admin"]), ("cobranzas", c.Tokens["cobranzas"]), ("soporte", c.Tokens["soporte"]),
                 ("tecnico", c.Tokens["tecnico"]), ("cliente", c.Tokens["cliente"]), ("ninguna", ""),
                 ("basura", "Bearer " + f.Random.AlphaNumeric(40)), ("alterado", c.Tokens["admin"][..^3] + "abc"), ("basic", "Basic YWRtaW46YWRtaW4=")],
                [0.3f, 0.12f, 0.08f, 0.08f, 0.12f, 0.12f, 0.06f, 0.06f, 0.06f]);
            if (valor.Length > 0) pedido.Headers.TryAddWithoutValidation("Authorization", valor);
            if (f.Random.Bool(0.3f))
                pedido.Headers.TryAddWithoutValidation("X-Router-Auth", f.Random.Bool(0.7f) ? c.Router : $"{c.Serial}:clave-equivocada");
            return nombre;
        }

        /// <summary>
        /// For an endpoint with a valid body: the right caller and headers, and that body with each of its values in turn
        /// replaced by hostile text (NUL or a lone surrogate) and by a number wider than any column, so the database code is reached.
        /// </summary>
        public IEnumerable<(HttpRequestMessage, string)> Dirigidas(string funcion, string metodo, string ruta)
        {
            if (!c.Semillas.TryGetValue(funcion, out var semilla)) yield break;
            var url = "api/" + ParametroDeRuta.Replace(ruta, m => m.Groups[1].Value switch
            {
                "routerId" => "00000000-0000-0000-0000-000000007001",
                "id" => "00000000-0000-0000-0000-000000002002",
                "gateway" => "emulada",
                _ => Guid.NewGuid().ToString(),
            });
            var hojas = Hojas(JsonNode.Parse(semilla)!).Count;
            for (var i = 0; i < hojas; i++)
            {
                foreach (var hostil in new[] { Json(f.PickRandom("x\0y", "a\ud800b", "\udc00")), f.PickRandom("9223372036854775807", "1e30", "-123456789012.5") })
                {
                    var raiz = JsonNode.Parse(semilla)!;
                    Marcar(Hojas(raiz)[i]);
                    var cuerpo = raiz.ToJsonString().Replace($"\"{Marca}\"", hostil);
                    var pedido = new HttpRequestMessage(new HttpMethod(metodo.ToUpperInvariant()), url) { Content = new StringContent(cuerpo, Encoding.UTF8, "application/json") };
                    if (funcion != "EmitirToken") pedido.Headers.TryAddWithoutValidation("Authorization", c.Tokens["admin"]);
                    pedido.Headers.TryAddWithoutValidation("X-Router-Auth", c.Router);
                    pedido.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());
                    pedido.Headers.TryAddWithoutValidation(FirmaStripe.Encabezado,
                        FirmaStripe.Generar(Encoding.UTF8.GetBytes(cuerpo), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), HostFuzz.Secreto));
                    yield return (pedido, $"{metodo.ToUpperInvariant()} {url} [dirigida] {Recortar(cuerpo)}");
                }
            }
        }

        private const string Marca = "__mutacion__";

        /// <summary>The values (not objects or arrays) of a JSON tree, in document order.</summary>
        private static List<JsonNode> Hojas(JsonNode raiz)
        {
            var hojas = new List<JsonNode>();
            void Juntar(JsonNode? n)
            {
                switch (n)
                {
                    case JsonObject o: foreach (var (_, v) in o) Juntar(v); break;
                    case JsonArray a: foreach (var v in a) Juntar(v); break;
                    case not null: hojas.Add(n); break;
                }
            }
            Juntar(raiz);
            return hojas;
        }

        /// <summary>Puts the marker where the leaf was.</summary>
        private static void Marcar(JsonNode hoja)
        {
            if (hoja.Parent is JsonObject padre) padre[hoja.GetPropertyName()] = Marca;
            else if (hoja.Parent is JsonArray lista) lista[hoja.GetElementIndex()] = Marca;
        }

        /// <summary>A valid body of the endpoint with one value (or one more property) made hostile: reaches the database code.</summary>
        private string Mutar(string semilla)
        {
            var raiz = JsonNode.Parse(semilla)!;
            var hojas = new List<JsonNode>();
            void Juntar(JsonNode? n)
            {
                switch (n)
                {
                    case JsonObject o: hojas.Add(o); foreach (var (_, v) in o) Juntar(v); break;
                    case JsonArray a: hojas.Add(a); foreach (var v in a) Juntar(v); break;
                    case not null: hojas.Add(n); break;
                }
            }
            Juntar(raiz);
            var elegido = f.PickRandom(hojas);
            if (elegido is JsonObject obj) obj[f.PickRandom(Campos)] = Marca;
            else if (elegido is JsonArray arr) arr.Add(Marca);
            else if (elegido.Parent is JsonObject padre) padre[elegido.GetPropertyName()] = Marca;
            else if (elegido.Parent is JsonArray lista) lista[elegido.GetElementIndex()] = Marca;
            var hostil = f.Random.Bool(0.6f) ? Json(TextoHostil()) : Valor(3);
            return raiz.ToJsonString().Replace($"\"{Marca}\"", hostil);
        }

        private string Cuerpo() => f.Random.WeightedRandom<Func<string>>(
        [
            () => Objeto(0),
            () => Valor(1),
            () => "{\"" + f.PickRandom(Campos) + "\":",                                   // truncated
            () => f.Lorem.Sentence(),                                                     // not JSON at all
            () => "",
            () => "[" + string.Join(",", Enumerable.Range(0, f.Random.Int(0, 5)).Select(_ => Objeto(1))) + "]",
            () => new string('[', 200) + new string(']', 200),                            // deep nesting
        ], [0.6f, 0.08f, 0.06f, 0.06f, 0.06f, 0.07f, 0.07f])();

        private string Objeto(int profundidad)
        {
            var n = f.Random.Int(0, 6);
            var propiedades = Enumerable.Range(0, n).Select(_ => Json(f.Random.Bool(0.9f) ? f.PickRandom(Campos) : TextoHostil()) + ":" + Valor(profundidad + 1));
            return "{" + string.Join(",", propiedades) + "}";
        }

        private string Valor(int profundidad) => f.Random.WeightedRandom<Func<string>>(
        [
            () => Json(TextoHostil()),
            () => Numero(),
            () => f.Random.Bool() ? "true" : "false",
            () => "null",
            () => Json(Guid.NewGuid().ToString()),
            () => Json(f.PickRandom(c.Ids)),
            () => Json(f.Date.Soon().ToString(f.PickRandom("yyyy-MM-dd", "yyyy-MM", "o"), CultureInfo.InvariantCulture)),
            () => profundidad > 3 ? "1" : "[" + string.Join(",", Enumerable.Range(0, f.Random.Int(0, 3)).Select(_ => Valor(profundidad + 1))) + "]",
            () => profundidad > 3 ? "{}" : Objeto(profundidad + 1),
        ], [0.25f, 0.2f, 0.05f, 0.05f, 0.08f, 0.12f, 0.08f, 0.08f, 0.09f])();

        private string Numero() => f.Random.WeightedRandom(
            ["9223372036854775807", "-9223372036854775808", "1e308", "-1e400", "1E+30", "0", "-1", "0.001", "2147483648", "99999999999.99",
             f.Random.Int(-1000, 100000).ToString(CultureInfo.InvariantCulture),
             f.Random.Decimal(0, 5000).ToString("0.####", CultureInfo.InvariantCulture)],
            [0.06f, 0.06f, 0.06f, 0.04f, 0.04f, 0.08f, 0.08f, 0.06f, 0.06f, 0.06f, 0.2f, 0.2f]);

        /// <summary>Ordinary words, data of the domain's shape, and what breaks naive code.</summary>
        private string TextoHostil() => f.Random.WeightedRandom<Func<string>>(
        [
            () => f.Name.FullName(),
            () => f.Random.AlphaNumeric(f.Random.Int(1, 20)),
            () => f.PickRandom("efectivo", "tarjeta", "transferencia", "emulada", "MTY_CENTRO", "fibra", "abierto", "en_camino", "instalado", "02", "01",
                "2026-01", "suspender", "reactivar", "cancelar", "G03", "612", "64000", "demo", "admin"),
            () => "x\0y",
            () => "a\ud800b",
            () => "\udc00",
            () => new string('A', f.Random.Int(300, 6000)),
            () => f.PickRandom("../../etc/passwd", "' OR '1'='1", "<script>alert(1)</script>", "%00", "😀🇲🇽", "${jndi:ldap://x}", " ", ""),
            () => f.Random.Utf16String(1, 40),
        ], [0.14f, 0.14f, 0.16f, 0.1f, 0.08f, 0.04f, 0.08f, 0.14f, 0.12f])();

        /// <summary>A JSON string literal; control characters and every surrogate escaped, so lone ones travel as \uD800.</summary>
        private static string Json(string s)
        {
            var sb = new StringBuilder("\"");
            foreach (var ch in s)
            {
                if (ch == '"') sb.Append("\\\"");
                else if (ch == '\\') sb.Append("\\\\");
                else if (ch < 0x20 || char.IsSurrogate(ch)) sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                else sb.Append(ch);
            }
            return sb.Append('"').ToString();
        }
    }
}

/// <summary>Tokens of each demo role, the demo router's device key and ids that exist, for the generator to use.</summary>
public sealed record Credenciales(Dictionary<string, string> Tokens, string Router, string Serial, string[] Ids, Dictionary<string, string> Semillas);

/// <summary>
/// A host of its own whose database only the requests change: the outbox relay, the payment starter and the
/// outage detector are off, so a fingerprint taken after a 4xx shows only what that 4xx did.
/// </summary>
public sealed class HostFuzz : HostPrueba
{
    public const string Secreto = "whsec_fuzz_de_pruebas_0123456789";

    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>(SinEscritoresDeFondo)
    {
        ["Webhooks:Pagos:Secretos:0"] = Secreto,
        ["PagosInicioCron"] = "0 0 0 1 1 *",
    };

    public async Task<Credenciales> CredencialesAsync()
    {
        var tokens = new Dictionary<string, string>
        {
            ["admin"] = "Bearer " + TokenPara("admin", ["admin"]),
            ["cobranzas"] = "Bearer " + TokenPara("cobranzas", ["cobranzas"]),
            ["soporte"] = "Bearer " + TokenPara("soporte", ["soporte"]),
            ["tecnico"] = "Bearer " + TokenPara("tecnico", ["tecnico"], tecnicoId: Guid.Parse("00000000-0000-0000-0000-00000000e001")),
            ["cliente"] = "Bearer " + TokenPara("cliente", ["cliente"], clienteId: Guid.Parse("00000000-0000-0000-0000-00000000c001")),
        };
        var serial = (await EscalarAsync<string>("SELECT serial FROM routers WHERE id = '00000000-0000-0000-0000-000000007001'"))!;
        string[] ids =
        [
            "00000000-0000-0000-0000-00000000c001", "00000000-0000-0000-0000-00000000b001", "00000000-0000-0000-0000-000000008009",
            "00000000-0000-0000-0000-000000007001", "00000000-0000-0000-0000-00000000e001", "00000000-0000-0000-0000-000000002002",
            "00000000-0000-0000-0000-000000003002", "00000000-0000-0000-0000-000000001003",
            (await EscalarAsync<Guid>("SELECT id FROM facturas ORDER BY id LIMIT 1")).ToString(),
            (await EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE uuid IS NOT NULL ORDER BY id LIMIT 1")).ToString(),
        ];
        const string ClienteDemo = "00000000-0000-0000-0000-00000000c001";
        var semillas = new Dictionary<string, object>
        {
            ["RegistrarPago"] = new { clienteId = ClienteDemo, monto = 10.50m, metodo = "efectivo", referencia = "REF-1" },
            ["EjecutarConciliacion"] = new { gateway = "emulada", periodo = "2026-01-02", movimientos = new[] { new { referencia = "pi_1", monto = 10.5m } } },
            ["ReportarEstadoRouter"] = new { serial, firmware = "V1", uptimeSegundos = 100, senalDbm = -19.5m, bajadaMbps = 300m, subidaMbps = 90m },
            ["ConfirmarComandoRouter"] = new { exito = false, detalle = "sin respuesta" },
            ["EmitirToken"] = new { usuario = "admin", password = Password },
            ["CrearCliente"] = Clientes.Datos.Cliente(),
            ["IniciarAlta"] = AltasYTickets.HostAltas.SolicitudAlta(),
            ["CrearTicket"] = new { contratoId = "00000000-0000-0000-0000-00000000b001", descripcion = "Sin señal" },
            ["EnviarNotificacion"] = new { clienteId = ClienteDemo, canal = "whatsapp", mensaje = "Hola" },
            ["FijarPrecio"] = new { zona = "MTY_CENTRO", precioMensual = 1.00m, vigenteDesde = "2031-01-01" },
        }.ToDictionary(p => p.Key, p => JsonSerializer.Serialize(p.Value, JsonSerializerOptions.Web));
        semillas["RecibirWebhookPago"] = AdaptadorPasarelaEmulada.CuerpoPagoExitoso($"evt_{Guid.NewGuid():N}", "pi_1", Guid.Parse(ClienteDemo), 10m);
        return new Credenciales(tokens, $"{serial}:demo-key-{serial}", serial, ids, semillas);
    }
}
