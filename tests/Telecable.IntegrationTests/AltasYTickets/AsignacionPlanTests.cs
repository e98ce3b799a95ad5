using System.Text.Json;
using Dapper;
using Npgsql;
using Telecable.Infrastructure.AltasYTickets;

namespace Telecable.IntegrationTests.AltasYTickets;

/// <summary>
/// Issue 24: the technician assignment's candidate query is planned at its real size. PostgreSQL estimated its
/// generate_series over parameters at 1,000 days, so 14 days of 150 technicians were costed at 1.26 million, past
/// jit_above_cost: every sign-up's ticket step JIT-compiled a query that reads about 2,300 buffers (1.7-2.3 s of CPU on
/// the loaded 2-core machine of bench/AltaCarga.sh, most of PostgreSQL's CPU per sign-up).
/// </summary>
[Collection(ColeccionAltas.Nombre)]
public sealed class AsignacionPlanTests(HostAltas host)
{
    [Fact]
    public async Task La_consulta_de_candidatos_con_150_tecnicos_y_14_dias_no_se_compila_con_jit()
    {
        await using var cn = new NpgsqlConnection(host.ConnectionString);
        await cn.OpenAsync();
        await using var tx = await cn.BeginTransactionAsync(); // rolled back: the technicians stay out of the other tests
        var zona = await cn.ExecuteScalarAsync<Guid>("SELECT zona_id FROM tecnico_zonas LIMIT 1", transaction: tx);
        await cn.ExecuteAsync("""
            WITH t AS (INSERT INTO tecnicos (nombre, telefono, email, capacidad_diaria)
                       SELECT 'Técnico de plan ' || i, '+5282' || lpad(i::text, 8, '0'), 'plan' || i || '@telecable.example.com', 20
                       FROM generate_series(1, 150) i RETURNING id)
            INSERT INTO tecnico_zonas (tecnico_id, zona_id) SELECT id, @zona FROM t
            """, new { zona }, tx);
        await cn.ExecuteAsync("ANALYZE tecnicos; ANALYZE tecnico_zonas", transaction: tx);
        var hoy = DateTime.UtcNow.Date;
        var plan = await cn.ExecuteScalarAsync<string>("EXPLAIN (ANALYZE, FORMAT JSON) " + ServicioTickets.SqlCandidato("SKIP LOCKED"),
            new { Desde = hoy.AddDays(1), Dias = ServicioTickets.DiasBusqueda, ZonaId = zona }, tx);

        var raiz = JsonDocument.Parse(plan!).RootElement[0];
        Assert.False(raiz.TryGetProperty("JIT", out var jit), $"JIT compiled the assignment: {jit}");
        Assert.True(raiz.GetProperty("Plan").GetProperty("Total Cost").GetDouble() < 100_000, plan);
        await tx.RollbackAsync();
    }
}
