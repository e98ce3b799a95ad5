using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Telecable.Infrastructure.Datos;

namespace Telecable.Infrastructure.Routers;

/// <summary>One report ready to be written (already validated and classified).</summary>
public sealed record FilaTelemetria(Guid RouterId, string Estado, DateTimeOffset ReportadoEn, System.Net.IPAddress? Ip, string Firmware,
    long UptimeSegundos, decimal SenalDbm, decimal? SnrDb, decimal BajadaMbps, decimal SubidaMbps, int? ClientesConectados, string Datos,
    Guid[] ComandosCompletados);

/// <summary>What the write tells the caller: the state before this report, and the commands to deliver (JSON array).</summary>
public sealed record ResultadoTelemetria(string? EstadoAnterior, string ComandosJson);

/// <summary>
/// Telemetry writes: concurrent reports are grouped by <see cref="EscritorPorLotes{TFila, TClave, TResultado}"/>
/// (a router at most once per batch) and written with one statement over arrays. Rows are written in
/// router_id order so two concurrent batches lock in the same order and cannot deadlock.
/// </summary>
public sealed class LoteTelemetria : IAsyncDisposable
{
    public const int MaximoLote = 256;

    public const string SqlLote = """
        WITH v AS (
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::inet[], $5::text[], $6::bigint[], $7::numeric[],
                                 $8::numeric[], $9::numeric[], $10::numeric[], $11::int[], $12::jsonb[])
                AS v(router_id, estado, reportado_en, ip, firmware, uptime_segundos, senal_dbm, snr_db, bajada_mbps, subida_mbps, clientes_wifi, datos)),
        up AS (
            INSERT INTO router_estado AS e (router_id, estado, reportado_en, ip, firmware, uptime_segundos, senal_dbm, snr_db,
                                            bajada_mbps, subida_mbps, clientes_wifi, datos, actualizado_en)
            SELECT router_id, estado, reportado_en, ip, firmware, uptime_segundos, senal_dbm, snr_db, bajada_mbps, subida_mbps,
                   clientes_wifi, datos, reportado_en FROM v ORDER BY router_id
            ON CONFLICT (router_id) DO UPDATE SET
                estado_anterior = e.estado, estado = EXCLUDED.estado, reportado_en = EXCLUDED.reportado_en, ip = EXCLUDED.ip,
                firmware = EXCLUDED.firmware, uptime_segundos = EXCLUDED.uptime_segundos, senal_dbm = EXCLUDED.senal_dbm,
                snr_db = EXCLUDED.snr_db, bajada_mbps = EXCLUDED.bajada_mbps, subida_mbps = EXCLUDED.subida_mbps,
                clientes_wifi = EXCLUDED.clientes_wifi, datos = EXCLUDED.datos, actualizado_en = EXCLUDED.actualizado_en
            RETURNING router_id, estado_anterior),
        h AS (
            INSERT INTO router_estado_historial (router_id, reportado_en, estado, uptime_segundos, senal_dbm, snr_db,
                                                 bajada_mbps, subida_mbps, clientes_wifi, datos)
            SELECT router_id, reportado_en, estado, uptime_segundos, senal_dbm, snr_db, bajada_mbps, subida_mbps, clientes_wifi, datos FROM v),
        a AS (SELECT * FROM unnest($13::uuid[], $14::uuid[]) AS a(router_id, comando_id)),
        ack AS (
            UPDATE router_comandos c SET estado = 'ejecutado', terminado_en = v.reportado_en, resultado = 'ok'
            FROM a JOIN v ON v.router_id = a.router_id
            WHERE c.id = a.comando_id AND c.router_id = a.router_id AND c.estado IN ('pendiente', 'entregado')),
        ent AS (
            UPDATE router_comandos c SET estado = 'entregado', entregado_en = coalesce(c.entregado_en, v.reportado_en)
            FROM v
            WHERE c.router_id = v.router_id AND c.estado IN ('pendiente', 'entregado') AND c.id NOT IN (SELECT comando_id FROM a)
            RETURNING c.router_id, c.id, c.tipo, c.parametros, c.created_at)
        SELECT up.router_id, up.estado_anterior,
               (SELECT coalesce(json_agg(json_build_object('id', ent.id, 'tipo', ent.tipo, 'parametros', ent.parametros) ORDER BY ent.created_at), '[]')
                FROM ent WHERE ent.router_id = up.router_id)::text
        FROM up
        """;

    private readonly FuenteTelemetria _fuente;
    private readonly EscritorPorLotes<FilaTelemetria, Guid, ResultadoTelemetria> _escritor;

    public LoteTelemetria(FuenteTelemetria fuente, ILogger<LoteTelemetria> log)
    {
        _fuente = fuente;
        _escritor = new(f => f.RouterId, async filas =>
        {
            var r = await EjecutarLoteAsync(filas);
            return filas.Select(f => r.TryGetValue(f.RouterId, out var x) ? x : throw new InvalidOperationException($"El lote no devolvió el router {f.RouterId}.")).ToList();
        }, log, MaximoLote);
    }

    public Task<ResultadoTelemetria> EscribirAsync(FilaTelemetria fila) => _escritor.EscribirAsync(fila);

    /// <summary>Writes reports of distinct routers with one statement; returns each router's result.</summary>
    public async Task<Dictionary<Guid, ResultadoTelemetria>> EjecutarLoteAsync(IReadOnlyList<FilaTelemetria> filas)
    {
        await using var cmd = _fuente.Datos.CreateCommand(SqlLote);
        var p = cmd.Parameters;
        p.Add(new NpgsqlParameter<Guid[]> { TypedValue = filas.Select(f => f.RouterId).ToArray() });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = filas.Select(f => f.Estado).ToArray() });
        p.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = filas.Select(f => f.ReportadoEn).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = filas.Select(f => (object?)f.Ip ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Inet });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = filas.Select(f => f.Firmware).ToArray() });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = filas.Select(f => f.UptimeSegundos).ToArray() });
        p.Add(new NpgsqlParameter<decimal[]> { TypedValue = filas.Select(f => f.SenalDbm).ToArray() });
        p.Add(new NpgsqlParameter { Value = filas.Select(f => (object?)f.SnrDb ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        p.Add(new NpgsqlParameter<decimal[]> { TypedValue = filas.Select(f => f.BajadaMbps).ToArray() });
        p.Add(new NpgsqlParameter<decimal[]> { TypedValue = filas.Select(f => f.SubidaMbps).ToArray() });
        p.Add(new NpgsqlParameter { Value = filas.Select(f => (object?)f.ClientesConectados ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = filas.Select(f => f.Datos).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        var acks = filas.SelectMany(f => f.ComandosCompletados.Select(c => (f.RouterId, c))).ToArray();
        p.Add(new NpgsqlParameter<Guid[]> { TypedValue = acks.Select(x => x.RouterId).ToArray() });
        p.Add(new NpgsqlParameter<Guid[]> { TypedValue = acks.Select(x => x.c).ToArray() });

        var resultado = new Dictionary<Guid, ResultadoTelemetria>(filas.Count);
        await using var rd = await cmd.ExecuteReaderAsync();
        while (await rd.ReadAsync())
            resultado[rd.GetGuid(0)] = new ResultadoTelemetria(rd.IsDBNull(1) ? null : rd.GetString(1), rd.GetString(2));
        return resultado;
    }

    public ValueTask DisposeAsync() => _escritor.DisposeAsync();
}
