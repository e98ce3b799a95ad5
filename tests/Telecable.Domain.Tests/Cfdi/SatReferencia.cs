using System.Diagnostics;
using System.Text;
using Telecable.Infrastructure.Pac;

namespace Telecable.Domain.Tests.Cfdi;

/// <summary>The shared SAT reference folder and the external tools (xsltproc, xmllint, bash) used as oracles.
/// A missing tool fails the test: these checks are the proof the CFDI core is right, not optional extras.</summary>
internal static class SatReferencia
{
    private static readonly Lazy<string> Carpeta = new(Localizar);

    public static string Directorio => Carpeta.Value;

    public static string Ruta(params string[] partes) => Path.Combine([Directorio, .. partes]);

    public static string Herramienta(string nombre)
    {
        var rutas = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return rutas.Select(d => Path.Combine(d, nombre)).FirstOrDefault(File.Exists)
               ?? throw new InvalidOperationException(
                   $"'{nombre}' no está en PATH y estas pruebas lo necesitan como oráculo: apt-get install -y libxml2-utils xsltproc");
    }

    public static Resultado Ejecutar(string herramienta, IEnumerable<string> argumentos, IDictionary<string, string>? entorno = null)
    {
        var inicio = new ProcessStartInfo(Herramienta(herramienta))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in argumentos)
        {
            inicio.ArgumentList.Add(a);
        }
        foreach (var (k, v) in entorno ?? new Dictionary<string, string>())
        {
            inicio.Environment[k] = v;
        }
        using var proceso = Process.Start(inicio)!;
        var salida = proceso.StandardOutput.ReadToEndAsync();
        var error = proceso.StandardError.ReadToEndAsync();
        proceso.WaitForExit();
        return new Resultado(proceso.ExitCode, salida.Result, error.Result);
    }

    public static void EscribirUtf8(string ruta, string? texto) => File.WriteAllText(ruta, texto, new UTF8Encoding(false));

    /// <summary>A fresh folder per call under the system temp folder.</summary>
    public static string CarpetaTemporal() => Directory.CreateTempSubdirectory("telecable-cfdi-").FullName;

    /// <summary>An emulated PAC whose SAT certificate is saved where verify.sh looks for it (TFDCERTS), with an empty folder
    /// for the CFDIs to check: what every "stamped and verified by SAT's tools" test starts from.</summary>
    public static PacVerificable NuevoPacVerificable()
    {
        var sat = CertificadoSatEmulado.Crear();
        var carpeta = CarpetaTemporal();
        var certificados = Path.Combine(carpeta, "tfdcerts");
        var cfdis = Path.Combine(carpeta, "cfdi");
        Directory.CreateDirectory(cfdis);
        sat.GuardarCer(certificados);
        return new PacVerificable(sat, new PacEmulado(new PacEmuladoOptions(), sat), carpeta, certificados, cfdis);
    }

    public sealed record PacVerificable(CertificadoSatEmulado Sat, PacEmulado Pac, string Carpeta, string Certificados, string Cfdis) : IDisposable
    {
        public void Dispose() => Sat.Dispose();
    }

    // TELECABLE_SAT_DIR wins; otherwise walk up from the test binaries to the checkout, which carries the copy in
    // shared/referencia-sat (never a folder beside the repository).
    private static string Localizar()
    {
        if (Environment.GetEnvironmentVariable("TELECABLE_SAT_DIR") is { Length: > 0 } desdeEntorno)
        {
            return Directory.Exists(desdeEntorno)
                ? desdeEntorno
                : throw new DirectoryNotFoundException($"TELECABLE_SAT_DIR={desdeEntorno} no existe.");
        }
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidato = Path.Combine(d.FullName, "shared", "referencia-sat");
            if (File.Exists(Path.Combine(candidato, "verify.sh")))
            {
                return candidato;
            }
        }
        throw new DirectoryNotFoundException(
            $"No se encontró shared/referencia-sat subiendo desde {AppContext.BaseDirectory}; defina TELECABLE_SAT_DIR.");
    }

    public sealed record Resultado(int Codigo, string Salida, string Error);
}
