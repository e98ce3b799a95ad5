using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Domain.Routers;

namespace Telecable.Infrastructure.Routers;

public sealed record ComandoRouter(Guid Id, string Tipo, string Estado, string SolicitadoPor, DateTime CreadoEn,
    DateTime? EntregadoEn, DateTime? TerminadoEn, string? Resultado);

public sealed record EstadoRouter(Guid RouterId, string Serial, string Modelo, string Tecnologia, Guid? ClienteId, string? Zona,
    string Estado, DateTime? ReportadoEn, string? Firmware, long? UptimeSegundos, decimal? SenalDbm, decimal? SnrDb,
    decimal? BajadaMbps, decimal? SubidaMbps, int? ClientesConectados, IReadOnlyList<ComandoRouter> Comandos);

public sealed record RouterFlota(Guid RouterId, string Serial, Guid? ClienteId, string? Zona, string Estado, DateTime? ReportadoEn,
    decimal? SenalDbm, decimal? SnrDb, string? Tecnologia = null);

public sealed record ConteoZona(string Zona, string Nombre, int Total, int EnLinea, int Degradado, int FueraDeLinea);

public sealed record Flota(DateTimeOffset Calculada, int Total, int EnLinea, int Degradado, int FueraDeLinea,
    IReadOnlyList<ConteoZona> PorZona, int Pagina, int Tamano, IReadOnlyList<RouterFlota> Routers);

/// <summary>
/// Reads of router state for support and customers, and remote commands. The state shown is the
/// effective one: a router whose last report is older than the offline limit is fuera_de_linea even
/// before the detector has run.
/// </summary>
public sealed class ServicioRouters(NpgsqlDataSource db, IOptions<OpcionesRouters> opciones, TimeProvider reloj)
{
    private static readonly Counter<long> Comandos = Telemetria.Medidor.CreateCounter<long>(
        "telecable.routers.comandos", description: "Comandos remotos solicitados y confirmados, por tipo y resultado");

    private const string EstadoEfectivo =
        "CASE WHEN e.reportado_en IS NULL OR e.reportado_en < @limite THEN 'fuera_de_linea' ELSE e.estado END";

    private DateTimeOffset Limite => reloj.GetUtcNow() - opciones.Value.LimiteSinReporte;

    /// <summary>The state of one router, or 404 when it does not exist or the caller may not see it.</summary>
    public async Task<EstadoRouter> ObtenerAsync(Guid routerId, Usuario usuario, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var fila = await cn.QuerySingleOrDefaultAsync<FilaEstado>(new CommandDefinition($"""
            SELECT r.id AS RouterId, r.serial, r.modelo, r.tecnologia_clave AS Tecnologia, r.cliente_id AS ClienteId, z.clave AS Zona,
                   {EstadoEfectivo} AS Estado, e.reportado_en AS ReportadoEn, coalesce(e.firmware, r.firmware) AS Firmware,
                   e.uptime_segundos AS UptimeSegundos, e.senal_dbm AS SenalDbm, e.snr_db AS SnrDb, e.bajada_mbps AS BajadaMbps,
                   e.subida_mbps AS SubidaMbps, e.clientes_wifi AS ClientesConectados
            FROM routers r LEFT JOIN router_estado e ON e.router_id = r.id
            LEFT JOIN contratos c ON c.id = r.contrato_id LEFT JOIN zonas z ON z.id = c.zona_id
            WHERE r.id = @routerId
            """, new { routerId, limite = Limite }, cancellationToken: ct));
        if (fila is null || !(fila.ClienteId is { } c ? usuario.PuedeVerCliente(c) : usuario.TieneAlguno([Roles.Admin, Roles.Soporte, Roles.Cobranzas])))
            throw new ErrorNoEncontrado("router", routerId.ToString());
        var comandos = (await cn.QueryAsync<ComandoRouter>(new CommandDefinition("""
            SELECT id, tipo, estado, solicitado_por AS SolicitadoPor, created_at AS CreadoEn, entregado_en AS EntregadoEn,
                   terminado_en AS TerminadoEn, resultado
            FROM router_comandos WHERE router_id = @routerId ORDER BY created_at DESC LIMIT 5
            """, new { routerId }, cancellationToken: ct))).ToList();
        return new EstadoRouter(fila.RouterId, fila.Serial, fila.Modelo, fila.Tecnologia, fila.ClienteId, fila.Zona, fila.Estado,
            fila.ReportadoEn, fila.Firmware, fila.UptimeSegundos, fila.SenalDbm, fila.SnrDb, fila.BajadaMbps, fila.SubidaMbps,
            fila.ClientesConectados, comandos);
    }

    private sealed record FilaEstado(Guid RouterId, string Serial, string Modelo, string Tecnologia, Guid? ClienteId, string? Zona,
        string Estado, DateTime? ReportadoEn, string? Firmware, long? UptimeSegundos, decimal? SenalDbm, decimal? SnrDb,
        decimal? BajadaMbps, decimal? SubidaMbps, int? ClientesConectados);

    /// <summary>The fleet of customer routers: counts overall and by zone, and one page of routers, filtered.</summary>
    public async Task<Flota> FlotaAsync(string? zona, string? estado, int pagina, int tamano, CancellationToken ct)
    {
        var v = new Validador();
        v.Regla(zona is null || (zona.Length <= 20 && zona.All(ch => char.IsAsciiLetterUpper(ch) || char.IsAsciiDigit(ch) || ch == '_')),
                "zona", "Clave de zona inválida (p. ej. MTY_CENTRO).")
         .Regla(estado is null || estado is EstadosRouter.EnLinea or EstadosRouter.Degradado or EstadosRouter.FueraDeLinea,
                "estado", "Debe ser en_linea, degradado o fuera_de_linea.");
        v.Lanzar();

        var ahora = reloj.GetUtcNow();
        var p = new { limite = ahora - opciones.Value.LimiteSinReporte, zona, estado, tamano, salto = (pagina - 1) * tamano };
        await using var cn = await db.OpenConnectionAsync(ct);
        const string Base = $"""
            SELECT r.id, r.serial, r.cliente_id, z.clave AS zona, z.nombre AS zona_nombre, {EstadoEfectivo} AS estado,
                   e.reportado_en, e.senal_dbm, e.snr_db, r.tecnologia_clave
            FROM routers r JOIN contratos c ON c.id = r.contrato_id JOIN zonas z ON z.id = c.zona_id
            LEFT JOIN router_estado e ON e.router_id = r.id
            WHERE (@zona::text IS NULL OR z.clave = @zona)
            """;
        var zonas = (await cn.QueryAsync<ConteoZona>(new CommandDefinition($"""
            SELECT zona, zona_nombre AS Nombre, count(*)::int AS Total,
                   count(*) FILTER (WHERE estado = 'en_linea')::int AS EnLinea,
                   count(*) FILTER (WHERE estado = 'degradado')::int AS Degradado,
                   count(*) FILTER (WHERE estado NOT IN ('en_linea', 'degradado'))::int AS FueraDeLinea
            FROM ({Base}) f GROUP BY zona, zona_nombre ORDER BY zona
            """, p, cancellationToken: ct))).ToList();
        var routers = (await cn.QueryAsync<RouterFlota>(new CommandDefinition($"""
            SELECT id AS RouterId, serial, cliente_id AS ClienteId, zona, CASE WHEN estado = 'reiniciando' THEN 'fuera_de_linea' ELSE estado END AS Estado,
                   reportado_en AS ReportadoEn, senal_dbm AS SenalDbm, snr_db AS SnrDb, tecnologia_clave AS Tecnologia
            FROM ({Base}) f
            WHERE @estado::text IS NULL OR (CASE WHEN estado = 'reiniciando' THEN 'fuera_de_linea' ELSE estado END) = @estado
            ORDER BY serial LIMIT @tamano OFFSET @salto
            """, p, cancellationToken: ct))).ToList();
        return new Flota(ahora, zonas.Sum(z => z.Total), zonas.Sum(z => z.EnLinea), zonas.Sum(z => z.Degradado), zonas.Sum(z => z.FueraDeLinea),
            zonas, pagina, tamano, routers);
    }

    /// <summary>Queues a reset; the router receives it in the answer to its next report. 409 if one is still open.</summary>
    public async Task<ComandoRouter> SolicitarReinicioAsync(Guid routerId, Usuario usuario, string cid, CancellationToken ct)
    {
        var ahora = reloj.GetUtcNow();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        // Lock the router row so two concurrent requests cannot both see "no open reset".
        var existe = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM routers WHERE id = @routerId FOR UPDATE", new { routerId }, tx, cancellationToken: ct));
        if (existe is null) throw new ErrorNoEncontrado("router", routerId.ToString());
        var abierto = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            SELECT id FROM router_comandos WHERE router_id = @routerId AND tipo = 'reiniciar' AND estado IN ('pendiente', 'entregado') LIMIT 1
            """, new { routerId }, tx, cancellationToken: ct));
        if (abierto is not null)
            throw new ErrorConflicto($"El router ya tiene un reinicio en curso ({abierto}).", "reinicio_en_curso");
        var comando = await cn.QuerySingleAsync<ComandoRouter>(new CommandDefinition("""
            INSERT INTO router_comandos (router_id, tipo, estado, solicitado_por, cid, created_at)
            VALUES (@routerId, 'reiniciar', 'pendiente', @sujeto, @cid, @ahora)
            RETURNING id, tipo, estado, solicitado_por AS SolicitadoPor, created_at AS CreadoEn, entregado_en AS EntregadoEn,
                      terminado_en AS TerminadoEn, resultado
            """, new { routerId, sujeto = usuario.Sujeto, cid, ahora }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        Comandos.Add(1, new KeyValuePair<string, object?>("tipo", "reiniciar"), new KeyValuePair<string, object?>("resultado", "solicitado"));
        return comando;
    }

    /// <summary>The router confirms a command (ok or failed). Repeating a confirmation is harmless.</summary>
    public async Task<ComandoRouter> ConfirmarAsync(Guid routerId, Guid comandoId, bool exito, string? detalle, CancellationToken ct)
    {
        if (detalle is { Length: > 500 }) throw new ErrorValidacion("detalle", "Admite como máximo 500 caracteres.");
        await using var cn = await db.OpenConnectionAsync(ct);
        var c = await cn.QuerySingleOrDefaultAsync<ComandoRouter>(new CommandDefinition("""
            WITH act AS (
                UPDATE router_comandos SET estado = @estado, terminado_en = @ahora, resultado = coalesce(@detalle, @resultado),
                       entregado_en = coalesce(entregado_en, @ahora)
                WHERE id = @comandoId AND router_id = @routerId AND estado IN ('pendiente', 'entregado')
                RETURNING *)
            SELECT id, tipo, estado, solicitado_por AS SolicitadoPor, created_at AS CreadoEn, entregado_en AS EntregadoEn,
                   terminado_en AS TerminadoEn, resultado FROM act
            UNION ALL
            SELECT id, tipo, estado, solicitado_por, created_at, entregado_en, terminado_en, resultado
            FROM router_comandos WHERE id = @comandoId AND router_id = @routerId AND NOT EXISTS (SELECT 1 FROM act)
            """, new { routerId, comandoId, estado = exito ? "ejecutado" : "fallido", resultado = exito ? "ok" : "fallido", detalle,
                ahora = reloj.GetUtcNow() }, cancellationToken: ct))
            ?? throw new ErrorNoEncontrado("comando", comandoId.ToString());
        Comandos.Add(1, new KeyValuePair<string, object?>("tipo", c.Tipo), new KeyValuePair<string, object?>("resultado", c.Estado));
        return c;
    }
}
