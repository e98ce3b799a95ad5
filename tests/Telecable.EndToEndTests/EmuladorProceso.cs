using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Telecable.EndToEndTests;

/// <summary>
/// tools/Telecable.RouterEmulator as a separate process, as an operator runs it beside the host: it learns the fleet through
/// GET /api/router/flota and drives only the routers whose device key is in its key store (here a file with the keys the
/// test hands it), reporting over HTTP and obeying the commands in the answers.
/// </summary>
public sealed class EmuladorProceso : IAsyncDisposable
{
    private readonly Process _proceso;
    private readonly string _claves;

    public ConcurrentQueue<string> Salida { get; } = new();

    private EmuladorProceso(Process proceso, string claves)
    {
        _proceso = proceso;
        _claves = claves;
    }

    /// <param name="claves">serial → device key of the routers to emulate.</param>
    /// <param name="intervalo">Seconds between reports (the demo uses 10; a test may shorten it).</param>
    public static EmuladorProceso Iniciar(HostProceso host, IReadOnlyDictionary<string, string> claves, double intervalo)
    {
        var archivo = Path.Combine(Path.GetTempPath(), $"e2e-claves-{Guid.NewGuid():N}.json");
        File.WriteAllText(archivo, JsonSerializer.Serialize(claves));
        var dll = RutaEmulador();
        var psi = new ProcessStartInfo("dotnet",
        [
            dll, "--url", host.Http.BaseAddress!.ToString(), "--usuario", "soporte", "--password", HostProceso.Password, "--all",
            "--intervalo", intervalo.ToString(System.Globalization.CultureInfo.InvariantCulture), "--fallas", "0", "--descubrir", "2",
            "--reinicio", "1", "--claves", archivo,
        ])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var p = Process.Start(psi) ?? throw new InvalidOperationException("No se pudo iniciar el emulador de routers.");
        var e = new EmuladorProceso(p, archivo);
        p.OutputDataReceived += (_, d) => { if (d.Data is not null) e.Salida.Enqueue(d.Data); };
        p.ErrorDataReceived += (_, d) => { if (d.Data is not null) e.Salida.Enqueue("stderr: " + d.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return e;
    }

    public bool Terminado => _proceso.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_proceso.HasExited)
        {
            _proceso.Kill(entireProcessTree: true);
            await _proceso.WaitForExitAsync();
        }
        _proceso.Dispose();
        File.Delete(_claves);
    }

    private static string RutaEmulador()
    {
        var configuracion = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var dll = Path.Combine(d.FullName, "tools", "Telecable.RouterEmulator", "bin", configuracion, "net10.0", "Telecable.RouterEmulator.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new FileNotFoundException("No se encontró Telecable.RouterEmulator.dll: compile la solución primero.");
    }
}
