using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Telecable.LocalHost;

namespace Telecable.BrowserTests.Infraestructura;

/// <summary>
/// The local host built in-process (as the integration tests' HostPrueba) over a database of its own,
/// serving the repo's static-web/, plus one headless Debian Chromium driven by Playwright. Each test
/// opens its own browser context (its own sessionStorage), in es-MX and America/Mexico_City.
/// </summary>
public sealed class HostNavegador : IAsyncLifetime
{
    public const string Password = "clave-de-prueba";
    private readonly string _contenedor = $"web{Guid.NewGuid():N}"[..20];
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private string _cs = "";

    public IBrowser Navegador { get; private set; } = null!;
    public string UrlBase { get; private set; } = "";

    /// <summary>The host's services, to set up states the UI cannot reach on its own (a failed run).</summary>
    public IServiceProvider ServiciosHost => _app!.Services;

    public async Task InitializeAsync()
    {
        _cs = await Servicios.CrearBaseAsync("web");
        var puerto = Servicios.PuertoLibre();
        var ajustes = new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = _cs,
            ["Postgres:MigrarAlIniciar"] = "true",
            ["Postgres:CargarDemo"] = "true",
            ["Blob:ConnectionString"] = Servicios.Azurite,
            ["Blob:ContenedorCfdi"] = _contenedor,
            ["AzureWebJobsStorage"] = Servicios.Azurite,
            ["DURABLE_TASK_HUB"] = $"web{Guid.NewGuid():N}"[..16],
            ["Durable:Backend"] = "InMemory",
            ["Auth:EmisorDesarrollo"] = "true",
            ["Auth:SigningKeys:0"] = "clave-de-firma-de-pruebas-web-de-32-bytes-o-mas",
            ["Auth:DemoPassword"] = Password,
            ["Outbox:JsonlPath"] = Path.Combine(Path.GetTempPath(), $"telecable-web-{Guid.NewGuid():N}.jsonl"),
            ["LocalHost:Port"] = puerto.ToString(),
            ["LocalHost:StaticWeb"] = Path.Combine(Entorno.RaizRepo, "static-web"),
            ["PAC_MODE"] = "emulated",
            ["PAYMENT_MODE"] = "emulated",
            ["ROUTER_MODE"] = "emulated",
            ["Logging:LogLevel:Default"] = "Warning",
            ["OutboxRelayCron"] = "*/1 * * * * *",
            ["PagosInicioCron"] = "*/1 * * * * *",
            ["Limites:AnonimoPorMinuto"] = "100000",
            ["Limites:CuentasPorMinuto"] = "100000",
            // Payments (as HostPagos): a webhook secret.
            ["Webhooks:Pagos:Secretos:0"] = "whsec_navegador_de_pruebas_0123456789",
            // The operations page lists the alerts of this stand-in Prometheus.
            ["Operaciones:PrometheusUrl"] = PrometheusFalso.Url,
        };
        foreach (var (k, v) in Servicios.AjustesCsd()) ajustes[k] = v;
        _app = await HostLocal.ConstruirAsync(["--settings", "/nonexistent/local.settings.json"], c => c.AddInMemoryCollection(ajustes));
        await _app.StartAsync();
        UrlBase = $"http://127.0.0.1:{puerto}";
        await DatosDemo.PrepararAsync(UrlBase);

        _playwright = await Playwright.CreateAsync();
        Navegador = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Entorno.Chromium,
            Headless = true,
            Args = Entorno.BanderasChromium,
        });
        // Two shared cores: give the auto-waiting assertions room (they still fail when the text never appears).
        SetDefaultExpectTimeout(20_000);
    }

    /// <summary>A fresh context (own sessionStorage) and page; phone-sized when asked.</summary>
    public async Task<IPage> PaginaAsync(bool telefono = false)
    {
        var contexto = await Navegador.NewContextAsync(new()
        {
            BaseURL = UrlBase,
            Locale = "es-MX",
            TimezoneId = "America/Mexico_City",
            ViewportSize = telefono ? new() { Width = 375, Height = 740 } : new() { Width = 1280, Height = 860 },
            IsMobile = telefono,
            HasTouch = telefono,
        });
        contexto.SetDefaultTimeout(20_000);
        return await contexto.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Navegador is not null) await Navegador.CloseAsync();
        _playwright?.Dispose();
        string? tfdcerts = null;
        if (_app is not null)
        {
            tfdcerts = Telecable.Pruebas.VerificadorSat.CarpetaTfdCerts(_app.Services.GetRequiredService<IConfiguration>());
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            // Issue 17: every CFDI the journeys got stamped passes SAT's schema, cadena stylesheet and openssl checks.
            if (tfdcerts is not null && _cs.Length > 0) await Telecable.Pruebas.VerificadorSat.VerificarTimbradosAsync(_cs, tfdcerts);
        }
        finally
        {
            if (_cs.Length > 0) await Servicios.BorrarBaseAsync(_cs);
        }
        await Servicios.BorrarContenedorAsync(_contenedor);
    }
}

[CollectionDefinition(Nombre)]
public sealed class ColeccionNavegador : ICollectionFixture<HostNavegador>
{
    public const string Nombre = "navegador";
}
