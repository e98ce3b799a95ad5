namespace Telecable.BrowserTests.Infraestructura;

/// <summary>
/// What only the browser tests need: Debian's Chromium and where screenshots go. The
/// database and Azurite come from <see cref="Telecable.Pruebas.Servicios"/>.
/// </summary>
public static class Entorno
{
    /// <summary>Debian's Chromium (apt-get install -y chromium); Playwright never downloads a browser here.</summary>
    public static string Chromium =>
        Environment.GetEnvironmentVariable("CHROME_PATH") is { Length: > 0 } c ? c
        : new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException("No se encontró Chromium: apt-get install -y chromium, o defina CHROME_PATH.");

    /// <summary>Headless as root on these machines needs exactly these flags (ARCHITECTURE.md).</summary>
    public static readonly string[] BanderasChromium =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    public static string RaizRepo => Servicios.RaizRepo;

    /// <summary>reports/screenshots under TELECABLE_REPORTS or the repo's reports/.</summary>
    public static string CarpetaCapturas
    {
        get
        {
            var reportes = Environment.GetEnvironmentVariable("TELECABLE_REPORTS") is { Length: > 0 } r ? r : Path.Combine(RaizRepo, "reports");
            return Directory.CreateDirectory(Path.Combine(reportes, "screenshots")).FullName;
        }
    }
}
