using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Routers;

namespace Telecable.Infrastructure.Operacion;

/// <summary>
/// Reads the state of operations from PostgreSQL (for /api/metrics at scrape time, the sampling timer and
/// the operations page), records one sample a minute, and returns the samples of the last hours.
/// </summary>
public sealed class ServicioOperacion(
    NpgsqlDataSource db, AlertasPrometheus prometheus, IOptions<OpcionesRouters> routers, IOptions<OpcionesOperacion> opciones, TimeProvider reloj)
{
    /// <summary>Most points a chart gets: longer ranges are thinned to one sample every few minutes.</summary>
    public const int MaximoPuntos = 360;

    // One round trip. A run "progresses" when it or one of its invoices changes (invoices are marked in
    // batches as they are stamped), so a large run that is working is never taken for a stuck one.
    private const string SqlEstado = """
        SELECT
          (SELECT count(*)::int FROM corridas_facturacion WHERE estado = 'fallida' AND updated_at > @ahora - interval '24 hours') AS corridasfallidas,
          (SELECT count(*)::int FROM corridas_facturacion WHERE estado IN ('pendiente', 'en_proceso')) AS corridasencurso,
          (SELECT coalesce(max(extract(epoch FROM @ahora - greatest(c.updated_at,
                    coalesce((SELECT max(f.updated_at) FROM facturas f WHERE f.corrida_id = c.id), c.updated_at)))), 0)::float8
             FROM corridas_facturacion c WHERE c.estado IN ('pendiente', 'en_proceso')) AS corridasinavances,
          (SELECT count(*)::int FROM facturas WHERE timbrada_en > @ahora - interval '15 minutes') AS cfditimbradas15m,
          (SELECT count(*)::int FROM facturas WHERE estado = 'error' AND updated_at > @ahora - interval '15 minutes') AS cfdifallidas15m,
          (SELECT count(*)::int FROM outbox WHERE publicado_en IS NULL) AS outboxpendientes,
          (SELECT coalesce(extract(epoch FROM @ahora - min(ocurrido_en)), 0)::float8 FROM outbox WHERE publicado_en IS NULL) AS outboxretrasos,
          (SELECT count(*)::int FROM webhook_eventos WHERE recibido_en > @ahora - interval '15 minutes') AS webhooksrecibidos15m,
          (SELECT count(*)::int FROM webhook_eventos WHERE recibido_en > @ahora - interval '15 minutes' AND NOT aceptado) AS webhooksrechazados15m,
          (SELECT count(*)::int FROM pagos WHERE estado = 'confirmado') AS pagossinaplicar,
          (SELECT coalesce(extract(epoch FROM @ahora - min(recibido_en)), 0)::float8 FROM pagos WHERE estado = 'confirmado') AS pagossinaplicarantiguedads,
          (SELECT count(*)::int FROM notificaciones WHERE estado = 'pendiente') AS notificacionespendientes,
          (SELECT coalesce(extract(epoch FROM @ahora - min(created_at)), 0)::float8 FROM notificaciones WHERE estado = 'pendiente') AS notificacionesantiguedads;

        SELECT z.clave AS zona, count(*)::int AS total,
               count(*) FILTER (WHERE e.reportado_en IS NULL OR e.reportado_en < @limite OR e.estado IN ('fuera_de_linea', 'reiniciando'))::int AS fueradelinea
        FROM routers r JOIN contratos c ON c.id = r.contrato_id JOIN zonas z ON z.id = c.zona_id
        LEFT JOIN router_estado e ON e.router_id = r.id
        GROUP BY z.clave ORDER BY z.clave;
        """;

    public async Task<EstadoOperacion> LeerAsync(CancellationToken ct)
    {
        var ahora = reloj.GetUtcNow();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var m = await cn.QueryMultipleAsync(new CommandDefinition(SqlEstado,
            new { ahora, limite = ahora - routers.Value.LimiteSinReporte }, cancellationToken: ct));
        var f = await m.ReadSingleAsync<FilaEstado>();
        var zonas = (await m.ReadAsync<FilaZona>()).Select(z => new RoutersZona(z.Zona, z.Total, z.FueraDeLinea)).ToList();
        return new EstadoOperacion(ahora, f.CorridasFallidas, f.CorridasEnCurso, Math.Round(f.CorridaSinAvanceS, 1),
            f.CfdiTimbradas15m, f.CfdiFallidas15m, f.OutboxPendientes, Math.Round(f.OutboxRetrasoS, 1),
            f.WebhooksRecibidos15m, f.WebhooksRechazados15m, f.PagosSinAplicar, Math.Round(f.PagosSinAplicarAntiguedadS, 1),
            f.NotificacionesPendientes, Math.Round(f.NotificacionesAntiguedadS, 1), zonas);
    }

    /// <summary>
    /// Records the current state as this minute's sample (two hosts in the same minute record one) and
    /// removes samples older than the retention. Returns the state it read.
    /// </summary>
    public async Task<EstadoOperacion> MuestrearAsync(CancellationToken ct)
    {
        var e = await LeerAsync(ct);
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO operacion_muestras (tomada_en, datos) VALUES (date_trunc('minute', @tomada), @datos::jsonb) ON CONFLICT (tomada_en) DO NOTHING;
            DELETE FROM operacion_muestras WHERE tomada_en < @tomada - make_interval(days => @dias);
            """, new { tomada = e.TomadaEn, datos = JsonSerializer.Serialize(e, JsonWeb.Opciones), dias = Math.Max(1, opciones.Value.DiasMuestras) },
            cancellationToken: ct));
        return e;
    }

    /// <summary>The samples of the last <paramref name="horas"/> hours, oldest first, thinned to at most
    /// <see cref="MaximoPuntos"/>, followed by the state read now.</summary>
    public async Task<IReadOnlyList<EstadoOperacion>> MuestrasAsync(int horas, CancellationToken ct)
    {
        var paso = Math.Max(1, (int)Math.Ceiling(horas * 60.0 / MaximoPuntos));
        var ahora = reloj.GetUtcNow();
        List<EstadoOperacion> muestras;
        await using (var cn = await db.OpenConnectionAsync(ct))
        {
            var filas = await cn.QueryAsync<string>(new CommandDefinition("""
                SELECT datos::text FROM operacion_muestras
                WHERE tomada_en >= @desde AND (extract(epoch FROM tomada_en)::bigint / 60) % @paso = 0
                ORDER BY tomada_en
                """, new { desde = ahora.AddHours(-horas), paso }, cancellationToken: ct));
            muestras = filas.Select(d => JsonSerializer.Deserialize<EstadoOperacion>(d, JsonWeb.Opciones)!).ToList();
        }
        muestras.Add(await LeerAsync(ct));
        return muestras;
    }

    /// <summary>What the operations page shows: the samples of the last hours and, when a Prometheus is
    /// configured, its pending and firing alerts (an unreachable Prometheus is reported, not an error).</summary>
    public async Task<ResumenOperacion> ResumenAsync(int horas, CancellationToken ct)
    {
        var muestras = await MuestrasAsync(horas, ct);
        var url = opciones.Value.PrometheusUrl;
        if (string.IsNullOrWhiteSpace(url)) return new ResumenOperacion(horas, muestras, null, null);
        try
        {
            return new ResumenOperacion(horas, muestras, await prometheus.LeerAsync(url, ct), null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                                       || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            // The type only: a message could carry the server's address.
            return new ResumenOperacion(horas, muestras, [], $"Prometheus no respondió ({e.GetType().Name}).");
        }
    }

    private sealed record FilaEstado(
        int CorridasFallidas, int CorridasEnCurso, double CorridaSinAvanceS, int CfdiTimbradas15m, int CfdiFallidas15m,
        int OutboxPendientes, double OutboxRetrasoS, int WebhooksRecibidos15m, int WebhooksRechazados15m,
        int PagosSinAplicar, double PagosSinAplicarAntiguedadS, int NotificacionesPendientes, double NotificacionesAntiguedadS);

    private sealed record FilaZona(string Zona, int Total, int FueraDeLinea);
}
