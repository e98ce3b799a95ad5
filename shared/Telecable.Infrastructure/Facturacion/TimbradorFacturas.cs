using System.Diagnostics;
using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Facturacion;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>Counters and histograms an operator charts for billing.</summary>
public static class FacturacionMetricas
{
    public static readonly Counter<long> Generadas = Telemetria.Medidor.CreateCounter<long>("facturacion.facturas.generadas", "{factura}");
    public static readonly Counter<long> Timbradas = Telemetria.Medidor.CreateCounter<long>("facturacion.facturas.timbradas", "{factura}");
    public static readonly Counter<long> Fallidas = Telemetria.Medidor.CreateCounter<long>("facturacion.facturas.fallidas", "{factura}");
    public static readonly Counter<long> CorridasFallidas = Telemetria.Medidor.CreateCounter<long>("facturacion.corridas.fallidas", "{corrida}",
        "Billing runs ended fallida, by cause");
    public static readonly Counter<long> ReintentosPac = Telemetria.Medidor.CreateCounter<long>("facturacion.pac.reintentos", "{llamada}");
    public static readonly Histogram<double> DuracionCfdi = Telemetria.Medidor.CreateHistogram<double>("facturacion.cfdi.duracion", "ms",
        "Seal + stamp + blob of one CFDI");
}

/// <summary>
/// Stamps one chunk of a run: the invoices of the run in estado borrador whose folio falls in the chunk
/// (a range of folios, or folio mod partes = parte). Each CFDI is rebuilt from its stored rows and sealed (deterministic: same XML, same
/// Sello), sent to the PAC through <see cref="ITimbradoUnico"/> (a resend after a crash gets the original UUID, 307), which
/// stores its stamped XML as &lt;uuid&gt;.xml if absent, then the rows are marked in batches together with their FacturaTimbrada events.
/// A row already carrying a UUID is never sent again.
/// </summary>
public sealed class TimbradorFacturas(
    NpgsqlDataSource db, ITimbradoUnico timbrado, ProveedorCsd csd, OpcionesEmisor emisor,
    OpcionesFacturacion opciones, TimeProvider reloj, ILogger<TimbradorFacturas> log) : ITimbradorPartes
{
    public const string EventoFacturaTimbrada = "FacturaTimbrada";
    private const int TamanoLote = 16;

    /// <summary>Stamps the chunk <c>folio % partes = parte</c> of the run (the floor of bench/FacturacionMasiva and tests).</summary>
    public async Task<ResultadoParte> TimbrarParteAsync(Guid corridaId, int parte, int partes, bool ultimaRonda, string cid, CancellationToken ct)
    {
        var facturas = await CargarAsync("f.folio % @partes = @parte", new { corridaId, parte = (long)parte, partes = (long)partes }, ct);
        return await TimbrarAsync(facturas, corridaId, $"{parte}/{partes}", ultimaRonda, cid, ct);
    }

    /// <summary>Stamps the chunk of the run whose folios lie in [desde, hasta] (what the orchestration fans out: one
    /// index range of (corrida_id, folio), a bounded number of invoices).</summary>
    public async Task<ResultadoParte> TimbrarRangoAsync(Guid corridaId, int parte, long desde, long hasta, bool ultimaRonda, string cid, CancellationToken ct)
    {
        var facturas = await CargarAsync("f.folio BETWEEN @desde AND @hasta", new { corridaId, desde, hasta }, ct);
        return await TimbrarAsync(facturas, corridaId, $"{parte} ({desde}-{hasta})", ultimaRonda, cid, ct);
    }

    private async Task<ResultadoParte> TimbrarAsync(IReadOnlyList<FacturaGuardada> facturas, Guid corridaId, string parte, bool ultimaRonda, string cid, CancellationToken ct)
    {
        if (facturas.Count == 0) return new ResultadoParte(0, 0, 0);
        var certificado = csd.Csd;
        int timbradas = 0, fallidas = 0, pendientes = 0;
        // Up to Paralelismo CFDIs in flight; every TamanoLote results are recorded in one transaction, so a slow
        // CFDI (PAC retries) never holds the others back.
        var acumulados = new List<Resultado>();
        await Parallel.ForEachAsync(facturas, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, opciones.Paralelismo), CancellationToken = ct },
            async (f, t) =>
            {
                var r = await ProcesarAsync(f, certificado, ultimaRonda, t);
                if (r.Uuid is not null) Interlocked.Increment(ref timbradas);
                else if (r.Codigo is not null) Interlocked.Increment(ref fallidas);
                else Interlocked.Increment(ref pendientes);
                Resultado[]? lote = null;
                lock (acumulados)
                {
                    acumulados.Add(r);
                    if (acumulados.Count >= TamanoLote)
                    {
                        lote = [.. acumulados];
                        acumulados.Clear();
                    }
                }
                if (lote is not null) await RegistrarAsync(lote, cid, t);
            });
        await RegistrarAsync(acumulados, cid, ct);
        FacturacionMetricas.Timbradas.Add(timbradas);
        FacturacionMetricas.Fallidas.Add(fallidas);
        log.LogInformation("Corrida {Corrida} parte {Parte}: {Timbradas} timbradas, {Fallidas} con error, {Pendientes} pendientes",
            corridaId, parte, timbradas, fallidas, pendientes);
        return new ResultadoParte(timbradas, fallidas, pendientes);
    }

    private async Task<Resultado> ProcesarAsync(FacturaGuardada f, CsdCertificate certificado, bool ultimaRonda, CancellationToken ct)
    {
        var inicio = Stopwatch.GetTimestamp();
        var (receptor, codigo, motivo) = ArmadoFactura.Receptor(f.ReceptorRfc, f.ReceptorNombre, f.ReceptorRegimen?.Trim(), f.UsoCfdi, f.ReceptorCp?.Trim());
        if (receptor is null) return Resultado.Error(f, codigo!, motivo!);
        CfdiSellado sellado;
        try
        {
            var cfdi = f.Armar(emisor, receptor);
            if (cfdi.Total != f.Total) return Resultado.Error(f, CodigosFactura.CfdiInvalido, $"El total recalculado {cfdi.Total} difiere del registrado {f.Total}.");
            sellado = SelladorCfdi.Sellar(cfdi, certificado);
        }
        catch (ArgumentException e)
        {
            return Resultado.Error(f, CodigosFactura.CfdiInvalido, e.Message);
        }

        // The PAC step, its retries of a passing outage included, is ITimbradoUnico's (the one retry owner).
        var r = await timbrado.TimbrarAsync(sellado.Xml, ct);
        switch (r.Resultado)
        {
            case ResultadoEstampado.PacNoDisponible:
                return ultimaRonda ? Resultado.Error(f, CodigosFactura.PacNoDisponible, r.Mensaje ?? "PAC no disponible.") : Resultado.Pendiente(f);
            case ResultadoEstampado.Rechazado:
                return Resultado.Error(f, r.Codigo ?? "PAC", r.Mensaje ?? "Rechazado por el PAC.");
        }
        FacturacionMetricas.DuracionCfdi.Record(Stopwatch.GetElapsedTime(inicio).TotalMilliseconds);
        return new Resultado(f, r.Uuid, r.Blob, sellado.Sello, r.TimbradoEn, null, null);
    }

    private async Task RegistrarAsync(IReadOnlyList<Resultado> resultados, string cid, CancellationToken ct)
    {
        var timbradas = resultados.Where(r => r.Uuid is not null).ToList();
        var errores = resultados.Where(r => r.Codigo is not null).ToList();
        if (timbradas.Count == 0 && errores.Count == 0) return;
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        // Rows locked in id order first: a chunk delivered twice at once (a visibility timeout passed, a killed host's
        // message) records overlapping batches in different orders, and two UPDATE ... FROM unnest would deadlock (40P01),
        // failing the chunk, and after its retries the run.
        await cn.ExecuteAsync(new CommandDefinition("SELECT id FROM facturas WHERE id = ANY(@ids) ORDER BY id FOR NO KEY UPDATE",
            new { ids = timbradas.Concat(errores).Select(r => r.F.Id).ToArray() }, tx, cancellationToken: ct));
        if (timbradas.Count > 0)
        {
            // uuid IS NULL: a row stamped by an earlier (crashed) execution keeps its stamp and emits no second event.
            var marcadas = (await cn.QueryAsync<Guid>(new CommandDefinition("""
                UPDATE facturas f SET uuid = x.uuid, estado = 'timbrada', xml_blob = x.blob, sello = x.sello, timbrada_en = x.timbrada_en,
                       error_codigo = NULL, error_mensaje = NULL, version = f.version + 1
                FROM unnest(@ids, @uuids, @blobs, @sellos, @fechas) AS x(id, uuid, blob, sello, timbrada_en)
                WHERE f.id = x.id AND f.uuid IS NULL
                RETURNING f.id
                """, new
            {
                ids = timbradas.Select(r => r.F.Id).ToArray(),
                uuids = timbradas.Select(r => r.Uuid!.Value).ToArray(),
                blobs = timbradas.Select(r => r.Blob!).ToArray(),
                sellos = timbradas.Select(r => r.Sello!).ToArray(),
                fechas = timbradas.Select(r => r.TimbradaEn!.Value.UtcDateTime).ToArray(),
            }, tx, cancellationToken: ct))).ToHashSet();
            var ahora = reloj.GetUtcNow();
            await Outbox.Outbox.AgregarAsync(cn, tx, timbradas.Where(r => marcadas.Contains(r.F.Id)).Select(r => EventoDominio.Crear(
                EventoFacturaTimbrada, "factura", r.F.Id.ToString(), new
                {
                    facturaId = r.F.Id, uuid = r.Uuid, serie = r.F.Serie, folio = r.F.Folio, clienteId = r.F.ClienteId,
                    corridaId = r.F.CorridaId, total = r.F.Total, xmlBlob = r.Blob,
                }, cid, ahora)).ToList(), ct);
        }
        if (errores.Count > 0)
        {
            await cn.ExecuteAsync(new CommandDefinition("""
                UPDATE facturas f SET estado = 'error', error_codigo = x.codigo, error_mensaje = x.mensaje, version = f.version + 1
                FROM unnest(@ids, @codigos, @mensajes) AS x(id, codigo, mensaje)
                WHERE f.id = x.id AND f.uuid IS NULL AND f.estado = 'borrador'
                """, new
            {
                ids = errores.Select(r => r.F.Id).ToArray(),
                codigos = errores.Select(r => r.Codigo!).ToArray(),
                mensajes = errores.Select(r => r.Mensaje!).ToArray(),
            }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
    }

    private async Task<IReadOnlyList<FacturaGuardada>> CargarAsync(string porParte, object parametros, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        // Receipts (tipo_documento 'recibo') never go to the PAC: the global CFDI covers them.
        var filtro = $"f.corrida_id = @corridaId AND f.estado = 'borrador' AND f.uuid IS NULL AND f.tipo_documento = 'cfdi' AND {porParte}";
        var facturas = (await cn.QueryAsync<FacturaGuardada>(new CommandDefinition(
            $"SELECT {FacturaGuardada.Columnas} FROM facturas f WHERE {filtro} ORDER BY f.folio", parametros, cancellationToken: ct))).ToList();
        var conceptos = (await cn.QueryAsync<ConceptoGuardado>(new CommandDefinition($"""
            SELECT {ConceptoGuardado.Columnas}
            FROM factura_conceptos c JOIN facturas f ON f.id = c.factura_id
            WHERE {filtro} ORDER BY c.factura_id, c.numero_linea
            """, parametros, cancellationToken: ct))).ToLookup(c => c.FacturaId);
        foreach (var f in facturas) f.Conceptos = conceptos[f.Id].ToList();
        return facturas;
    }

    private sealed record Resultado(FacturaGuardada F, Guid? Uuid, string? Blob, string? Sello, DateTimeOffset? TimbradaEn, string? Codigo, string? Mensaje)
    {
        public static Resultado Error(FacturaGuardada f, string codigo, string mensaje) => new(f, null, null, null, null, codigo, mensaje);
        public static Resultado Pendiente(FacturaGuardada f) => new(f, null, null, null, null, null, null);
    }
}
