using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.Functions.Sagas;
using Telecable.Infrastructure.Facturacion;
using Telecable.LocalHost;

// A billing run of N contracts end to end (generate, seal, stamp with the emulated PAC, XML to Azurite, rows in
// PostgreSQL) on the local host built in-process, per durable backend; and the same work as a plain loop without
// orchestration (the floor): the generation pages one after the other, then every chunk's TimbrarRangoAsync awaited together, same services,
// same parallelism, without the durable runtime.
var n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
var backends = args.Length > 1 ? args[1].Split(',') : ["InMemory", "AzureStorage"];
var azurite = Env("TELECABLE_AZURITE");
Console.WriteLine($"FacturacionMasiva: {n} contratos; nproc {Environment.ProcessorCount}; nice {CpuProcesos.NicePropio()}");

foreach (var backend in backends)
{
    var db = await Telecable.Pruebas.Servicios.CrearBaseAsync("bench", maxPool: 60);
    var carpetaPac = Directory.CreateTempSubdirectory("bench-pac-").FullName;
    var ajustes = new Dictionary<string, string?>
    {
        ["Postgres:ConnectionString"] = db, ["Postgres:MigrarAlIniciar"] = "true", ["Postgres:CargarDemo"] = "true",
        ["Blob:ConnectionString"] = azurite, ["Blob:ContenedorCfdi"] = $"bench-{Guid.NewGuid():N}"[..20],
        ["AzureWebJobsStorage"] = azurite, ["DURABLE_TASK_HUB"] = $"bench{Guid.NewGuid():N}"[..16], ["Durable:Backend"] = backend,
        ["Auth:EmisorDesarrollo"] = "true", ["Auth:SigningKeys:0"] = "clave-de-firma-del-benchmark-de-32-bytes-o-mas",
        ["Auth:DemoPassword"] = "bench", ["Outbox:JsonlPath"] = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.jsonl"),
        ["OutboxRelayCron"] = "*/5 * * * * *", ["PagosInicioCron"] = "*/5 * * * * *", ["LocalHost:Port"] = Telecable.Pruebas.Servicios.PuertoLibre().ToString(), ["PAC_MODE"] = "emulated",
        ["PAYMENT_MODE"] = "emulated", ["ROUTER_MODE"] = "emulated", ["Logging:LogLevel:Default"] = "Warning", ["Pac:Carpeta"] = carpetaPac,
    };
    foreach (var (k, v) in Telecable.Pruebas.Servicios.AjustesCsd()) ajustes[k] = v;
    var arranque = Stopwatch.StartNew();
    var app = await HostLocal.ConstruirAsync(["--settings", "/nonexistent/local.settings.json"], c => c.AddInMemoryCollection(ajustes));
    await app.StartAsync();
    Console.WriteLine($"[{backend}] arranque del host: {arranque.Elapsed.TotalSeconds:F2} s");
    try
    {
        await using (var cn = new NpgsqlConnection(db))
            await Telecable.Pruebas.ContratosMasivos.InsertarAsync(cn, n, "BEMA", "CLIENTE BENCHMARK", 42);
        var corridas = app.Services.GetRequiredService<ServicioCorridas>();
        var timbrador = app.Services.GetRequiredService<TimbradorFacturas>();
        var durable = app.Services.GetRequiredService<DurableTaskClient>();

        async Task<(double Segundos, int Timbradas)> PisoAsync(DateOnly periodo)
        {
            var reloj = Stopwatch.StartNew();
            var c = await corridas.CrearAsync(periodo, "bench", default);
            await corridas.PrepararAsync(c.Id, default);
            for (Telecable.Application.Facturacion.CursorContratos? cursor = null; ;)
            {
                var pagina = await corridas.GenerarPaginaAsync(c.Id, cursor, default);
                if (pagina.Terminada) break;
                cursor = pagina.Cursor;
            }
            var rangos = await corridas.PartesAsync(c.Id, 0, int.MaxValue / 1000, default);
            await Task.WhenAll(rangos.Select((r, p) => timbrador.TimbrarRangoAsync(c.Id, p, r.Desde, r.Hasta, true, "bench", default)));
            var p = await corridas.CerrarAsync(c.Id, "bench", default);
            return (reloj.Elapsed.TotalSeconds, p.Timbradas);
        }

        async Task<(double Segundos, int Timbradas)> OrquestadaAsync(DateOnly periodo)
        {
            var reloj = Stopwatch.StartNew();
            var c = await IniciadorCorridas.IniciarAsync(corridas, durable, periodo, "bench", "bench", default);
            // Polls only the run's state (one row by key), so that watching costs the database next to nothing.
            await using var cn = new NpgsqlConnection(db);
            while (await cn.ExecuteScalarAsync<string>("SELECT estado FROM corridas_facturacion WHERE id = @id", new { id = c.Id }) == "en_proceso")
                await Task.Delay(20);
            var segundos = reloj.Elapsed.TotalSeconds;
            return (segundos, (await corridas.ProgresoAsync(c.Id, default))!.Timbradas);
        }

        // The orchestrated run goes three times (TELECABLE_BENCH_CORRIDAS) and the floor twice; the fastest of each
        // counts. The first runs also pay for compiling the code paths, which a host that has been up has paid.
        var piso1 = await PisoAsync(new DateOnly(2026, 1, 1));
        var baseDatos = new NpgsqlConnectionStringBuilder(db).Database!;
        var medidas = new List<Medida>();
        var veces = int.Parse(Environment.GetEnvironmentVariable("TELECABLE_BENCH_CORRIDAS") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < veces; i++) medidas.Add(await MedirAsync(new DateOnly(2026, 2 + i, 1)));
        var orq = medidas.MinBy(m => m.Segundos)!;
        var piso2 = await PisoAsync(new DateOnly(2026, 2 + veces, 1));
        var piso = piso1.Segundos < piso2.Segundos ? piso1 : piso2;

        async Task<Medida> MedirAsync(DateOnly periodo)
        {
            var antes = Medida.Tomar(0, 0, baseDatos, azurite);
            // TELECABLE_BENCH_MARCAS: monotonic timestamps around the run, to slice a `perf record -k CLOCK_MONOTONIC` profile.
            var marcas = Environment.GetEnvironmentVariable("TELECABLE_BENCH_MARCAS") is not null;
            if (marcas) Console.Error.WriteLine($"MARCA inicio {Stopwatch.GetTimestamp()} jit {System.Runtime.JitInfo.GetCompiledMethodCount()}");
            var (segundos, timbradas) = await OrquestadaAsync(periodo);
            if (marcas) Console.Error.WriteLine($"MARCA fin {Stopwatch.GetTimestamp()} jit {System.Runtime.JitInfo.GetCompiledMethodCount()}");
            var m = Medida.Tomar(segundos, timbradas, baseDatos, azurite) - antes;
            Console.WriteLine($"[{backend}] corrida {periodo:yyyy-MM}: {segundos:F2} s; JIT: {m.MetodosJit} métodos, {m.TiempoJit.TotalMilliseconds:N0} ms");
            return m;
        }
        int blobs = 0;
        await foreach (var _ in app.Services.GetRequiredService<Telecable.Infrastructure.Almacen.AlmacenBlobs>().ContenedorCfdi.GetBlobsAsync()) blobs++;
        Console.WriteLine($"[{backend}] orquestada: {orq.Timbradas} CFDI en {orq.Segundos:F2} s = {orq.Timbradas / orq.Segundos:F0} CFDI/s " +
                          $"(corridas: {string.Join(", ", medidas.Select(m => $"{m.Segundos:F2} s"))})");
        Console.WriteLine($"[{backend}] piso (bucle sin orquestación): {piso.Timbradas} CFDI en {piso.Segundos:F2} s = {piso.Timbradas / piso.Segundos:F0} CFDI/s " +
                          $"(corridas del piso: {piso1.Segundos:F2} s, {piso2.Segundos:F2} s)");
        Console.WriteLine($"[{backend}] razón orquestada/piso: {orq.Segundos / piso.Segundos:F2}x; blobs en el contenedor: {blobs}");
        Console.WriteLine($"[{backend}] corrida orquestada, {orq.Cpu.PorUnidad(orq.Timbradas, "CFDI")}");
        Console.WriteLine($"[{backend}] memoria por CFDI: {orq.Bytes / 1024.0 / orq.Timbradas:N0} KiB asignados; GC: {orq.Gen0} recolecciones (gen2: {orq.Gen2}), " +
                          $"{orq.Pausa.TotalMilliseconds:N0} ms en pausa");
        Console.WriteLine($"[{backend}] piso de CPU: {orq.Timbradas} CFDI x {orq.Cpu.Total.TotalMilliseconds / orq.Timbradas:N2} ms / {Environment.ProcessorCount} núcleos = " +
                          $"{orq.Cpu.Total.TotalSeconds / Environment.ProcessorCount:F2} s aunque cada núcleo trabajara sin pausa");
    }
    finally
    {
        // Azurite rewrites its whole blob index every few seconds: 3,000 leftover blobs per run slow later runs.
        await app.Services.GetRequiredService<Telecable.Infrastructure.Almacen.AlmacenBlobs>().ContenedorCfdi.DeleteIfExistsAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        await Telecable.Pruebas.Servicios.BorrarBaseAsync(db);
    }
}

static string Env(string v) => Environment.GetEnvironmentVariable(v) is { Length: > 0 } x ? x : throw new InvalidOperationException($"Falta {v}: corra bench/facturacion.sh.");


/// <summary>One orchestrated run: its time and what it cost (CPU by process, allocation, GC, JIT), as the difference of two readings.</summary>
internal sealed record Medida(double Segundos, int Timbradas, CpuProcesos Cpu, long Bytes, TimeSpan Pausa, int Gen0, int Gen2, long MetodosJit, TimeSpan TiempoJit)
{
    public static Medida Tomar(double segundos, int timbradas, string baseDatos, string azurite) =>
        new(segundos, timbradas, CpuProcesos.Medir(baseDatos, azurite), GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(),
            GC.CollectionCount(0), GC.CollectionCount(2), System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());

    public static Medida operator -(Medida a, Medida b) =>
        new(a.Segundos, a.Timbradas, a.Cpu - b.Cpu, a.Bytes - b.Bytes, a.Pausa - b.Pausa, a.Gen0 - b.Gen0, a.Gen2 - b.Gen2,
            a.MetodosJit - b.MetodosJit, a.TiempoJit - b.TiempoJit);
}
