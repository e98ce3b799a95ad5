using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Telecable.Infrastructure.Datos;

/// <summary>
/// Applies the embedded, numbered SQL migrations in order, each in its own transaction, recording them
/// in schema_migrations. A PostgreSQL advisory lock makes two hosts starting together apply each once.
/// </summary>
public sealed class Migrador(NpgsqlDataSource db, ILogger<Migrador> log)
{
    private const long CandadoMigraciones = 0x7E1EC_AB1E;
    private static readonly Assembly Ensamblado = typeof(Migrador).Assembly;

    public static IReadOnlyList<(string Nombre, string Recurso)> Migraciones() =>
        Ensamblado.GetManifestResourceNames()
            .Where(r => r.Contains(".Migrations.", StringComparison.Ordinal) && r.EndsWith(".sql", StringComparison.Ordinal))
            .Select(r => (Nombre: r[(r.IndexOf(".Migrations.", StringComparison.Ordinal) + 12)..], Recurso: r))
            .OrderBy(m => m.Nombre, StringComparer.Ordinal)
            .ToList();

    public async Task<int> MigrarAsync(CancellationToken ct = default)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await Ejecutar(cn, $"SELECT pg_advisory_lock({CandadoMigraciones})", ct);
        try
        {
            await Ejecutar(cn, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    nombre text PRIMARY KEY,
                    aplicada_en timestamptz NOT NULL DEFAULT now())
                """, ct);
            var aplicadas = new HashSet<string>(StringComparer.Ordinal);
            await using (var cmd = new NpgsqlCommand("SELECT nombre FROM schema_migrations", cn))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) aplicadas.Add(r.GetString(0));

            var nuevas = 0;
            foreach (var (nombre, recurso) in Migraciones().Where(m => !aplicadas.Contains(m.Nombre)))
            {
                await using var tx = await cn.BeginTransactionAsync(ct);
                await using (var cmd = new NpgsqlCommand(Leer(recurso), cn, tx)) await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand("INSERT INTO schema_migrations (nombre) VALUES (@n)", cn, tx))
                {
                    cmd.Parameters.AddWithValue("n", nombre);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                log.LogInformation("Migración aplicada {Migracion}", nombre);
                nuevas++;
            }
            return nuevas;
        }
        finally
        {
            await Ejecutar(cn, $"SELECT pg_advisory_unlock({CandadoMigraciones})", CancellationToken.None);
        }
    }

    /// <summary>Loads the demo data. The seed is written to be idempotent, so re-running changes nothing.</summary>
    public async Task CargarDemoAsync(CancellationToken ct = default)
    {
        var recurso = Ensamblado.GetManifestResourceNames().SingleOrDefault(r => r.EndsWith(".Seed.demo.sql", StringComparison.Ordinal));
        if (recurso is null) return;
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand(Leer(recurso), cn, tx)) await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Datos de demostración cargados");
    }

    private static string Leer(string recurso)
    {
        using var s = Ensamblado.GetManifestResourceStream(recurso)!;
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    private static async Task Ejecutar(NpgsqlConnection cn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, cn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
