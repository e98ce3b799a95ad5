using Npgsql;

namespace Telecable.BrowserTests.Infraestructura;

/// <summary>
/// The real services the browser tests run against (PostgreSQL, Azurite, Debian's Chromium), given by
/// scripts/test-env.sh. Missing services fail the tests loudly: nothing is skipped.
/// </summary>
public static class Entorno
{
    public static string PostgresAdmin => Requerido("TELECABLE_PG_ADMIN");
    public static string Azurite => Requerido("TELECABLE_AZURITE");
    /// <summary>SAT test material (csd/EKU9003173C9.*), exported by scripts/test-env.sh.</summary>
    public static string DirectorioSat => Requerido("TELECABLE_SAT_DIR");

    /// <summary>Debian's Chromium (apt-get install -y chromium); Playwright never downloads a browser here.</summary>
    public static string Chromium =>
        Environment.GetEnvironmentVariable("CHROME_PATH") is { Length: > 0 } c ? c
        : new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException("No se encontró Chromium: apt-get install -y chromium, o defina CHROME_PATH.");

    /// <summary>Headless as root on these machines needs exactly these flags (ARCHITECTURE.md).</summary>
    public static readonly string[] BanderasChromium =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    public static string RaizRepo
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Telecable.sln"))) return d.FullName;
            throw new InvalidOperationException("No se encontró Telecable.sln subiendo desde " + AppContext.BaseDirectory);
        }
    }

    /// <summary>reports/screenshots under TELECABLE_REPORTS or the repo's reports/.</summary>
    public static string CarpetaCapturas
    {
        get
        {
            var reportes = Environment.GetEnvironmentVariable("TELECABLE_REPORTS") is { Length: > 0 } r ? r : Path.Combine(RaizRepo, "reports");
            return Directory.CreateDirectory(Path.Combine(reportes, "screenshots")).FullName;
        }
    }

    private static string Requerido(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException(
                $"{variable} no está definida: corra las pruebas con scripts/test.sh (o . scripts/test-env.sh), que inicia PostgreSQL y Azurite.");

    public static async Task<string> CrearBaseAsync(string prefijo)
    {
        var nombre = $"{prefijo}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using var cn = new NpgsqlConnection(PostgresAdmin);
        await cn.OpenAsync();
        await using (var cmd = new NpgsqlCommand($"CREATE DATABASE \"{nombre}\"", cn)) await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = nombre, MaxPoolSize = 40 }.ConnectionString;
    }

    public static async Task BorrarBaseAsync(string connectionString)
    {
        var nombre = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var cn = new NpgsqlConnection(PostgresAdmin);
        await cn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{nombre}\" WITH (FORCE)", cn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static int PuertoLibre()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
