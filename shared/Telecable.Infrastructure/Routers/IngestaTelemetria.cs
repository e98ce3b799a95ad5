using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Telecable.Domain.Comun;
using Telecable.Domain.Routers;
using Telecable.Infrastructure.Observabilidad;

namespace Telecable.Infrastructure.Routers;

/// <summary>A command handed to a router in the answer to its report.</summary>
public sealed record ComandoEntregado(Guid Id, string Tipo, JsonElement Parametros);

/// <summary>What the router is told after a report: when to report again and what to do.</summary>
public sealed record RespuestaReporte(string Estado, int IntervaloSegundos, IReadOnlyList<ComandoEntregado> Comandos);

/// <summary>
/// The hot path: one statement, one round trip. It upserts the latest state (remembering the previous
/// one under the row lock), appends to the history, completes acknowledged commands and delivers the
/// pending ones. Runs on a data source with synchronous_commit off: a report is superseded 10 s later,
/// so losing the last fraction of a second of telemetry on a database crash is acceptable, and it
/// spares a WAL flush per post. Only a transition back from offline takes a second, ordinary
/// transaction (closing the outage).
/// </summary>
public sealed class IngestaTelemetria(FuenteTelemetria fuente, DetectorDesconexiones detector, IOptions<OpcionesRouters> opciones, TimeProvider reloj)
{
    private static readonly Counter<long> Reportes = Telemetria.Medidor.CreateCounter<long>(
        "telecable.routers.reportes", description: "Reportes de telemetría aceptados, por estado");

    public const string Sql = """
        WITH up AS (
            INSERT INTO router_estado AS e (router_id, estado, reportado_en, ip, firmware, uptime_segundos, senal_dbm, snr_db,
                                            bajada_mbps, subida_mbps, clientes_wifi, datos, actualizado_en)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $3)
            ON CONFLICT (router_id) DO UPDATE SET
                estado_anterior = e.estado, estado = EXCLUDED.estado, reportado_en = EXCLUDED.reportado_en, ip = EXCLUDED.ip,
                firmware = EXCLUDED.firmware, uptime_segundos = EXCLUDED.uptime_segundos, senal_dbm = EXCLUDED.senal_dbm,
                snr_db = EXCLUDED.snr_db, bajada_mbps = EXCLUDED.bajada_mbps, subida_mbps = EXCLUDED.subida_mbps,
                clientes_wifi = EXCLUDED.clientes_wifi, datos = EXCLUDED.datos, actualizado_en = EXCLUDED.actualizado_en
            RETURNING estado_anterior),
        h AS (
            INSERT INTO router_estado_historial (router_id, reportado_en, estado, uptime_segundos, senal_dbm, snr_db,
                                                 bajada_mbps, subida_mbps, clientes_wifi, datos)
            VALUES ($1, $3, $2, $6, $7, $8, $9, $10, $11, $12)),
        ack AS (
            UPDATE router_comandos SET estado = 'ejecutado', terminado_en = $3, resultado = 'ok'
            WHERE router_id = $1 AND id = ANY($13) AND estado IN ('pendiente', 'entregado')),
        ent AS (
            UPDATE router_comandos SET estado = 'entregado', entregado_en = coalesce(entregado_en, $3)
            WHERE router_id = $1 AND estado IN ('pendiente', 'entregado') AND NOT (id = ANY($13))
            RETURNING id, tipo, parametros, created_at)
        SELECT (SELECT estado_anterior FROM up),
               (SELECT coalesce(json_agg(json_build_object('id', id, 'tipo', tipo, 'parametros', parametros) ORDER BY created_at), '[]') FROM ent)::text
        """;

    public async Task<RespuestaReporte> RegistrarAsync(RouterAutenticado router, ReporteRouter r, System.Net.IPAddress? ip, string cid, CancellationToken ct)
    {
        var op = opciones.Value;
        ReglasTelemetria.Validar(r, router.Serial, router.Tecnologia);
        var estado = ReglasTelemetria.Clasificar(r, router.Tecnologia, op.ErroresMaximos);
        var ahora = reloj.GetUtcNow();
        var datos = r.Errores is { } err ? $"{{\"errores\":{err}}}" : "{}";

        string? anterior;
        string comandosJson;
        await using (var cmd = fuente.Datos.CreateCommand(Sql))
        {
            var p = cmd.Parameters;
            p.Add(new NpgsqlParameter<Guid> { TypedValue = router.Id });
            p.Add(new NpgsqlParameter<string> { TypedValue = estado });
            p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = ahora, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            p.Add(new NpgsqlParameter { Value = (object?)ip ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Inet });
            p.Add(new NpgsqlParameter<string> { TypedValue = r.Firmware! });
            p.Add(new NpgsqlParameter<long> { TypedValue = r.UptimeSegundos!.Value });
            p.Add(new NpgsqlParameter<decimal> { TypedValue = r.SenalDbm!.Value });
            p.Add(new NpgsqlParameter { Value = (object?)r.SnrDb ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
            p.Add(new NpgsqlParameter<decimal> { TypedValue = r.BajadaMbps!.Value });
            p.Add(new NpgsqlParameter<decimal> { TypedValue = r.SubidaMbps!.Value });
            p.Add(new NpgsqlParameter { Value = (object?)r.ClientesConectados ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            p.Add(new NpgsqlParameter<string> { TypedValue = datos, NpgsqlDbType = NpgsqlDbType.Jsonb });
            p.Add(new NpgsqlParameter<Guid[]> { TypedValue = r.ComandosCompletados?.ToArray() ?? [] });
            await using var rd = await cmd.ExecuteReaderAsync(ct);
            await rd.ReadAsync(ct);
            anterior = rd.IsDBNull(0) ? null : rd.GetString(0);
            comandosJson = rd.GetString(1);
        }

        if (anterior == EstadosRouter.FueraDeLinea)
            await detector.CerrarDesconexionAsync(router.Id, ahora, cid, ct);

        Reportes.Add(1, new KeyValuePair<string, object?>("estado", estado));
        var comandos = JsonSerializer.Deserialize<List<ComandoEntregado>>(comandosJson, JsonWeb.Opciones) ?? [];
        return new RespuestaReporte(estado, op.IntervaloSegundos, comandos);
    }
}

/// <summary>A second data source over the same database, with synchronous_commit off, for telemetry only.</summary>
public sealed class FuenteTelemetria(NpgsqlDataSource datos) : IAsyncDisposable
{
    public NpgsqlDataSource Datos { get; } = datos;

    public static FuenteTelemetria Crear(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        b.Options = string.IsNullOrWhiteSpace(b.Options) ? "-c synchronous_commit=off" : b.Options + " -c synchronous_commit=off";
        if (b.MaxAutoPrepare == 0) b.MaxAutoPrepare = 20;
        return new FuenteTelemetria(new NpgsqlDataSourceBuilder(b.ConnectionString).Build());
    }

    public ValueTask DisposeAsync() => Datos.DisposeAsync();
}
