using System.Diagnostics;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Telecable.Functions;

namespace Telecable.UnitTests;

/// <summary>
/// One settings contract. Every configuration key the code reads (options classes bound with BindConfiguration,
/// direct IConfiguration reads in the source, %Setting% in [TimerTrigger] schedules and host.json) is compared
/// with local.settings.sample.json and with the function app's app settings in infra/bicep/main.bicep, compiled
/// with the same bicep binary as scripts/bicep.sh. A key the code reads must be in both, unless <see cref="Clases"/>
/// says why not; a key either file sets must be read by something. Each failure names the key and the file.
/// </summary>
public sealed partial class ContratoSettingsTests
{
    private enum Clase
    {
        /// <summary>In local.settings.sample.json and in the Bicep app settings (the default for every key).</summary>
        Ambos,
        /// <summary>In the sample only; the Bicep must not write it.</summary>
        SoloLocal,
        /// <summary>In the Bicep only; the sample must not carry it.</summary>
        SoloAzure,
        /// <summary>Either may set it: its default is right in both places (tuning knobs, test hooks).</summary>
        Opcional,
    }

    /// <summary>
    /// Keys that are not "in both", and why. Keys use ':' (the sample's and Bicep's '__'). A trailing ":*" covers a
    /// list or a whole section. An entry that matches nothing the code or the platform reads fails the test too.
    /// </summary>
    private static readonly Dictionary<string, Clase> Clases = new(StringComparer.OrdinalIgnoreCase)
    {
        // --- local only: emulators, files, the development issuer ---
        ["FUNCTIONS_WORKER_RUNTIME"] = Clase.SoloLocal,       // Core Tools; Flex sets the runtime in functionAppConfig and refuses this setting
        ["AzureWebJobsStorage"] = Clase.SoloLocal,            // Azurite's connection string; Azure uses the identity-based AzureWebJobsStorage__*
        ["Durable:Backend"] = Clase.SoloLocal,                // the local host's choice of durable backend; the real host always uses host.json's
        ["LocalHost:Port"] = Clase.SoloLocal,                 // the local host's port
        ["Postgres:CargarDemo"] = Clase.SoloLocal,            // demo seed: never in Azure
        ["Blob:ConnectionString"] = Clase.SoloLocal,          // Azurite; Azure uses Blob:ServiceUri with the identity
        ["Outbox:JsonlPath"] = Clase.SoloLocal,               // events to a file where there is no Service Bus
        ["Auth:EmisorDesarrollo"] = Clase.SoloLocal,          // the development token issuer: never in Azure (Entra ID issues tokens)
        ["Auth:SigningKeys:*"] = Clase.SoloLocal,             // its signing keys
        ["Auth:DemoPassword"] = Clase.SoloLocal,              // the demo users' password
        ["Cuentas:VigenciaSesionMinutos"] = Clase.SoloLocal,  // sessions of the development issuer's accounts; Entra External ID sets its own in Azure
        ["Csd:CerPath"] = Clase.SoloLocal,                    // CSD files; in Azure the CSD comes from Key Vault (Csd:KeyVaultUri)
        ["Csd:KeyPath"] = Clase.SoloLocal,
        ["Csd:Password"] = Clase.SoloLocal,                   // in Azure ProveedorCsd reads the secret csd-password itself
        ["Webhooks:Pagos:Secretos:*"] = Clase.SoloLocal,      // in Azure they come from Key Vault through the SDK (SecretosKeyVault.Mapa)
        ["Webhooks:Spei:Secretos:*"] = Clase.SoloLocal,       // likewise (webhook-spei-secreto-actual / -anterior)
        ["Webhooks:Oxxo:Secretos:*"] = Clase.SoloLocal,       // likewise (webhook-oxxo-secreto-actual / -anterior)
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Clase.SoloLocal,    // a local collector; Azure exports to Application Insights
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = Clase.SoloLocal,
        ["Operaciones:PrometheusUrl"] = Clase.SoloLocal,      // the local Prometheus whose alerts the operations page lists; Azure alerts live in Azure Monitor

        // --- Azure only: managed identity, Entra ID, Azure resources ---
        ["AzureWebJobsStorage:accountName"] = Clase.SoloAzure, // identity-based host storage (read by the Functions host)
        ["AzureWebJobsStorage:credential"] = Clase.SoloAzure,
        ["AzureWebJobsStorage:clientId"] = Clase.SoloAzure,
        ["AZURE_CLIENT_ID"] = Clase.SoloAzure,                 // DefaultAzureCredential picks the user-assigned identity
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = Clase.SoloAzure,
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = Clase.SoloAzure,
        ["OTEL_SERVICE_NAME"] = Clase.SoloAzure,               // read by the OpenTelemetry SDK from the environment
        ["OTEL_RESOURCE_ATTRIBUTES"] = Clase.SoloAzure,
        ["OTEL_TRACES_SAMPLER"] = Clase.SoloAzure,
        ["OTEL_TRACES_SAMPLER_ARG"] = Clase.SoloAzure,
        ["AzureFunctionsJobHost:*"] = Clase.SoloAzure,         // host.json overrides; each must name a path host.json has (checked below)
        ["Postgres:Autenticacion"] = Clase.SoloAzure,          // EntraId in Azure; the default (Password) locally
        ["Postgres:PoolTelemetria"] = Clase.SoloAzure,         // part of Azure's connection budget; the default locally
        ["Blob:ServiceUri"] = Clase.SoloAzure,
        ["ServiceBus:FullyQualifiedNamespace"] = Clase.SoloAzure,
        ["ServiceBus:Topic"] = Clase.SoloAzure,
        ["Csd:KeyVaultUri"] = Clase.SoloAzure,
        ["KeyVault:Uri"] = Clase.SoloAzure,                    // secrets read through the SDK (SecretosKeyVault)
        ["Auth:Authority"] = Clase.SoloAzure,                  // Entra ID; empty locally means the development issuer
        ["Auth:Audience"] = Clase.SoloAzure,
        ["Auth:AuthorityClientes"] = Clase.SoloAzure,          // Entra External ID tenant of the customers (docs/cuentas.md)
        ["Facturacion:PartesEnVuelo"] = Clase.SoloAzure,       // the billing backlog sized for Flex (infra/bicep/README.md)

        // --- optional: defaults right everywhere, tuning knobs and test hooks ---
        ["settings"] = Clase.Opcional,                         // the local host's --settings path
        ["LocalHost:StaticWeb"] = Clase.Opcional,
        ["Durable:PuertoSidecar"] = Clase.Opcional,
        ["Durable:PollingMs"] = Clase.Opcional,
        ["ServiceBus:ConnectionString"] = Clase.Opcional,      // a developer pointing at a real namespace with a key
        ["Auth:Issuer"] = Clase.Opcional,
        ["Auth:Vigencia"] = Clase.Opcional,
        ["Blob:MaxSubidas"] = Clase.Opcional,
        ["Limites:AnonimoPorMinuto"] = Clase.Opcional,
        ["Emisor:DiasVencimiento"] = Clase.Opcional,
        ["Facturacion:*"] = Clase.Opcional,
        ["ComplementoPago:*"] = Clase.Opcional,
        ["Webhooks:Pagos:ToleranciaSegundos"] = Clase.Opcional,
        ["Webhooks:Spei:ToleranciaSegundos"] = Clase.Opcional,   // 300 s, as the card webhook
        ["Webhooks:Oxxo:ToleranciaSegundos"] = Clase.Opcional,   // likewise
        ["Oxxo:Proveedor"] = Clase.Opcional,                   // the cash provider that issues references (oxxo, the only one)
        ["Oxxo:CerrarVencidas"] = Clase.Opcional,
        ["Cobranza:Evaluar"] = Clase.Opcional,                 // the collections timer; off only in tests that fingerprint the database              // the expiry timer; off only in tests that fingerprint the database
        ["Pac:*"] = Clase.Opcional,                            // the emulated PAC's knobs (Pac:Carpeta is "in both", below)
        ["Routers:*"] = Clase.Opcional,                        // telemetry cadence and limits (Routers:DetectarDesconexiones is "in both")
        ["Pagos:FallarPaso"] = Clase.Opcional,                 // test hook (local host's InyectorFallasConfigurado), never set
        ["Pruebas:InyectarFallas"] = Clase.Opcional,           // test hosts only: turns on InyectorFallasConfigurado in the local host
        ["Notificaciones:*"] = Clase.Opcional,                 // delivery retries and batch; TasaFallaSimulada is a test hook of the emulated providers
        ["Operaciones:DiasMuestras"] = Clase.Opcional,         // retention of the operations samples (7 days)
        ["Altas:*"] = Clase.Opcional,                          // test hooks of the onboarding saga, never set
        ["OTEL_*"] = Clase.Opcional,                           // any other standard OpenTelemetry variable
        ["Postgres:MigrarAlIniciar"] = Clase.Ambos,            // true locally, false in Azure (a release step migrates)
        ["Pac:Carpeta"] = Clase.Ambos,                         // where the emulated PAC keeps its certificate (a writable folder)
        ["Routers:DetectarDesconexiones"] = Clase.Ambos,       // off by default: both must say it
        ["Facturacion:CreditosSla"] = Clase.Ambos,             // SLA credit notes: off by default, both must say it
    };

    /// <summary>Keys read by the Functions host, the Azure SDK or OpenTelemetry rather than by our code.</summary>
    private static readonly string[] Plataforma =
    [
        "FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage", "AzureWebJobsStorage:accountName", "AzureWebJobsStorage:credential",
        "AzureWebJobsStorage:clientId", "AZURE_CLIENT_ID", "OTEL_*", "AzureFunctionsJobHost:*",
    ];

    private sealed record Lectura(string Clave, string Donde);

    [Fact]
    public void Cada_setting_que_el_codigo_lee_esta_donde_debe_y_nada_sobra()
    {
        var leidas = LeidasPorElCodigo().Concat(Plataforma.Select(p => new Lectura(p, "the platform (host, Azure SDK, OpenTelemetry)"))).ToList();
        var muestra = ClavesMuestra();
        var bicep = ClavesBicep();
        var fallas = new List<string>();

        foreach (var (clave, lecturas) in leidas.GroupBy(l => l.Clave, StringComparer.OrdinalIgnoreCase).Select(g => (g.Key, g.ToList())))
        {
            if (clave.EndsWith(":*", StringComparison.Ordinal) && clave.StartsWith("AzureFunctionsJobHost", StringComparison.Ordinal)) continue;
            var donde = string.Join("; ", lecturas.Select(l => l.Donde).Distinct());
            var enMuestra = muestra.Any(k => Coincide(clave, k));
            var enBicep = bicep.Any(k => Coincide(clave, k));
            var nombre = clave.Replace(":", "__");
            switch (ClaseDe(clave))
            {
                case Clase.Ambos:
                    if (!enMuestra) fallas.Add($"{nombre}: read by {donde}, missing in local.settings.sample.json");
                    if (!enBicep) fallas.Add($"{nombre}: read by {donde}, missing in the app settings of infra/bicep/main.bicep");
                    break;
                case Clase.SoloLocal:
                    if (!enMuestra) fallas.Add($"{nombre}: local-only (read by {donde}), missing in local.settings.sample.json");
                    if (enBicep) fallas.Add($"{nombre}: local-only, but infra/bicep/main.bicep writes it");
                    break;
                case Clase.SoloAzure:
                    if (!enBicep) fallas.Add($"{nombre}: Azure-only (read by {donde}), missing in the app settings of infra/bicep/main.bicep");
                    if (enMuestra) fallas.Add($"{nombre}: Azure-only, but local.settings.sample.json sets it");
                    break;
            }
        }

        foreach (var (archivo, claves) in new[] { ("local.settings.sample.json", muestra), ("infra/bicep/main.bicep", bicep) })
            foreach (var k in claves.Where(k => !leidas.Any(l => Coincide(l.Clave, k))))
                fallas.Add($"{k.Replace(":", "__")}: set in {archivo}, but nothing reads it");

        // A host.json override must name something host.json has, or the host silently ignores a typo.
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(Raiz, "host.json")))!;
        foreach (var k in bicep.Where(k => k.StartsWith("AzureFunctionsJobHost:", StringComparison.OrdinalIgnoreCase)))
        {
            JsonNode? n = host;
            foreach (var parte in k.Split(':').Skip(1)) n = n is JsonObject o ? o.FirstOrDefault(p => p.Key.Equals(parte, StringComparison.OrdinalIgnoreCase)).Value : null;
            if (n is null) fallas.Add($"{k.Replace(":", "__")}: infra/bicep/main.bicep overrides a host.json path that host.json does not have");
        }

        foreach (var entrada in Clases.Keys.Where(e => !leidas.Any(l => Coincide(e, l.Clave) || Coincide(l.Clave, e))))
            fallas.Add($"{entrada}: entry of ContratoSettingsTests.Clases that nothing reads (remove it)");

        Assert.True(fallas.Count == 0, "Settings contract broken:\n  " + string.Join("\n  ", fallas.Order()));
    }

    [Fact]
    public void La_lista_de_lecturas_encuentra_opciones_lecturas_directas_y_timers()
    {
        // Guards the scanner itself: if one of its three sources stopped yielding keys, the contract would pass vacuously.
        var leidas = LeidasPorElCodigo().Select(l => l.Clave).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Emisor:Rfc", leidas);                    // options class
        Assert.Contains("Auth:SigningKeys:*", leidas);            // a list in an options class
        Assert.Contains("PAC_MODE", leidas);                      // direct read
        Assert.Contains("OutboxRelayCron", leidas);               // %Setting% in a timer
        Assert.Contains("DURABLE_TASK_HUB", leidas);              // %Setting% in host.json
        Assert.DoesNotContain("Routers:LimiteSinReporte", leidas); // computed, not bound
    }

    [Fact]
    public void Los_modos_que_la_Bicep_admite_son_los_que_la_app_implementa()
    {
        var plantilla = JsonNode.Parse(CompilarBicep())!;
        foreach (var (parametro, setting) in new[] { ("pacMode", "PAC_MODE"), ("paymentMode", "PAYMENT_MODE") })
        {
            var admitidos = plantilla["parameters"]![parametro]!["allowedValues"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
            Assert.NotEmpty(admitidos);
            foreach (var valor in admitidos)
            {
                var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [setting] = valor }).Build();
                new ServiceCollection().AgregarTelecable(config); // throws on a mode the app does not implement
            }
            var vivo = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [setting] = "live" }).Build();
            Assert.Contains($"{setting}=live", Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AgregarTelecable(vivo)).Message);
        }
    }

    [Theory]
    [InlineData("dev.bicepparam")]
    [InlineData("prod.bicepparam")]
    public void El_presupuesto_de_conexiones_cabe_en_el_servidor_a_la_escala_maxima(string archivo)
    {
        // main.bicep computes both pools from the SKU's max_connections (its map), minus 15 kept by Azure and 20
        // for the release step and admins, divided by the maximum instance count; this redoes it per environment.
        var plantilla = JsonNode.Parse(CompilarBicep())!;
        var maximos = plantilla["variables"]!["postgresMaxConnectionsPorSku"]!.AsObject();
        var telemetria = plantilla["variables"]!["postgresPoolTelemetria"]!.GetValue<int>();
        var valores = JsonNode.Parse(JsonNode.Parse(Ejecutar(RutaBicep(), ["build-params", Path.Combine(Raiz, "infra", "bicep", "parameters", archivo), "--stdout"]))!["parametersJson"]!.GetValue<string>())!["parameters"]!;
        T Valor<T>(string nombre) => (valores[nombre]?["value"] ?? plantilla["parameters"]![nombre]!["defaultValue"])!.GetValue<T>();

        var sku = Valor<string>("postgresSkuName");
        var instancias = Valor<int>("functionMaximumInstanceCount");
        var maximo = maximos[sku]?.GetValue<int>() ?? throw new InvalidOperationException($"{archivo}: SKU {sku} is not in postgresMaxConnectionsPorSku");
        var principal = (maximo - 15 - 20) / instancias - telemetria;
        Assert.True(principal >= 4, $"{archivo}: {sku} with {instancias} instances leaves a main pool of {principal} connections per instance");
        Assert.True((principal + telemetria) * instancias <= maximo - 15, $"{archivo}: {(principal + telemetria) * instancias} connections at maximum scale > {maximo - 15}");

        // And the app settings use those variables, not a constant that could drift from them.
        var ajustes = Recursos(plantilla).Single(r => (string?)r["name"] == "functionapp")["properties"]!["parameters"]!["appSettings"]!["value"]!;
        Assert.Contains("variables('postgresPoolPrincipal')", ajustes["Postgres__ConnectionString"]!.GetValue<string>());
        Assert.Contains("variables('postgresPoolTelemetria')", ajustes["Postgres__PoolTelemetria"]!.GetValue<string>());
    }

    // ------------------------------------------------------------------------------------------------
    // What the code reads
    // ------------------------------------------------------------------------------------------------

    private static List<Lectura> LeidasPorElCodigo()
    {
        var r = new List<Lectura>();

        // 1. Options classes: every T bound with BindConfiguration leaves an IOptionsChangeTokenSource<T>.
        var s = new ServiceCollection();
        s.AgregarTelecable(new ConfigurationBuilder().Build());
        var tipos = s.Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
            .Select(t => t.GetGenericArguments()[0]).Distinct().ToList();
        Assert.NotEmpty(tipos);
        foreach (var t in tipos)
        {
            var seccion = t.GetField("Seccion", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
                ?? throw new InvalidOperationException($"{t.Name} is bound from configuration but has no const Seccion naming its section.");
            foreach (var k in ClavesDeTipo(t, seccion, 0)) r.Add(new(k, $"{t.Name} (section {seccion})"));
        }

        // 2. Direct reads in the source of the app, the orchestrations and the local host.
        foreach (var carpeta in new[] { "functions", "shared", "orchestrations" })
            foreach (var archivo in Directory.EnumerateFiles(Path.Combine(Raiz, carpeta), "*.cs", SearchOption.AllDirectories)
                         .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")))
            {
                var texto = File.ReadAllText(archivo);
                var rel = Path.GetRelativePath(Raiz, archivo);
                foreach (Match m in LecturaDirecta().Matches(texto)) r.Add(new(m.Groups["k"].Value, rel));
                foreach (Match m in LecturaGetValue().Matches(texto)) r.Add(new(m.Groups["k"].Value, rel));
                // A section read as a list (GetSection("A:B").GetChildren()): its numbered keys A:B:0, A:B:1...
                foreach (Match m in LecturaLista().Matches(texto)) r.Add(new(m.Groups["k"].Value + ":*", rel));
                foreach (Match m in LecturaNoLiteral().Matches(texto))
                    // The one reader of computed keys: it resolves %Setting% of timer schedules, covered by step 3.
                    if (!rel.EndsWith(Path.Combine("Telecable.LocalHost", "Configuracion.cs"), StringComparison.Ordinal))
                        throw new InvalidOperationException($"{rel}: a configuration read with a computed key ({m.Value}); the settings contract cannot see it.");
            }

        // 3. %Setting% in timer schedules and in host.json.
        foreach (var m in typeof(Registro).Assembly.GetTypes().SelectMany(t => t.GetMethods()))
            foreach (var p in m.GetParameters())
                foreach (var a in p.GetCustomAttributes().Where(a => a.GetType().Name == "TimerTriggerAttribute"))
                    foreach (Match x in Porcentaje().Matches((string)a.GetType().GetProperty("Schedule")!.GetValue(a)!))
                        r.Add(new(x.Groups[1].Value, $"[TimerTrigger] of {m.DeclaringType!.Name}.{m.Name}"));
        foreach (Match x in Porcentaje().Matches(File.ReadAllText(Path.Combine(Raiz, "host.json"))))
            r.Add(new(x.Groups[1].Value, "host.json"));

        return r.Where(l => !l.Clave.EndsWith(":", StringComparison.Ordinal)).Select(l => l with { Clave = l.Clave.Replace("__", ":") }).ToList();
    }

    private static IEnumerable<string> ClavesDeTipo(Type t, string prefijo, int profundidad)
    {
        if (profundidad > 5) yield break;
        foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var tp = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            var clave = $"{prefijo}:{p.Name}";
            var coleccion = tp != typeof(string) && tp != typeof(byte[]) && typeof(System.Collections.IEnumerable).IsAssignableFrom(tp);
            // The binder sets writable properties and fills collections it can reach; computed properties it skips.
            if (!coleccion && p.SetMethod is not { IsPublic: true }) continue;
            if (EsHoja(tp)) yield return clave;
            else if (coleccion) yield return clave + ":*";
            else foreach (var k in ClavesDeTipo(tp, clave, profundidad + 1)) yield return k;
        }
    }

    private static bool EsHoja(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(DateTimeOffset)
        || t == typeof(DateTime) || t == typeof(Guid) || t == typeof(Uri) || t == typeof(byte[]);

    // config["X"], configuration["X"], Configuration["X"] (any identifier ending in config/configuration).
    [GeneratedRegex(@"(?i:config(?:uration)?)\s*\[\s*""(?<k>[^""]+)""\s*\]")]
    private static partial Regex LecturaDirecta();

    [GeneratedRegex(@"\.GetValue<[^>]+>\(\s*""(?<k>[^""]+)""")]
    private static partial Regex LecturaGetValue();

    [GeneratedRegex(@"\.GetSection\(\s*""(?<k>[^""]+)""\s*\)\s*\.GetChildren\(\)")]
    private static partial Regex LecturaLista();

    [GeneratedRegex(@"(?i:config(?:uration)?)\s*\[\s*[^""\s\]][^\]]*\]")]
    private static partial Regex LecturaNoLiteral();

    [GeneratedRegex("%([A-Za-z0-9_:]+)%")]
    private static partial Regex Porcentaje();

    // ------------------------------------------------------------------------------------------------
    // What the two files set
    // ------------------------------------------------------------------------------------------------

    private static List<string> ClavesMuestra()
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Raiz, "local.settings.sample.json")))!;
        return json["Values"]!.AsObject().Select(p => p.Key.Replace("__", ":")).ToList();
    }

    /// <summary>The function app's app settings as main.bicep compiles them: the module's appSettings parameter, plus
    /// the keys functionapp.bicep adds with union(..., { KEY: ... }) in its sites/config resource.</summary>
    private static List<string> ClavesBicep()
    {
        var plantilla = JsonNode.Parse(CompilarBicep())!;
        var modulo = Recursos(plantilla).Single(r => (string?)r["type"] == "Microsoft.Resources/deployments" && (string?)r["name"] == "functionapp");
        var claves = modulo["properties"]!["parameters"]!["appSettings"]!["value"]!.AsObject().Select(p => p.Key).ToList();
        var config = Recursos(modulo["properties"]!["template"]!)
            .Single(r => (string?)r["type"] == "Microsoft.Web/sites/config");
        var propiedades = config["properties"] is JsonValue v ? v.GetValue<string>() : config["properties"]!.ToJsonString(new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        claves.AddRange(CreateObject().Matches(propiedades).Select(m => m.Groups[1].Value));
        Assert.Contains("Postgres__ConnectionString", claves); // the parse found the real list
        return claves.Select(k => k.Replace("__", ":")).ToList();
    }

    private static IEnumerable<JsonNode> Recursos(JsonNode plantilla) =>
        plantilla["resources"] switch
        {
            JsonArray a => a.Select(x => x!),
            JsonObject o => o.Select(p => p.Value!),
            _ => [],
        };

    [GeneratedRegex(@"createObject\('([^']+)'")]
    private static partial Regex CreateObject();

    private static string? _bicepCompilado;

    private static string CompilarBicep()
    {
        if (_bicepCompilado is not null) return _bicepCompilado;
        return _bicepCompilado = Ejecutar(RutaBicep(), ["build", Path.Combine(Raiz, "infra", "bicep", "main.bicep"), "--stdout"]);
    }

    private static string RutaBicep() => Ejecutar("bash", [Path.Combine(Raiz, "scripts", "bicep.sh"), "--path"]).Trim();

    private static string Ejecutar(string programa, string[] args)
    {
        var psi = new ProcessStartInfo(programa) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Raiz };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["BICEP_TELEMETRY_DISABLED"] = "1";
        // prod.bicepparam reads the issuer from the deployer's environment; stand-ins of the right shape, as scripts/bicep.sh.
        foreach (var (variable, valor) in new[] { ("TELECABLE_EMISOR_RFC", "AAA010101AAA"), ("TELECABLE_EMISOR_NOMBRE", "EMISOR DE COMPILACION"),
                     ("TELECABLE_EMISOR_REGIMEN", "601"), ("TELECABLE_EMISOR_CP", "64000") })
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable))) psi.Environment[variable] = valor;
        using var p = Process.Start(psi)!;
        var salida = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{programa} {string.Join(' ', args)}: exit {p.ExitCode}\n{error.Result}");
        return salida.Result;
    }

    // ------------------------------------------------------------------------------------------------

    private static Clase ClaseDe(string clave) =>
        Clases.TryGetValue(clave, out var c) ? c
        : Clases.Where(e => e.Key.EndsWith('*') && Coincide(e.Key, clave)).OrderByDescending(e => e.Key.Length).Select(e => (Clase?)e.Value).FirstOrDefault()
          ?? Clase.Ambos;

    /// <summary>Whether a read key (maybe with a trailing * for a list or a section) covers a set key.</summary>
    private static bool Coincide(string patron, string clave) =>
        patron.EndsWith('*')
            ? clave.StartsWith(patron[..^1], StringComparison.OrdinalIgnoreCase) && clave.Length > patron.Length - 1
            : string.Equals(patron, clave, StringComparison.OrdinalIgnoreCase);

    private static string Raiz
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Telecable.sln"))) return d.FullName;
            throw new InvalidOperationException("No se encontró Telecable.sln subiendo desde " + AppContext.BaseDirectory);
        }
    }
}
