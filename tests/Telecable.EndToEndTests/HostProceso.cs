using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Telecable.EndToEndTests;

/// <summary>
/// The local host as a separate process (dotnet Telecable.LocalHost.dll), configured by environment
/// variables, reached over HTTP, and killable with SIGKILL: what an operator runs, not a test double.
/// </summary>
public sealed class HostProceso : IAsyncDisposable
{
    public const string Password = "clave-e2e";
    public const string ClaveFirma = "clave-de-firma-e2e-de-al-menos-32-bytes-de-largo";
    public const string SecretoWebhook = "whsec_secreto_e2e_que_no_debe_salir_en_logs";
    private readonly Dictionary<string, string> _entorno;
    private Process? _proceso;
    private bool _matado;

    public ConcurrentQueue<string> Salida { get; } = new();
    public int Puerto { get; }
    public HttpClient Http { get; }

    /// <summary>The card gateway's payment_intent.succeeded for one invoice, signed as Stripe signs (HMAC-SHA256 over "t.body");
    /// asserts the host answered 200.</summary>
    public async Task PagarConTarjetaAsync(string eventoId, string referencia, Guid cliente, Guid factura, decimal monto)
    {
        var ahora = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var cuerpo = System.Text.Encoding.UTF8.GetBytes(Telecable.Infrastructure.Pagos.AdaptadorPasarelaEmulada.CuerpoPagoExitoso(
            eventoId, referencia, cliente, monto, Telecable.Domain.Pagos.MetodosPago.Tarjeta, [factura], ahora));
        var contenido = new ByteArrayContent(cuerpo);
        contenido.Headers.ContentType = new("application/json");
        using var webhook = new HttpRequestMessage(HttpMethod.Post, "api/pagos/webhooks/emulada") { Content = contenido };
        webhook.Headers.TryAddWithoutValidation(Telecable.Domain.Pagos.FirmaStripe.Encabezado,
            Telecable.Domain.Pagos.FirmaStripe.Generar(cuerpo, ahora, SecretoWebhook));
        var r = await Http.SendAsync(webhook);
        Assert.True(r.StatusCode == System.Net.HttpStatusCode.OK, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    public string Contenedor { get; }

    public HostProceso(string backend, string connectionString, string hub, IDictionary<string, string>? extra = null, string? contenedor = null)
    {
        Puerto = Servicios.PuertoLibre();
        Contenedor = contenedor ?? $"e2e{Guid.NewGuid():N}"[..20];
        _entorno = new()
        {
            ["Postgres__ConnectionString"] = connectionString,
            ["Postgres__MigrarAlIniciar"] = "true",
            ["Postgres__CargarDemo"] = "true",
            ["Blob__ConnectionString"] = Servicios.Azurite,
            ["Blob__ContenedorCfdi"] = Contenedor,
            ["AzureWebJobsStorage"] = Servicios.Azurite,
            ["DURABLE_TASK_HUB"] = hub,
            ["Durable__Backend"] = backend,
            ["Auth__EmisorDesarrollo"] = "true",
            ["Auth__SigningKeys__0"] = ClaveFirma,
            ["Auth__DemoPassword"] = Password,
            ["Outbox__JsonlPath"] = Path.Combine(Path.GetTempPath(), $"e2e-{Guid.NewGuid():N}.jsonl"),
            ["OutboxRelayCron"] = "*/2 * * * * *",
            ["PagosInicioCron"] = "*/2 * * * * *",
            ["LocalHost__Port"] = Puerto.ToString(),
            ["PAC_MODE"] = "emulated",
            ["PAYMENT_MODE"] = "emulated",
            ["ROUTER_MODE"] = "emulated",
            ["Webhooks__Pagos__Secretos__0"] = SecretoWebhook,
        };
        foreach (var (k, v) in Servicios.AjustesCsd("__")) _entorno[k] = v!;
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) _entorno[k] = v;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Puerto}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// Starts the host and waits for /api/health. After a kill -9 on the Azure Storage backend the
    /// restart also recovers the dead host's partition leases and in-flight messages, so callers give it longer.
    /// </summary>
    public async Task IniciarAsync(int segundos = 90)
    {
        var dll = RutaLocalHost();
        var psi = new ProcessStartInfo("dotnet", [dll, "--settings", "/nonexistent/local.settings.json"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in _entorno) psi.Environment[k] = v;
        _proceso = Process.Start(psi) ?? throw new InvalidOperationException("No se pudo iniciar el host local.");
        _proceso.OutputDataReceived += (_, e) => { if (e.Data is not null) Salida.Enqueue(e.Data); };
        _proceso.ErrorDataReceived += (_, e) => { if (e.Data is not null) Salida.Enqueue("stderr: " + e.Data); };
        _proceso.BeginOutputReadLine();
        _proceso.BeginErrorReadLine();

        var limite = DateTime.UtcNow.AddSeconds(segundos);
        var ultimo = "sin respuesta";
        while (DateTime.UtcNow < limite)
        {
            if (_proceso.HasExited) throw new InvalidOperationException($"El host local terminó al iniciar:\n{string.Join('\n', Salida.TakeLast(30))}");
            try
            {
                var r = await Http.GetAsync("api/health");
                if (r.IsSuccessStatusCode) return;
                ultimo = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                ultimo = e.GetType().Name;
            }
            await Task.Delay(300);
        }
        throw new TimeoutException($"El host local no respondió /api/health en {segundos} s (última respuesta: {ultimo}):\n{string.Join('\n', Salida.TakeLast(30))}");
    }

    /// <summary>kill -9: no shutdown hooks, no flush, like a crashed VM.</summary>
    public void Matar()
    {
        _proceso?.Kill(entireProcessTree: true);
        _proceso?.WaitForExit();
        _matado = true;
    }

    public async Task<HttpClient> ClienteAsync(string usuario)
    {
        var r = await Http.PostAsJsonAsync("api/auth/token", new { usuario, password = Password });
        r.EnsureSuccessStatusCode();
        var token = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString();
        var c = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = Http.Timeout };
        c.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        if (_proceso is { HasExited: false })
        {
            _proceso.Kill(entireProcessTree: true);
            await _proceso.WaitForExitAsync();
        }
        _proceso?.Dispose();
        Http.Dispose();
        // Issue 17: every CFDI this host got stamped passes SAT's schema, cadena stylesheet and openssl checks. A killed
        // host leaves that to the host that resumed its work on the same database (it checks everything there).
        if (_proceso is not null && !_matado)
        {
            var pac = _entorno.TryGetValue("Pac__Carpeta", out var c) ? c : Path.Combine(Path.GetDirectoryName(RutaLocalHost())!, ".data", "pac-emulado");
            await VerificadorSat.VerificarTimbradosAsync(_entorno["Postgres__ConnectionString"], Path.Combine(pac, "tfdcerts"));
        }
    }

    private static string RutaLocalHost()
    {
        // Same configuration (Debug/Release) as this test assembly, from the local host's own bin folder.
        var configuracion = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var dll = Path.Combine(d.FullName, "functions", "Telecable.LocalHost", "bin", configuracion, "net10.0", "Telecable.LocalHost.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new FileNotFoundException("No se encontró Telecable.LocalHost.dll: compile la solución primero.");
    }

}
