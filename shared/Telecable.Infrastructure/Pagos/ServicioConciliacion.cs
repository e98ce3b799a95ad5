using System.Diagnostics;
using System.Diagnostics.Metrics;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>The gateway's settlement report for one day (emulated: a JSON file or the POST body).</summary>
public sealed record ReporteLiquidacion(string? Gateway, DateOnly? Periodo, IReadOnlyList<MovimientoLiquidacion>? Movimientos);

/// <summary>A reconciliation run; <see cref="Archivo"/> is the settlement file (blob name) it came from, null for one posted to the API.</summary>
public sealed record ConciliacionVista(Guid Id, string Gateway, DateTime Periodo, string Estado, int MovimientosReporte, int PagosSistema,
    int Coincidencias, int FaltantesSistema, int FaltantesPasarela, int DiferenciasMonto, int DuplicadosReporte, DateTime EjecutadaEn,
    string? Archivo, decimal MontoBruto, decimal Comisiones, decimal MontoNeto)
{
    public IReadOnlyList<HallazgoVista>? Hallazgos { get; init; }
}

/// <summary>A finding as the billing portal shows it, with the operator's decision (aceptado, en_investigacion) if any.</summary>
public sealed record HallazgoVista(long Id, string Tipo, string Referencia, Guid? PagoId, decimal? MontoPasarela, decimal? MontoSistema,
    string? Resolucion, string? Nota, string? ResueltoPor, DateTime? ResueltoEn);

/// <summary>POST /api/pagos/conciliaciones/{id}/hallazgos/{hallazgoId}/resolucion: aceptar or investigar.</summary>
public sealed record SolicitudResolucion(string? Accion, string? Nota);

public abstract record ResultadoEjecucion
{
    public sealed record Ejecutada(ConciliacionVista Conciliacion) : ResultadoEjecucion;
    /// <summary>Another host ran (or is running) this gateway and day.</summary>
    public sealed record YaEjecutada(Guid? Id) : ResultadoEjecucion;
}

/// <summary>
/// Compares the gateway's settlement with the payments recorded for that gateway and Mexico business day. One run per
/// gateway and day: an advisory transaction lock plus the unique (gateway, periodo) make two hosts firing
/// together run it once. It only records findings: it never creates or applies a payment.
/// </summary>
public sealed class ServicioConciliacion(NpgsqlDataSource db, TimeProvider reloj)
{
    private static readonly Histogram<double> Duracion = Telemetria.Medidor.CreateHistogram<double>(
        "telecable.pagos.conciliacion.duracion", unit: "ms", description: "Duración de una conciliación");
    private static readonly Counter<long> Hallazgos = Telemetria.Medidor.CreateCounter<long>(
        "telecable.pagos.conciliacion.hallazgos", description: "Hallazgos de conciliación por tipo");

    public static void Validar(ReporteLiquidacion r)
    {
        var v = new Validador()
            .Regla(!string.IsNullOrWhiteSpace(r.Gateway) && r.Gateway.Length <= 40, "gateway", "Es obligatorio.")
            .Regla(r.Periodo is not null, "periodo", "Es obligatorio (yyyy-MM-dd).")
            .Regla(r.Movimientos is not null, "movimientos", "Es obligatorio.");
        var movs = r.Movimientos ?? [];
        for (var i = 0; i < movs.Count && i < 100_000; i++)
        {
            v.Regla(movs[i] is { Referencia.Length: > 0 and <= 200 }, $"movimientos[{i}].referencia", "Es obligatoria.");
            v.Regla(movs[i] is not null && Montos.EsValido(movs[i].Monto), $"movimientos[{i}].monto", "Debe ser mayor que 0 con a lo más 2 decimales.");
            if (v.Errores.Count >= 20) break;
        }
        v.Regla(movs.Count <= 100_000, "movimientos", "A lo más 100000 movimientos por reporte.");
        v.Lanzar();
    }

    public async Task<ResultadoEjecucion> EjecutarAsync(ReporteLiquidacion r, string cid, CancellationToken ct, string? archivo = null)
    {
        Validar(r);
        var inicio = Stopwatch.GetTimestamp();
        var gateway = r.Gateway!;
        var periodo = r.Periodo!.Value.ToDateTime(TimeOnly.MinValue);
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var lockKey = $"conciliacion:{gateway}:{r.Periodo:yyyy-MM-dd}";
        if (!await cn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_xact_lock(hashtextextended(@lockKey, 0))", new { lockKey }, tx, cancellationToken: ct)))
            return new ResultadoEjecucion.YaEjecutada(null);
        var existente = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM conciliaciones WHERE gateway = @gateway AND periodo = @periodo", new { gateway, periodo }, tx, cancellationToken: ct));
        if (existente is not null) return new ResultadoEjecucion.YaEjecutada(existente);

        // The provider's day is the Mexico business day (RelojMexico's zone), not UTC's: a payment at 19:30 in Monterrey is
        // that day's, although UTC is already in the next. A payment later refunded still arrived that day; the
        // remainder of a partial refund is the same money (its original is the one reconciled).
        var registrados = (await cn.QueryAsync<PagoRegistrado>(new CommandDefinition("""
            SELECT id AS PagoId, referencia, monto FROM pagos
            WHERE gateway = @gateway AND referencia IS NOT NULL AND pago_origen_id IS NULL
              AND estado IN ('confirmado', 'aplicado', 'reembolsado', 'contracargado', 'reembolsado_parcial')
              AND recibido_en >= @periodo::timestamp AT TIME ZONE @zona AND recibido_en < (@periodo::timestamp + interval '1 day') AT TIME ZONE @zona
            """, new { gateway, periodo, zona = RelojMexico.ZonaIana }, tx, cancellationToken: ct))).ToList();
        var resultado = Conciliador.Comparar(r.Movimientos!, registrados);

        var id = Guid.NewGuid();
        var ahora = reloj.GetUtcNow();
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO conciliaciones (id, gateway, periodo, estado, movimientos_reporte, pagos_sistema, coincidencias,
                faltantes_sistema, faltantes_pasarela, diferencias_monto, duplicados_reporte, cid, ejecutada_en, archivo, monto_bruto, comisiones, monto_neto)
            VALUES (@id, @gateway, @periodo, 'completada', @movs, @regs, @coinc, @fs, @fp, @dm, @dr, @cid, @ahora, @archivo, @bruto, @comisiones, @neto)
            """, new
        {
            id, gateway, periodo, movs = r.Movimientos!.Count, regs = registrados.Count, coinc = resultado.Coincidencias,
            fs = resultado.Contar(TiposHallazgo.FaltanteEnSistema), fp = resultado.Contar(TiposHallazgo.FaltanteEnPasarela),
            dm = resultado.Contar(TiposHallazgo.DiferenciaMonto), dr = resultado.Contar(TiposHallazgo.DuplicadoEnReporte), cid, ahora, archivo,
            bruto = resultado.Bruto, comisiones = resultado.Comisiones, neto = resultado.Neto,
        }, tx, cancellationToken: ct));
        await using (var copia = await cn.BeginBinaryImportAsync(
            "COPY conciliacion_hallazgos (conciliacion_id, tipo, referencia, pago_id, monto_pasarela, monto_sistema) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var h in resultado.Hallazgos)
            {
                await copia.StartRowAsync(ct);
                await copia.WriteAsync(id, NpgsqlDbType.Uuid, ct);
                await copia.WriteAsync(h.Tipo, NpgsqlDbType.Text, ct);
                await copia.WriteAsync(h.Referencia, NpgsqlDbType.Text, ct);
                if (h.PagoId is { } p) await copia.WriteAsync(p, NpgsqlDbType.Uuid, ct); else await copia.WriteNullAsync(ct);
                if (h.MontoPasarela is { } mp) await copia.WriteAsync(mp, NpgsqlDbType.Numeric, ct); else await copia.WriteNullAsync(ct);
                if (h.MontoSistema is { } ms) await copia.WriteAsync(ms, NpgsqlDbType.Numeric, ct); else await copia.WriteNullAsync(ct);
            }
            await copia.CompleteAsync(ct);
        }
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("ConciliacionCompletada", "conciliacion", id.ToString(), new
        {
            conciliacionId = id, gateway, periodo = r.Periodo, coincidencias = resultado.Coincidencias, hallazgos = resultado.Hallazgos.Count,
        }, cid, ahora), ct);
        await tx.CommitAsync(ct);

        Duracion.Record(Stopwatch.GetElapsedTime(inicio).TotalMilliseconds, new KeyValuePair<string, object?>("gateway", gateway));
        foreach (var g in resultado.Hallazgos.GroupBy(h => h.Tipo))
            Hallazgos.Add(g.Count(), new KeyValuePair<string, object?>("tipo", g.Key));
        return new ResultadoEjecucion.Ejecutada((await ObtenerAsync(id, ct))!);
    }

    public async Task<ConciliacionVista?> ObtenerAsync(Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var c = await cn.QuerySingleOrDefaultAsync<ConciliacionVista>(new CommandDefinition(Seleccion + " WHERE id = @id", new { id }, cancellationToken: ct));
        if (c is null) return null;
        var h = await cn.QueryAsync<HallazgoVista>(new CommandDefinition("""
            SELECT id, tipo, referencia, pago_id AS PagoId, monto_pasarela AS MontoPasarela, monto_sistema AS MontoSistema,
                   resolucion, nota, resuelto_por AS ResueltoPor, resuelto_en AS ResueltoEn
            FROM conciliacion_hallazgos WHERE conciliacion_id = @id ORDER BY id
            """, new { id }, cancellationToken: ct));
        return c with { Hallazgos = h.ToList() };
    }

    public async Task<Application.Comun.Pagina<ConciliacionVista>> ListarAsync(Application.Comun.Paginacion p, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await Datos.Paginado.LeerAsync<ConciliacionVista>(cn, Seleccion, "periodo DESC, gateway, id", null, p, ct);
    }

    /// <summary>The operator's decision on one finding (aceptar: understood, closed; investigar: open, being looked into).
    /// Repeating the same decision changes nothing; a finding of another run is a 404.</summary>
    public async Task<HallazgoVista> ResolverAsync(Guid conciliacionId, long hallazgoId, SolicitudResolucion s, string usuario, CancellationToken ct)
    {
        var resolucion = s.Accion switch
        {
            "aceptar" => "aceptado",
            "investigar" => "en_investigacion",
            _ => throw new ErrorValidacion("accion", "Debe ser aceptar o investigar."),
        };
        if (s.Nota is { Length: > 500 }) throw new ErrorValidacion("nota", "A lo más 500 caracteres.");
        await using var cn = await db.OpenConnectionAsync(ct);
        var h = await cn.QuerySingleOrDefaultAsync<HallazgoVista>(new CommandDefinition("""
            UPDATE conciliacion_hallazgos SET resolucion = @resolucion, nota = coalesce(@nota, nota), resuelto_por = @usuario, resuelto_en = @ahora
            WHERE id = @hallazgoId AND conciliacion_id = @conciliacionId
            RETURNING id, tipo, referencia, pago_id AS PagoId, monto_pasarela AS MontoPasarela, monto_sistema AS MontoSistema,
                      resolucion, nota, resuelto_por AS ResueltoPor, resuelto_en AS ResueltoEn
            """, new { resolucion, nota = s.Nota, usuario, ahora = reloj.GetUtcNow(), hallazgoId, conciliacionId }, cancellationToken: ct));
        return h ?? throw new ErrorNoEncontrado("hallazgo", hallazgoId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private const string Seleccion = """
        SELECT id, gateway, periodo::timestamp AS Periodo, estado, movimientos_reporte AS MovimientosReporte, pagos_sistema AS PagosSistema,
               coincidencias, faltantes_sistema AS FaltantesSistema, faltantes_pasarela AS FaltantesPasarela,
               diferencias_monto AS DiferenciasMonto, duplicados_reporte AS DuplicadosReporte, ejecutada_en AS EjecutadaEn, archivo,
               monto_bruto AS MontoBruto, comisiones, monto_neto AS MontoNeto
        FROM conciliaciones
        """;
}
