// Webhook ingestion benchmark: the local host in-process (as the integration tests build it), real
// HTTP on loopback, PostgreSQL dedupe, in-memory durable backend running ProcesarPago for each payment.
// Modes (second argument):
//   (none)      payment events; the IniciarPagosConfirmados timer is held during the load, so the figure
//               is ingestion alone, then it is fired and the sagas' catch-up rate is measured as long again;
//   concurrente payment events with the timer every second, so the sagas share the two cores with ingestion;
//   sin-pago    events that confirm no payment (signature, dedupe and the webhook_eventos row only);
//   spei        SPEI deposit notices (POST /api/webhooks/spei, X-Spei-Firma): signature, CLABE -> customer, dedupe on the
//               clave de rastreo and the payment, measured exactly as the card payments of the default mode.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Pagos;
using Telecable.LocalHost;

var segundos = args.Length > 0 ? int.Parse(args[0]) : 20;
// "sin-pago": events the gateway sends that confirm no payment (payment_intent.created): signature,
// dedupe and the webhook_eventos row only, no payment and no ProcesarPago. Separates ingestion from the saga.
var modo = args.Length > 1 ? args[1] : "";
var sinPago = modo == "sin-pago";
var concurrente = modo == "concurrente";
var spei = modo == "spei";
var gateway = spei ? "spei" : "emulada";
const string SecretoSpei = "spei_bench_0123456789abcdef";
const string Clabe = "646180123400000010"; // Spei:PrefijoClabe 6461801234 + 0000001 + its check digit
const int Conexiones = 32;
const string Secreto = "whsec_bench_0123456789abcdef";
var azurite = Environment.GetEnvironmentVariable("TELECABLE_AZURITE")!;

var cs = await Telecable.Pruebas.Servicios.CrearBaseAsync("bench", maxPool: 60);
var nombreBase = new NpgsqlConnectionStringBuilder(cs).Database!;
var puerto = Telecable.Pruebas.Servicios.PuertoLibre();
var app = await HostLocal.ConstruirAsync(["--settings", "/nonexistent/local.settings.json"], c => c.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Postgres:ConnectionString"] = cs, ["Postgres:MigrarAlIniciar"] = "true", ["Postgres:CargarDemo"] = "false",
    ["Blob:ConnectionString"] = azurite, ["Blob:ContenedorCfdi"] = $"bench-{Guid.NewGuid():N}"[..20], ["AzureWebJobsStorage"] = azurite,
    ["DURABLE_TASK_HUB"] = "bench", ["Durable:Backend"] = "InMemory", ["Auth:EmisorDesarrollo"] = "true",
    ["Auth:SigningKeys:0"] = "clave-de-firma-del-benchmark-de-32-bytes", ["Outbox:JsonlPath"] = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.jsonl"),
    ["OutboxRelayCron"] = "*/5 * * * * *", ["LocalHost:Port"] = puerto.ToString(), ["PAYMENT_MODE"] = "emulated",
    ["Webhooks:Pagos:Secretos:0"] = Secreto, ["Webhooks:Spei:Secretos:0"] = SecretoSpei, ["Logging:LogLevel:Default"] = "Warning",
    // Orchestrations still running when the benchmark stops the host log their cancellation: not news.
    ["Logging:LogLevel:Microsoft.DurableTask"] = "Critical", ["Auth:DemoPassword"] = "bench",
    // Held (once a year) unless the sagas are meant to run during the load.
    ["PagosInicioCron"] = concurrente ? "*/1 * * * * *" : "0 0 0 1 1 *",
}).AddInMemoryCollection(Telecable.Pruebas.Servicios.AjustesCsd()));
await app.StartAsync();
try
{
    Guid cliente;
    await using (var cn = new NpgsqlConnection(cs))
        cliente = await cn.ExecuteScalarAsync<Guid>("""
            INSERT INTO clientes (tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal, clabe)
            VALUES ('fisica', 'CLIENTE BENCH', 'BENC900101AB1', 'bench@example.com', '+528112345678', '612', 'G03', '64349', @Clabe) RETURNING id
            """, new { Clabe });
    if (!Telecable.Domain.Pagos.Clabe.EsValida(Clabe)) throw new InvalidOperationException("CLABE del benchmark inválida");

    // ---- Floors -------------------------------------------------------------------------------
    var muestra = Encoding.UTF8.GetBytes(AdaptadorPasarelaEmulada.CuerpoPagoExitoso("evt_floor", "pi_floor", cliente, 123.45m));
    var t0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    var enc = FirmaStripe.Generar(muestra, t0, Secreto);
    var n = 0; var sw = Stopwatch.StartNew();
    while (sw.ElapsedMilliseconds < 1000) { FirmaStripe.Verificar(enc, muestra, [Secreto], DateTimeOffset.UtcNow); n++; }
    Console.WriteLine($"Piso: verificación HMAC de {muestra.Length} B: {n / sw.Elapsed.TotalSeconds:N0} /s (1 hilo)");

    var dedupe = 0; sw.Restart();
    await Task.WhenAll(Enumerable.Range(0, Conexiones).Select(async w =>
    {
        await using var cn = new NpgsqlConnection(cs); await cn.OpenAsync();
        while (sw.ElapsedMilliseconds < 3000)
        {
            await cn.ExecuteAsync("""
                INSERT INTO webhook_eventos (gateway, evento_id, aceptado, cuerpo, cid) VALUES ('piso', @id, true, @c, 'bench')
                ON CONFLICT (gateway, evento_id) WHERE aceptado AND NOT duplicado DO NOTHING
                """, new { id = Guid.NewGuid().ToString("N"), c = "{}" });
            Interlocked.Increment(ref dedupe);
        }
    }));
    Console.WriteLine($"Piso: INSERT de dedupe solo (autocommit, {Conexiones} conexiones): {dedupe / sw.Elapsed.TotalSeconds:N0} /s");

    // ---- Load ---------------------------------------------------------------------------------
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Conexiones }) { BaseAddress = new Uri($"http://127.0.0.1:{puerto}/") };
    var nuevos = new ConcurrentDictionary<string, byte>();
    var latencias = new ConcurrentBag<double>();
    long ok = 0, error = 0, reentregas = 0;
    var calentamiento = TimeSpan.FromSeconds(3);
    var cpu0 = default(CpuProcesos);
    // The gateway's side is prepared before the clock starts (bodies serialized and signed, as a load
    // tool replays prepared requests), so the two cores measure the receiver, not the sender's JSON and HMAC.
    (string Id, byte[] Cuerpo, string Firma) Preparar(string id)
    {
        if (spei)
        {
            // A clave de rastreo is at most 30 characters: the worker and a counter-like suffix.
            var rastreo = ("MB" + id[4..].Replace("_", "")).ToUpperInvariant()[..30];
            var abono = Encoding.UTF8.GetBytes(AdaptadorSpeiEmulado.CuerpoAbono(rastreo, Clabe, 101m));
            return (rastreo, abono, FirmaSpei.Generar(abono, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), SecretoSpei));
        }
        var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(id, "pi_" + id[4..], cliente, 101m);
        if (sinPago) cuerpo = cuerpo.Replace("payment_intent.succeeded", "payment_intent.created");
        var bytes = Encoding.UTF8.GetBytes(cuerpo);
        return (id, bytes, FirmaStripe.Generar(bytes, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Secreto));
    }
    var preparados = Enumerable.Range(0, Conexiones)
        .Select(w => new Queue<(string Id, byte[] Cuerpo, string Firma)>(Enumerable.Range(0, 150 * segundos).Select(_ => Preparar($"evt_{w}_{Guid.NewGuid():N}"))))
        .ToArray();
    var total = Stopwatch.StartNew();
    var medir = Stopwatch.StartNew();
    var inicioMedicion = 0L;
    await Task.WhenAll(Enumerable.Range(0, Conexiones).Select(async w =>
    {
        var azar = new Random(w);
        var propios = new List<(string Id, byte[] Cuerpo, string Firma)>();
        while (total.Elapsed < calentamiento + TimeSpan.FromSeconds(segundos))
        {
            var reentrega = propios.Count > 0 && azar.NextDouble() < 0.10;
            var evento = reentrega ? propios[azar.Next(propios.Count)]
                : preparados[w].TryDequeue(out var listo) ? listo : Preparar($"evt_{w}_{Guid.NewGuid():N}");
            var id = evento.Id;
            var contenido = new ByteArrayContent(evento.Cuerpo);
            contenido.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            var req = new HttpRequestMessage(HttpMethod.Post, spei ? "api/webhooks/spei" : "api/pagos/webhooks/emulada") { Content = contenido };
            req.Headers.TryAddWithoutValidation(spei ? FirmaSpei.Encabezado : FirmaStripe.Encabezado, evento.Firma);
            var t = Stopwatch.GetTimestamp();
            using var r = await http.SendAsync(req);
            var ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (r.StatusCode == HttpStatusCode.OK) { if (!reentrega) { propios.Add(evento); nuevos.TryAdd(id, 0); } } else Interlocked.Increment(ref error);
            if (total.Elapsed >= calentamiento)
            {
                if (Interlocked.CompareExchange(ref inicioMedicion, 1, 0) == 0) { medir.Restart(); cpu0 = CpuProcesos.Medir(nombreBase, azurite); }
                latencias.Add(ms); Interlocked.Increment(ref ok);
                if (reentrega) Interlocked.Increment(ref reentregas);
            }
        }
    }));
    var duracion = medir.Elapsed.TotalSeconds;
    var cpu = CpuProcesos.Medir(nombreBase, azurite) - cpu0;
    var orden = latencias.Order().ToArray();
    double P(double q) => orden[(int)Math.Min(orden.Length - 1, Math.Ceiling(q * orden.Length) - 1)];
    Console.WriteLine($"Carga ({(spei ? "depósitos SPEI: firma + CLABE -> cliente + dedupe por clave de rastreo + pago + evento; ProcesarPago en espera" : sinPago ? "eventos sin pago: solo firma + dedupe + registro" : concurrente ? "pagos confirmados, con ProcesarPago corriendo en el mismo proceso" : "pagos confirmados: firma + dedupe + pago + evento; ProcesarPago en espera")}): {Conexiones} conexiones, {segundos} s medidos tras {calentamiento.TotalSeconds} s de calentamiento");
    Console.WriteLine($"  {ok / duracion:N0} req/s; p50 {P(0.50):N1} ms, p99 {P(0.99):N1} ms, max {orden[^1]:N1} ms; re-entregas {reentregas * 100.0 / ok:N1} %; respuestas no-2xx {error}");
    Console.WriteLine($"  {cpu.PorUnidad(ok, "solicitud")} (este proceso incluye al generador de carga)");
    if (!sinPago && !concurrente)
        Console.WriteLine($"  Objetivo (issue 19): >= 3,500 req/s con la deduplicación por id de pago: {ok / duracion:N0} req/s -> {(ok / duracion >= 3500 ? "CUMPLE" : "NO CUMPLE")} " +
                          $"(carga de la máquina {File.ReadAllText("/proc/loadavg").Split(' ')[0]} en 1 min, {Environment.ProcessorCount} núcleos)");

    await using (var cn = new NpgsqlConnection(cs))
    {
        var pagos = await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway = @gateway", new { gateway });
        var distintos = await cn.ExecuteScalarAsync<long>("SELECT count(DISTINCT referencia) FROM pagos WHERE gateway = @gateway", new { gateway });
        var primeras = await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM webhook_eventos WHERE gateway = @gateway AND aceptado AND NOT duplicado", new { gateway });
        Console.WriteLine($"  Eventos nuevos aceptados: {nuevos.Count}; primeras entregas en webhook_eventos: {primeras}; pagos en BD: {pagos}; pagos duplicados (misma referencia): {pagos - distintos}");
    }

    if (!sinPago && !concurrente && !spei)
        await MedirPuestaAlDiaAsync(http, cs, segundos);

    // ---- Reconciliation of 10,000 payments ----------------------------------------------------
    var periodo = new DateOnly(2026, 1, 15);
    var movimientos = new List<MovimientoLiquidacion>();
    await using (var cn = new NpgsqlConnection(cs))
    {
        await cn.OpenAsync();
        await using var copia = await cn.BeginBinaryImportAsync("COPY pagos (cliente_id, monto, metodo, referencia, gateway, estado, recibido_en, aplicado_en) FROM STDIN (FORMAT BINARY)");
        for (var i = 0; i < 10_000; i++)
        {
            var monto = 100m + i % 500;
            await copia.StartRowAsync();
            await copia.WriteAsync(cliente, NpgsqlDbType.Uuid); await copia.WriteAsync(monto, NpgsqlDbType.Numeric);
            await copia.WriteAsync("tarjeta", NpgsqlDbType.Text); await copia.WriteAsync($"pi_conc_{i}", NpgsqlDbType.Text);
            await copia.WriteAsync("conciliacion", NpgsqlDbType.Text); await copia.WriteAsync("aplicado", NpgsqlDbType.Text);
            var instante = new DateTime(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc);
            await copia.WriteAsync(instante, NpgsqlDbType.TimestampTz); await copia.WriteAsync(instante, NpgsqlDbType.TimestampTz);
            if (i % 100 != 0) movimientos.Add(new($"pi_conc_{i}", i % 250 == 1 ? monto + 1 : monto));
        }
        await copia.CompleteAsync();
    }
    movimientos.AddRange(Enumerable.Range(0, 50).Select(i => new MovimientoLiquidacion($"pi_solo_pasarela_{i}", 10m)));
    var conciliacion = app.Services.GetRequiredService<ServicioConciliacion>();
    sw.Restart();
    var res = await conciliacion.EjecutarAsync(new ReporteLiquidacion("conciliacion", periodo, movimientos), "bench", CancellationToken.None);
    var c = ((ResultadoEjecucion.Ejecutada)res).Conciliacion;
    Console.WriteLine($"Conciliación de 10,000 pagos ({movimientos.Count} movimientos): {sw.Elapsed.TotalMilliseconds:N0} ms; " +
                      $"coincidencias {c.Coincidencias}, faltantes en pasarela {c.FaltantesPasarela}, faltantes en sistema {c.FaltantesSistema}, diferencias {c.DiferenciasMonto}");
}
finally
{
    await app.StopAsync();
    await app.DisposeAsync();
    await Telecable.Pruebas.Servicios.BorrarBaseAsync(cs);
}

// Fires IniciarPagosConfirmados as an operator would (admin API) and measures how fast ProcesarPago applies the burst:
// until every confirmed payment is applied (or 3 times the load's length), payments applied over the time they took.
// Issue 24's floor: >= 1,000 payments/s, none credited twice.
static async Task MedirPuestaAlDiaAsync(HttpClient http, string cs, int segundos)
{
    using var login = await http.PostAsJsonAsync("api/auth/token", new { usuario = "admin", password = "bench" });
    var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
    var disparo = new HttpRequestMessage(HttpMethod.Post, "admin/functions/IniciarPagosConfirmados");
    disparo.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    await using var cn = new NpgsqlConnection(cs);
    const string Aplicados = "SELECT count(*) FROM pagos WHERE gateway = 'emulada' AND estado = 'aplicado'";
    var pendientes = await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway = 'emulada' AND estado = 'confirmado'");
    var antes = await cn.ExecuteScalarAsync<long>(Aplicados);
    var sw = Stopwatch.StartNew();
    _ = http.SendAsync(disparo); // runs until every payment is started; the count below is what matters
    long aplicados;
    var fin = TimeSpan.FromSeconds(3 * segundos);
    do
    {
        await Task.Delay(250);
        aplicados = await cn.ExecuteScalarAsync<long>(Aplicados) - antes;
    } while (aplicados < pendientes && sw.Elapsed < fin);
    var tasa = aplicados / sw.Elapsed.TotalSeconds;
    var dobles = await cn.ExecuteScalarAsync<long>(
        "SELECT count(*) FROM (SELECT pago_id FROM movimientos_saldo WHERE tipo = 'abono' GROUP BY pago_id HAVING count(*) > 1) d");
    Console.WriteLine($"Puesta al día: IniciarPagosConfirmados disparado con {pendientes:N0} pagos confirmados; en {sw.Elapsed.TotalSeconds:N1} s ProcesarPago aplicó " +
                      $"{aplicados:N0} ({tasa:N0} pagos/s); pagos abonados dos veces: {dobles}");
    Console.WriteLine($"  Objetivo (issue 24): puesta al día >= 1,000 pagos/s y 0 abonados dos veces: {tasa:N0} pagos/s, {dobles} dobles -> " +
                      $"{(tasa >= 1000 && dobles == 0 ? "CUMPLE" : "NO CUMPLE")} (carga de la máquina {File.ReadAllText("/proc/loadavg").Split(' ')[0]} en 1 min, " +
                      $"{Environment.ProcessorCount} núcleos)");
}
