using Npgsql;

namespace Telecable.Pruebas;

/// <summary>
/// The real services every test suite runs against, given by scripts/test.sh (or
/// <c>. scripts/test-env.sh</c>). Linked into each test project, so there is one copy. Missing or
/// unreachable services fail the tests loudly: nothing is skipped.
/// </summary>
public static class Servicios
{
    public static string PostgresAdmin => Requerido("TELECABLE_PG_ADMIN");
    public static string Azurite => Requerido("TELECABLE_AZURITE");

    /// <summary>SAT's reference material carried in the repository (shared/referencia-sat), found by walking up from
    /// the test binaries to Telecable.sln; TELECABLE_SAT_DIR overrides it. Never a folder beside the checkout.</summary>
    public static string DirectorioSat =>
        Environment.GetEnvironmentVariable("TELECABLE_SAT_DIR") is { Length: > 0 } d ? d : Path.Combine(RaizRepo, "shared", "referencia-sat");

    /// <summary>The checkout these binaries were built from.</summary>
    public static string RaizRepo
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Telecable.sln"))) return d.FullName;
            throw new InvalidOperationException("No se encontró Telecable.sln subiendo desde " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The issuer's CSD settings for a test host: SAT's public test CSD from <see cref="DirectorioSat"/>.
    /// Keys with ':' (in-process hosts); a child process gets them with '__'.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> AjustesCsd(string separador = ":") =>
    [
        new($"Csd{separador}CerPath", Path.Combine(DirectorioSat, "csd", "EKU9003173C9.cer")),
        new($"Csd{separador}KeyPath", Path.Combine(DirectorioSat, "csd", "EKU9003173C9.key")),
        new($"Csd{separador}Password", File.ReadAllText(Path.Combine(DirectorioSat, "csd", "PASSWORD.txt")).Trim()),
    ];

    public static string Requerido(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException(
                $"{variable} no está definida: corra las pruebas con scripts/test.sh (o . scripts/test-env.sh), que inicia PostgreSQL y Azurite.");

    /// <summary>Creates an empty database of its own for a test class and returns its connection string.</summary>
    /// <summary>A new empty database named after <paramref name="prefijo"/>: its connection string (tests and benchmarks).</summary>
    public static async Task<string> CrearBaseAsync(string prefijo, int maxPool = 40)
    {
        var nombre = $"{prefijo}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using var cn = new NpgsqlConnection(PostgresAdmin);
        await cn.OpenAsync();
        await using (var cmd = new NpgsqlCommand($"CREATE DATABASE \"{nombre}\"", cn)) await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = nombre, MaxPoolSize = maxPool }.ConnectionString;
    }

    public static async Task BorrarBaseAsync(string connectionString)
    {
        var nombre = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var cn = new NpgsqlConnection(PostgresAdmin);
        await cn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{nombre}\" WITH (FORCE)", cn);
        // FORCE cannot end an autovacuum worker (it runs as the bootstrap superuser: 42501), which a busy test database
        // often has at the end; it finishes within moments, so the drop is tried again instead of failing the cleanup.
        for (var intento = 1; ; intento++)
        {
            try
            {
                await cmd.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && intento < 20)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Deletes a test's blob container: Azurite keeps its whole index in one JSON file that it
    /// rewrites every few seconds, so leftovers from earlier runs slow every later one.</summary>
    public static Task BorrarContenedorAsync(string nombre) =>
        new Azure.Storage.Blobs.BlobContainerClient(Azurite, nombre).DeleteIfExistsAsync();

    public static async Task<T?> EscalarAsync<T>(string connectionString, string sql, object? parametros = null)
    {
        await using var cn = new NpgsqlConnection(connectionString);
        return await Dapper.SqlMapper.ExecuteScalarAsync<T>(cn, sql, parametros);
    }

    public static int PuertoLibre()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
