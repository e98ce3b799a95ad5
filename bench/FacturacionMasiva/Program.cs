using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.Functions.Http.Facturacion;
using Telecable.Infrastructure.Facturacion;
using Telecable.LocalHost;

// A billing run of N contracts end to end (generate, seal, stamp with the emulated PAC, XML to Azurite, rows in
// PostgreSQL) on the local host built in-process, per durable backend; and the same work as a plain loop without
// orchestration (the floor): PrepararAsync + one TimbrarParteAsync over all invoices, same services, same parallelism.
var n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
var backends = args.Length > 1 ? args[1].Split(',') : ["InMemory", "AzureStorage"];
var pgAdmin = Env("TELECABLE_PG_ADMIN");
var azurite = Env("TELECABLE_AZURITE");
Env("TELECABLE_SAT_DIR");
Console.WriteLine($"FacturacionMasiva: {n} contratos; nproc {Environment.ProcessorCount}");

foreach (var backend in backends)
{
    var db = await CrearBaseAsync(pgAdmin);
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
    var app = await HostLocal.ConstruirAsync(["--settings", "/nonexistent/local.settings.json"], c => c.AddInMemoryCollection(ajustes));
    await app.StartAsync();
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
            await timbrador.TimbrarParteAsync(c.Id, 0, 1, true, "bench", default);
            var p = await corridas.CerrarAsync(c.Id, "bench", default);
            return (reloj.Elapsed.TotalSeconds, p.Timbradas);
        }

        async Task<(double Segundos, int Timbradas)> OrquestadaAsync(DateOnly periodo)
        {
            var reloj = Stopwatch.StartNew();
            var c = await IniciadorCorridas.IniciarAsync(corridas, durable, periodo, "bench", "bench", default);
            while (true)
            {
                var p = (await corridas.ProgresoAsync(c.Id, default))!;
                if (p.Estado != "en_proceso") return (reloj.Elapsed.TotalSeconds, p.Timbradas);
                await Task.Delay(50);
            }
        }

        var piso1 = await PisoAsync(new DateOnly(2026, 1, 1));
        var baseDatos = new NpgsqlConnectionStringBuilder(db).Database!;
        var cpu0 = CpuProcesos.Medir(baseDatos, azurite);
        var orq = await OrquestadaAsync(new DateOnly(2026, 2, 1));
        var cpu = CpuProcesos.Medir(baseDatos, azurite) - cpu0;
        var piso2 = await PisoAsync(new DateOnly(2026, 3, 1));
        var piso = piso1.Segundos < piso2.Segundos ? piso1 : piso2;
        int blobs = 0;
        await foreach (var _ in app.Services.GetRequiredService<Telecable.Infrastructure.Almacen.AlmacenBlobs>().ContenedorCfdi.GetBlobsAsync()) blobs++;
        Console.WriteLine($"[{backend}] orquestada: {orq.Timbradas} CFDI en {orq.Segundos:F2} s = {orq.Timbradas / orq.Segundos:F0} CFDI/s");
        Console.WriteLine($"[{backend}] piso (bucle sin orquestación): {piso.Timbradas} CFDI en {piso.Segundos:F2} s = {piso.Timbradas / piso.Segundos:F0} CFDI/s " +
                          $"(corridas del piso: {piso1.Segundos:F2} s, {piso2.Segundos:F2} s)");
        Console.WriteLine($"[{backend}] razón orquestada/piso: {orq.Segundos / piso.Segundos:F2}x; blobs en el contenedor: {blobs}");
        Console.WriteLine($"[{backend}] corrida orquestada, {cpu.PorUnidad(orq.Timbradas, "CFDI")}");
        Console.WriteLine($"[{backend}] piso de CPU: {orq.Timbradas} CFDI x {cpu.Total.TotalMilliseconds / orq.Timbradas:N2} ms / {Environment.ProcessorCount} núcleos = " +
                          $"{cpu.Total.TotalSeconds / Environment.ProcessorCount:F2} s aunque cada núcleo trabajara sin pausa");
    }
    finally
    {
        // Azurite rewrites its whole blob index every few seconds: 3,000 leftover blobs per run slow later runs.
        await app.Services.GetRequiredService<Telecable.Infrastructure.Almacen.AlmacenBlobs>().ContenedorCfdi.DeleteIfExistsAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var cn = new NpgsqlConnection(pgAdmin);
        await cn.ExecuteAsync($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(db).Database}\" WITH (FORCE)");
    }
}

static string Env(string v) => Environment.GetEnvironmentVariable(v) is { Length: > 0 } x ? x : throw new InvalidOperationException($"Falta {v}: corra bench/facturacion.sh.");

static async Task<string> CrearBaseAsync(string admin)
{
    var nombre = $"bench_{Guid.NewGuid():N}";
    await using var cn = new NpgsqlConnection(admin);
    await cn.ExecuteAsync($"CREATE DATABASE \"{nombre}\"");
    return new NpgsqlConnectionStringBuilder(admin) { Database = nombre, MaxPoolSize = 60 }.ConnectionString;
}
