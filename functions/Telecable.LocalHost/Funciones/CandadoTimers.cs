using Dapper;
using Npgsql;

namespace Telecable.LocalHost.Funciones;

/// <summary>
/// Makes each timer run once across every local host on one database, as the Functions host's singleton timer lock
/// does across Azure instances. A scheduled occurrence is claimed by moving the timer's row in timers_ejecucion forward
/// to it (one UPDATE, so exactly one host wins the occurrence); the run itself holds a session advisory lock on the
/// timer's name, so a run that outlasts its interval is never overlapped by another host's next occurrence, nor by an
/// on-demand run.
/// </summary>
public sealed class CandadoTimers(NpgsqlDataSource db, string host)
{
    public string Host { get; } = host;

    /// <summary>True for the one host that claims this occurrence of the timer; false for every other.</summary>
    public async Task<bool> ReclamarAsync(string nombre, DateTime ocurrenciaUtc, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            INSERT INTO timers_ejecucion (nombre, ocurrencia, host) VALUES (@nombre, @ocurrencia, @host)
            ON CONFLICT (nombre) DO UPDATE SET ocurrencia = EXCLUDED.ocurrencia, host = EXCLUDED.host, iniciada_en = now()
                WHERE timers_ejecucion.ocurrencia < EXCLUDED.ocurrencia
            RETURNING 1
            """, new { nombre, ocurrencia = DateTime.SpecifyKind(ocurrenciaUtc, DateTimeKind.Utc), host = Host }, cancellationToken: ct)) == 1;
    }

    /// <summary>The timer's run lock, or null when another host (or this one) is running it. Dispose to release.</summary>
    public async Task<IAsyncDisposable?> BloquearAsync(string nombre, CancellationToken ct)
    {
        var cn = await db.OpenConnectionAsync(ct);
        try
        {
            if (await cn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(hashtext('timer:' || @nombre))",
                    new { nombre }, cancellationToken: ct)))
                return new Candado(cn, nombre);
        }
        catch
        {
            await cn.DisposeAsync();
            throw;
        }
        await cn.DisposeAsync();
        return null;
    }

    private sealed class Candado(NpgsqlConnection cn, string nombre) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await cn.ExecuteAsync("SELECT pg_advisory_unlock(hashtext('timer:' || @nombre))", new { nombre });
            }
            finally
            {
                // A broken connection releases its session locks on the server; disposing returns it to the pool.
                await cn.DisposeAsync();
            }
        }
    }
}
