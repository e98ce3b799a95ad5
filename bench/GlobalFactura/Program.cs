using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.Application.Facturacion;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Facturacion;
using Telecable.Infrastructure.Pac;
using Telecable.LocalHost;

// The global CFDI of N receipts end to end (receipts read from PostgreSQL, the CFDI built and sealed, stored sealed with
// the receipts' link, stamped by the emulated PAC, its XML to Azurite, the row marked), measured for time and memory,
// and the floor: the same CFDI built, sealed, stamped and uploaded in a plain loop with no database (the irreducible part).
var n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var pgAdmin = Environment.GetEnvironmentVariable("TELECABLE_PG_ADMIN") ?? throw new InvalidOperationException("TELECABLE_PG_ADMIN: . scripts/test-env.sh");
var azurite = Environment.GetEnvironmentVariable("TELECABLE_AZURITE") ?? throw new InvalidOperationException("TELECABLE_AZURITE: . scripts/test-env.sh");
Console.WriteLine($"GlobalFactura: {n} recibos; nproc {Environment.ProcessorCount}");

var db = await Telecable.Pruebas.Servicios.CrearBaseAsync("bench");
var ajustes = new Dictionary<string, string?>
{
    ["Postgres:ConnectionString"] = db, ["Postgres:MigrarAlIniciar"] = "true", ["Postgres:CargarDemo"] = "true",
    ["Blob:ConnectionString"] = azurite, ["Blob:ContenedorCfdi"] = $"bench-{Guid.NewGuid():N}"[..20],
    ["AzureWebJobsStorage"] = azurite, ["DURABLE_TASK_HUB"] = $"bench{Guid.NewGuid():N}"[..16], ["Durable:Backend"] = "InMemory",
    ["Auth:EmisorDesarrollo"] = "true", ["Auth:SigningKeys:0"] = "clave-de-firma-del-benchmark-de-32-bytes-o-mas",
    ["Auth:DemoPassword"] = "bench", ["Outbox:JsonlPath"] = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.jsonl"),
    ["OutboxRelayCron"] = "*/5 * * * * *", ["PagosInicioCron"] = "*/5 * * * * *",
    ["LocalHost:Port"] = Telecable.Pruebas.Servicios.PuertoLibre().ToString(CultureInfo.InvariantCulture), ["PAC_MODE"] = "emulated",
    ["PAYMENT_MODE"] = "emulated", ["ROUTER_MODE"] = "emulated", ["Logging:LogLevel:Default"] = "Warning",
    ["Pac:Carpeta"] = Directory.CreateTempSubdirectory("bench-pac-").FullName,
    ["Facturacion:CfdiGlobal"] = "false", ["Facturacion:CorridaDiaria"] = "false",
};
foreach (var (k, v) in Telecable.Pruebas.Servicios.AjustesCsd()) ajustes[k] = v;
var app = await HostLocal.ConstruirAsync(["--settings", "/nonexistent/local.settings.json"], c => c.AddInMemoryCollection(ajustes));
await app.StartAsync();
try
{
    // N receipts the way the billing run makes them (generation only: receipts never go to the PAC), dated in a closed month.
    await using (var cn = new NpgsqlConnection(db))
        await Telecable.Pruebas.ContratosMasivos.InsertarSinRfcAsync(cn, n + 1, "PUBLICO BENCH"); // one more for the warm-up
    var corridas = app.Services.GetRequiredService<ServicioCorridas>();
    var c = await corridas.CrearAsync(new DateOnly(2026, 10, 1), "bench", default);
    var generacion = Stopwatch.StartNew();
    await corridas.PrepararAsync(c.Id, default);
    Console.WriteLine($"recibos generados por la corrida: {generacion.Elapsed.TotalSeconds:F2} s");
    await using (var cn = new NpgsqlConnection(db))
        await cn.ExecuteAsync("UPDATE facturas SET fecha_emision = '2026-10-15T18:00:00Z' WHERE tipo_documento = 'recibo'");

    var globales = app.Services.GetRequiredService<IServicioCfdiGlobal>();
    // Warm-up on a tiny month so JIT is not in the figure: one receipt dated September.
    await using (var cn = new NpgsqlConnection(db))
        await cn.ExecuteAsync("UPDATE facturas SET fecha_emision = '2026-09-15T18:00:00Z' WHERE id = (SELECT id FROM facturas WHERE tipo_documento = 'recibo' ORDER BY folio LIMIT 1)");
    await globales.EmitirAsync(new DateOnly(2026, 9, 1), "bench", "bench", default);

    var (segundos, pico, asignado, r) = await MedirAsync(() => globales.EmitirAsync(new DateOnly(2026, 10, 1), "bench", "bench", default));
    var xml = await globales.XmlAsync(r.Cfdi.Uuid!.Value, default);
    Console.WriteLine($"CFDI global: {r.Cfdi.Recibos} conceptos, {r.Cfdi.Estado}, total {r.Cfdi.Total:N2}, XML {xml.Length / 1024.0 / 1024.0:F1} MB");
    Console.WriteLine($"tiempo: {segundos:F2} s; memoria: pico del proceso +{pico / 1048576.0:F0} MB sobre el reposo, {asignado / 1048576.0:F0} MB asignados");

    // Floor: the same CFDI built from the receipts already in memory, sealed, stamped and uploaded, with no database.
    var recibos = (await new NpgsqlConnection(db).QueryAsync<(string Serie, long Folio, decimal Importe, decimal Descuento, decimal TasaIeps)>("""
        SELECT f.serie, f.folio, c.importe, c.descuento, c.tasa_ieps FROM facturas f JOIN factura_conceptos c ON c.factura_id = f.id
        WHERE f.tipo_documento = 'recibo' AND f.fecha_emision >= '2026-10-01' ORDER BY f.folio, c.numero_linea
        """)).GroupBy(x => (x.Serie, x.Folio)).Select(g => new ReciboGlobal(g.Key.Serie, g.Key.Folio,
            ReglasCfdiGlobal.Importes(g.Select(x => new LineaRecibo(x.Importe, x.Descuento, x.TasaIeps)).ToList()))).ToList();
    var csd = app.Services.GetRequiredService<ProveedorCsd>().Csd;
    var pac = app.Services.GetRequiredService<IPacClient>();
    var blobs = app.Services.GetRequiredService<AlmacenBlobs>();
    var emisor = app.Services.GetRequiredService<OpcionesEmisor>();
    var (piso, picoPiso, _, _) = await MedirAsync(async () =>
    {
        var cfdi = ReglasCfdiGlobal.Armar("P", 1, FormatoCfdi.HoraMexico(DateTimeOffset.UtcNow), emisor.LugarExpedicion,
            new Emisor(csd.Rfc, emisor.Nombre, emisor.RegimenFiscal), new DateOnly(2026, 10, 1), "01", recibos);
        var t = await pac.TimbrarAsync(SelladorCfdi.Sellar(cfdi, csd).Xml, default);
        await blobs.SubirSiNoExisteAsync($"piso-{Guid.NewGuid():N}.xml", BinaryData.FromString(t.XmlTimbrado!), "application/xml", default);
        return 0;
    });
    Console.WriteLine($"piso (armar + sellar + timbrar + subir, sin base de datos): {piso:F2} s, pico +{picoPiso / 1048576.0:F0} MB; " +
                      $"la emisión completa es {segundos / piso:F2}x el piso");
}
finally
{
    await app.StopAsync();
    await Telecable.Pruebas.Servicios.BorrarBaseAsync(db);
}

// Time, the process's peak working set over its level before (sampled every 5 ms) and the bytes allocated meanwhile.
static async Task<(double Segundos, long Pico, long Asignado, T Resultado)> MedirAsync<T>(Func<Task<T>> accion)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var proceso = Process.GetCurrentProcess();
    proceso.Refresh();
    var reposo = proceso.WorkingSet64;
    long pico = reposo;
    using var fin = new CancellationTokenSource();
    var muestreo = Task.Run(async () =>
    {
        while (!fin.IsCancellationRequested)
        {
            proceso.Refresh();
            pico = Math.Max(pico, proceso.WorkingSet64);
            try { await Task.Delay(5, fin.Token); } catch (OperationCanceledException) { }
        }
    });
    var asignado = GC.GetTotalAllocatedBytes(precise: true);
    var reloj = Stopwatch.StartNew();
    var r = await accion();
    var s = reloj.Elapsed.TotalSeconds;
    var a = GC.GetTotalAllocatedBytes(precise: true) - asignado;
    await fin.CancelAsync();
    await muestreo;
    return (s, pico - reposo, a, r);
}
