using Dapper;
using Npgsql;
using Telecable.Application.Plataforma;

namespace Telecable.Infrastructure.Operacion;

/// <summary><see cref="ILibroSonda"/> in the sonda_pasos and sonda_resultados tables.</summary>
public sealed class LibroSonda(NpgsqlDataSource db) : ILibroSonda
{
    public async Task RegistrarPasoAsync(string instancia, int paso, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sonda_pasos (instancia, paso, cid) VALUES (@instancia, @paso, @cid)
            ON CONFLICT (instancia, paso) DO UPDATE SET ejecuciones = sonda_pasos.ejecuciones + 1
            """, new { instancia, paso, cid }, cancellationToken: ct));
    }

    public async Task CompletarAsync(string instancia, int pasos, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO sonda_resultados (instancia, pasos) VALUES (@instancia, @pasos) ON CONFLICT (instancia) DO NOTHING",
            new { instancia, pasos }, cancellationToken: ct));
    }
}
