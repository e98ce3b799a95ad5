using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.Domain.Identidad;
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
        ["OutboxRelayCron"] = "*/5 * * * * *", ["PagosInicioCron"] = "*/5 * * * * *", ["LocalHost:Port"] = PuertoLibre().ToString(), ["PAC_MODE"] = "emulated",
        ["PAYMENT_MODE"] = "emulated", ["ROUTER_MODE"] = "emulated", ["Logging:LogLevel:Default"] = "Warning", ["Pac:Carpeta"] = carpetaPac,
    };
    var app = await HostLocal.ConstruirAsync(["--settings", "/nonexistent/local.settings.json"], c => c.AddInMemoryCollection(ajustes));
    await app.StartAsync();
    try
    {
        await using (var cn = new NpgsqlConnection(db))
        {
            // Only the benchmark's contracts are billed.
            await cn.ExecuteAsync("UPDATE contratos SET estado = 'suspendido' WHERE estado = 'activo'");
            await InsertarContratosAsync(cn, n);
        }
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

static int PuertoLibre()
{
    using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    l.Start();
    return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
}

// Customers with valid RFCs, each with an active contract: a third internet only, two thirds combos with IEPS parts.
static async Task InsertarContratosAsync(NpgsqlConnection cn, int n)
{
    var r = new Random(42);
    var rfcs = new HashSet<string>();
    const string alfabeto = "ABCDEFGHJKLMNPQRSTUVWXYZ123456789";
    while (rfcs.Count < n)
    {
        var sinDigito = $"BEMA{new DateOnly(1950, 1, 1).AddDays(r.Next(0, 20000)):yyMMdd}{alfabeto[r.Next(alfabeto.Length)]}{alfabeto[r.Next(alfabeto.Length)]}";
        var rfc = sinDigito + Rfc.CalcularDigitoVerificador(sinDigito);
        if (Rfc.Validar(rfc).EsValido) rfcs.Add(rfc);
    }
    var filas = rfcs.Select((rfc, i) => new { rfc, i, cliente = Guid.NewGuid(), domicilio = Guid.NewGuid(), contrato = Guid.NewGuid() }).ToList();
    await cn.ExecuteAsync("""
        INSERT INTO clientes (id, tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal, zona_id)
        SELECT x.cliente, 'fisica', 'CLIENTE BENCHMARK ' || x.i, x.rfc, lower(x.rfc) || '@example.com', '+5281' || (10000000 + x.i), '612', 'G03', '64000',
               '00000000-0000-0000-0000-000000001001'
        FROM unnest(@clientes, @rfcs, @is) AS x(cliente, rfc, i);
        INSERT INTO domicilios (id, cliente_id, tipo, calle, numero_exterior, colonia, cp, municipio, estado)
        SELECT x.domicilio, x.cliente, 'instalacion', 'Av. Constitución', '100', 'Centro', '64000', 'Monterrey', 'Nuevo León'
        FROM unnest(@clientes, @domicilios) AS x(cliente, domicilio);
        INSERT INTO contratos (id, cliente_id, plan_id, combo_id, zona_id, domicilio_id, precio_pactado, fecha_inicio, fecha_activacion, estado, dia_corte)
        SELECT x.contrato, x.cliente,
               CASE WHEN x.i % 3 = 0 THEN '00000000-0000-0000-0000-000000002002'::uuid END,
               CASE x.i % 3 WHEN 1 THEN '00000000-0000-0000-0000-000000003001'::uuid WHEN 2 THEN '00000000-0000-0000-0000-000000003002'::uuid END,
               '00000000-0000-0000-0000-000000001001', x.domicilio, CASE x.i % 3 WHEN 0 THEN 430 WHEN 1 THEN 560 ELSE 900 END,
               '2025-12-01', '2025-12-02', 'activo', 1
        FROM unnest(@clientes, @domicilios, @contratos, @is) AS x(cliente, domicilio, contrato, i);
        """, new
    {
        clientes = filas.Select(f => f.cliente).ToArray(), rfcs = filas.Select(f => f.rfc).ToArray(),
        @is = filas.Select(f => f.i).ToArray(), domicilios = filas.Select(f => f.domicilio).ToArray(), contratos = filas.Select(f => f.contrato).ToArray(),
    });
}
