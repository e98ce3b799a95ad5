using System.Diagnostics.Metrics;
using Azure.Storage.Blobs;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Application.Pagos;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>What one ingestion pass did with the settlement files in blob storage.</summary>
public sealed record ResultadoIngesta(int Conciliadas, int YaConciliadas, int Ilegibles);

/// <summary>
/// Settlements that arrive: each provider leaves its daily settlement file, in its own CSV layout
/// (<see cref="IAdaptadorPasarela.LeerLiquidacion"/>), in the blob container <c>Pagos:ContenedorLiquidaciones</c> as
/// <c>&lt;provider&gt;/&lt;yyyy-MM-dd&gt;.csv</c>. The reconciliation timer ingests every file whose provider and day
/// have not been reconciled (the run is unique per provider and day, so a second host or a second pass does
/// nothing). With PAYMENT_MODE=emulated, <see cref="GenerarEmuladasAsync"/> plays the providers: it writes each one's
/// file for a day from the payments recorded for it.
/// </summary>
public sealed class ServicioLiquidaciones(BlobServiceClient blobs, NpgsqlDataSource db, IEnumerable<IAdaptadorPasarela> adaptadores,
    ServicioConciliacion conciliacion, Microsoft.Extensions.Options.IOptions<OpcionesPagos> opciones, ILogger<ServicioLiquidaciones> log)
{
    private static readonly Counter<long> Archivos = Telemetria.Medidor.CreateCounter<long>(
        "telecable.pagos.liquidaciones.archivos", description: "Archivos de liquidación ingeridos (por proveedor y resultado)");

    private readonly Dictionary<string, IAdaptadorPasarela> _adaptadores = adaptadores.ToDictionary(a => a.Nombre, StringComparer.OrdinalIgnoreCase);

    private BlobContainerClient Contenedor => blobs.GetBlobContainerClient(opciones.Value.ContenedorLiquidaciones);

    public static string NombreArchivo(string proveedor, DateOnly dia) => $"{proveedor}/{dia:yyyy-MM-dd}.csv";

    /// <summary>Stores a provider's settlement file (the emulated providers; an operator uploading one by hand).</summary>
    public async Task SubirAsync(string proveedor, DateOnly dia, string contenido, CancellationToken ct)
    {
        await Contenedor.CreateIfNotExistsAsync(cancellationToken: ct);
        await Contenedor.GetBlobClient(NombreArchivo(proveedor, dia)).UploadAsync(BinaryData.FromString(contenido), overwrite: true, ct);
    }

    public async Task<ResultadoIngesta> IngestarAsync(string cid, CancellationToken ct)
    {
        var contenedor = Contenedor;
        if (!await contenedor.ExistsAsync(ct)) return new ResultadoIngesta(0, 0, 0);
        int conciliadas = 0, ya = 0, ilegibles = 0;
        await foreach (var item in contenedor.GetBlobsAsync(cancellationToken: ct))
        {
            var partes = item.Name.Split('/');
            if (partes.Length != 2 || !_adaptadores.TryGetValue(partes[0], out var adaptador)
                || !partes[1].EndsWith(".csv", StringComparison.Ordinal)
                || !DateOnly.TryParseExact(partes[1][..^4], "yyyy-MM-dd", out var dia))
            {
                log.LogWarning("Archivo de liquidación ignorado (se espera <proveedor>/<yyyy-MM-dd>.csv): {Archivo}", item.Name);
                continue;
            }
            if (await YaConciliadaAsync(adaptador.Nombre, dia, ct)) { ya++; continue; }
            var contenido = (await contenedor.GetBlobClient(item.Name).DownloadContentAsync(ct)).Value.Content.ToString();
            try
            {
                var movimientos = adaptador.LeerLiquidacion(contenido);
                var r = await conciliacion.EjecutarAsync(new ReporteLiquidacion(adaptador.Nombre, dia, movimientos), cid, ct, item.Name);
                if (r is ResultadoEjecucion.Ejecutada e)
                {
                    conciliadas++;
                    Archivos.Add(1, new("proveedor", adaptador.Nombre), new("resultado", "conciliado"));
                    log.LogInformation("Liquidación {Archivo}: {Coincidencias} coincidencias, {FaltantesSistema} faltantes en sistema, {FaltantesPasarela} faltantes en el proveedor, {Diferencias} diferencias; cid {Cid}",
                        item.Name, e.Conciliacion.Coincidencias, e.Conciliacion.FaltantesSistema, e.Conciliacion.FaltantesPasarela, e.Conciliacion.DiferenciasMonto, cid);
                }
                else ya++;
            }
            catch (Exception ex) when (ex is ErrorEventoPasarela or ErrorValidacion)
            {
                ilegibles++;
                Archivos.Add(1, new("proveedor", adaptador.Nombre), new("resultado", "ilegible"));
                log.LogError("Liquidación ilegible {Archivo}: {Motivo} ({Donde}); cid {Cid}", item.Name, ex.Message, (ex as ErrorEventoPasarela)?.Campo, cid);
            }
        }
        return new ResultadoIngesta(conciliadas, ya, ilegibles);
    }

    private async Task<bool> YaConciliadaAsync(string gateway, DateOnly dia, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM conciliaciones WHERE gateway = @gateway AND periodo = @periodo)",
            new { gateway, periodo = dia.ToDateTime(TimeOnly.MinValue) }, cancellationToken: ct));
    }

    /// <summary>
    /// The emulated providers' daily files: each provider settles the payments it confirmed that day (the same Mexico business day the
    /// reconciliation compares), gross, in its own layout. Returns the files written.
    /// </summary>
    public async Task<IReadOnlyList<string>> GenerarEmuladasAsync(DateOnly dia, CancellationToken ct)
    {
        var escritos = new List<string>();
        await using var cn = await db.OpenConnectionAsync(ct);
        foreach (var a in _adaptadores.Values)
        {
            var movimientos = (await cn.QueryAsync<(string Referencia, decimal Monto)>(new CommandDefinition("""
                SELECT referencia, monto FROM pagos
                WHERE gateway = @gateway AND referencia IS NOT NULL AND pago_origen_id IS NULL
                  AND estado IN ('confirmado', 'aplicado', 'reembolsado', 'contracargado', 'reembolsado_parcial')
                  AND recibido_en >= @periodo::timestamp AT TIME ZONE @zona AND recibido_en < (@periodo::timestamp + interval '1 day') AT TIME ZONE @zona
                ORDER BY recibido_en
                """, new { gateway = a.Nombre, periodo = dia.ToDateTime(TimeOnly.MinValue), zona = RelojMexico.ZonaIana }, cancellationToken: ct)))
                .Select(m => new MovimientoLiquidacion(m.Referencia, m.Monto)).ToList();
            await SubirAsync(a.Nombre, dia, a.EscribirLiquidacion(dia, movimientos), ct);
            escritos.Add(NombreArchivo(a.Nombre, dia));
        }
        return escritos;
    }
}
