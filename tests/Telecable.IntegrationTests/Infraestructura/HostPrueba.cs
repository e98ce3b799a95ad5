using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Dapper;
using Microsoft.DurableTask.Client;
using Npgsql;
using Telecable.Infrastructure.Seguridad;
using Telecable.LocalHost;

namespace Telecable.IntegrationTests.Infraestructura;

/// <summary>
/// The local host built in-process over a database of its own, the in-memory durable backend (or
/// Azurite's, when asked) and a blob container of its own, reached over real HTTP on a free port.
/// </summary>
public class HostPrueba : IAsyncLifetime
{
    public const string Password = "clave-de-prueba";
    public const string ClaveFirma = "clave-de-firma-de-pruebas-de-32-bytes-o-mas";

    private WebApplication? _app;

    public string ConnectionString { get; private set; } = "";
    public HttpClient Http { get; private set; } = null!;
    public IServiceProvider Servicios => _app!.Services;
    public string Contenedor { get; } = $"cfdi-{Guid.NewGuid():N}"[..20];

    /// <summary>The router emulator's key store this host provisions installed routers into (Routers:ArchivoClavesEmulador).</summary>
    public string ArchivoClavesRouters { get; } = Path.Combine(Path.GetTempPath(), $"telecable-claves-routers-{Guid.NewGuid():N}.json");

    protected virtual bool CargarDemo => true;
    protected virtual string BackendDurable => "InMemory";

    /// <summary>Extra settings a test class needs (same keys as local.settings.json, with ':' separators).</summary>
    protected virtual IDictionary<string, string?> Ajustes => new Dictionary<string, string?>();

    /// <summary>
    /// Every timer that writes behind a request's back, silenced: for the hosts whose tests fingerprint the whole database
    /// around each request (HostFuzz, HostAutorizacion), so a fingerprint shows only what the request did. A new timer that
    /// writes goes here (its own switch, or the Functions host's <c>AzureWebJobs.&lt;Function&gt;.Disabled</c>).
    /// </summary>
    protected static IReadOnlyDictionary<string, string?> SinEscritoresDeFondo { get; } = new Dictionary<string, string?>
    {
        ["Routers:DetectarDesconexiones"] = "false",
        ["OutboxRelayCron"] = "0 0 0 1 1 *",
        // Delivering queued notifications changes their rows.
        ["Notificaciones:Despachar"] = "false",
        // Ending pending cancellations changes invoice rows.
        ["Facturacion:ConsultarCancelaciones"] = "false",
        // The daily billing run adds invoices.
        ["Facturacion:CorridaDiaria"] = "false",
        // The global CFDI timer stamps receipts into a global CFDI.
        ["Facturacion:CfdiGlobal"] = "false",
        ["Facturacion:CreditosSla"] = "false",
        // Closing expired OXXO references changes their rows.
        ["Oxxo:CerrarVencidas"] = "false",
        // Reminders and suspensions (every 10 min on the clock) change notifications and contracts.
        ["Cobranza:Evaluar"] = "false",
        // Daily timers that write at a fixed hour (the Functions host's own per-function switch, honoured by the local host).
        ["AzureWebJobs.ConciliarLiquidaciones.Disabled"] = "true",
        ["AzureWebJobs.GenerarLiquidacionesEmuladas.Disabled"] = "true",
        ["AzureWebJobs.PurgarWebhooks.Disabled"] = "true",
        ["AzureWebJobs.PurgarIdempotencia.Disabled"] = "true",
        ["AzureWebJobs.PurgarHistorialRouters.Disabled"] = "true",
    };

    public async Task InitializeAsync()
    {
        ConnectionString = await Telecable.Pruebas.Servicios.CrearBaseAsync("it");
        var puerto = Telecable.Pruebas.Servicios.PuertoLibre();
        var ajustes = new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = ConnectionString,
            ["Postgres:MigrarAlIniciar"] = "true",
            ["Postgres:CargarDemo"] = CargarDemo ? "true" : "false",
            ["Blob:ConnectionString"] = Telecable.Pruebas.Servicios.Azurite,
            ["Blob:ContenedorCfdi"] = Contenedor,
            ["AzureWebJobsStorage"] = Telecable.Pruebas.Servicios.Azurite,
            ["DURABLE_TASK_HUB"] = $"it{Guid.NewGuid():N}"[..16],
            ["Durable:Backend"] = BackendDurable,
            ["Auth:EmisorDesarrollo"] = "true",
            ["Auth:SigningKeys:0"] = ClaveFirma,
            ["Auth:DemoPassword"] = Password,
            ["Outbox:JsonlPath"] = Path.Combine(Path.GetTempPath(), $"telecable-{Guid.NewGuid():N}.jsonl"),
            ["OutboxRelayCron"] = "*/1 * * * * *",
            ["PagosInicioCron"] = "*/1 * * * * *",
            ["LocalHost:Port"] = puerto.ToString(),
            ["PAC_MODE"] = "emulated",
            ["PAYMENT_MODE"] = "emulated",
            ["ROUTER_MODE"] = "emulated",
            ["Routers:ArchivoClavesEmulador"] = ArchivoClavesRouters,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Limites:AnonimoPorMinuto"] = "100000",
            ["Limites:FallosFirmadosPorMinuto"] = "100000",
            ["Limites:CuentasPorMinuto"] = "100000",
        };
        foreach (var (k, v) in Telecable.Pruebas.Servicios.AjustesCsd()) ajustes[k] = v;
        foreach (var (k, v) in Ajustes) ajustes[k] = v;
        _app = await HostLocal.ConstruirAsync(["--settings", "/nonexistent/local.settings.json"],
            c => c.AddInMemoryCollection(ajustes));
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{puerto}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        string? tfdcerts = null;
        if (_app is not null)
        {
            tfdcerts = Telecable.Pruebas.VerificadorSat.CarpetaTfdCerts(_app.Services.GetRequiredService<IConfiguration>());
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            // Issue 17: every CFDI this host's tests got stamped (invoices, payment complements, credit notes, substitutes)
            // passes SAT's schema, cadena stylesheet and openssl checks, or the run fails here.
            if (tfdcerts is not null && ConnectionString.Length > 0)
                await Telecable.Pruebas.VerificadorSat.VerificarTimbradosAsync(ConnectionString, tfdcerts);
        }
        finally
        {
            await Telecable.Pruebas.Servicios.BorrarBaseAsync(ConnectionString);
            await Telecable.Pruebas.Servicios.BorrarContenedorAsync(Contenedor);
        }
    }

    /// <summary>A bearer token of the development issuer for a demo user (admin, soporte, cobranzas, tecnico, cliente).</summary>
    public async Task<string> TokenAsync(string usuario)
    {
        var r = await Http.PostAsJsonAsync("api/auth/token", new { usuario, password = Password });
        r.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("accessToken").GetString()!;
    }

    /// <summary>An HttpClient that sends the given demo user's token.</summary>
    public async Task<HttpClient> ClienteAsync(string usuario)
    {
        var c = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = Http.Timeout };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(usuario));
        return c;
    }

    /// <summary>A token for any subject and roles (e.g. a customer other than the demo one), signed by the test key.</summary>
    public string TokenPara(string sujeto, string[] roles, Guid? clienteId = null, Guid? tecnicoId = null) =>
        Servicios.GetRequiredService<EmisorDesarrollo>().Emitir(new UsuariosDemo.UsuarioDemo(sujeto, sujeto, roles, clienteId, tecnicoId));

    public Task<T?> EscalarAsync<T>(string sql, object? parametros = null) =>
        Telecable.Pruebas.Servicios.EscalarAsync<T>(ConnectionString, sql, parametros);

    /// <summary>
    /// Tables left out of the fingerprint: idempotency records (a refused idempotent call stores the refusal as the
    /// answer to A's own key) and router history (pruned by an hourly timer). Webhook deliveries count only when
    /// accepted: every rejected one is kept on purpose, with its reason. The operations samples are written by a
    /// minute timer whatever the requests do. timers_ejecucion is the local host's claim of each timer occurrence (which
    /// host runs it), written on every firing of any timer.
    /// </summary>
    protected static readonly HashSet<string> FueraDeLaHuella = ["idempotencia", "router_estado_historial", "operacion_muestras", "timers_ejecucion"];

    /// <summary>md5 of every table's rows (in a stable order), by table.</summary>
    public async Task<Dictionary<string, string>> HuellaAsync()
    {
        await using var cn = new NpgsqlConnection(ConnectionString);
        var tablas = (await cn.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"))
            .Where(t => !FueraDeLaHuella.Contains(t)).ToList();
        var sql = string.Join("\nUNION ALL\n", tablas.Select(t =>
            $"SELECT '{t}', md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) FROM \"{t}\" x" +
            (t == "webhook_eventos" ? " WHERE aceptado" : "")));
        return (await cn.QueryAsync<(string Tabla, string Huella)>(sql)).ToDictionary(x => x.Tabla, x => x.Huella);
    }

    /// <summary>Waits (bounded) until no orchestration is pending or running.</summary>
    public async Task EsperarOrquestacionesAsync()
    {
        var durable = Servicios.GetRequiredService<DurableTaskClient>();
        var limite = DateTime.UtcNow.AddSeconds(90);
        var vivas = new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running] };
        while (true)
        {
            var quedan = 0;
            await foreach (var o in durable.GetAllInstancesAsync(vivas)) quedan++;
            if (quedan == 0) return;
            Assert.True(DateTime.UtcNow < limite, $"Quedaron {quedan} orquestaciones sin terminar.");
            await Task.Delay(200);
        }
    }
}

/// <summary>One host for all the test classes of the "host" collection: startup is paid once.</summary>
[CollectionDefinition(Nombre)]
public sealed class ColeccionHost : ICollectionFixture<HostPrueba>
{
    public const string Nombre = "host";
}
