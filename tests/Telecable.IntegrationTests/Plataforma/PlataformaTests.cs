using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Datos;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Plataforma;

[Collection(ColeccionHost.Nombre)]
public sealed class PlataformaTests(HostPrueba host)
{
    [Fact]
    public async Task Health_reporta_cada_componente_con_latencia()
    {
        var r = await host.Http.GetAsync("api/health");
        var cuerpo = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var c = JsonDocument.Parse(cuerpo).RootElement.GetProperty("componentes");
        foreach (var nombre in new[] { "postgres", "blobStorage", "durableTask" })
        {
            Assert.Equal("ok", c.GetProperty(nombre).GetProperty("estado").GetString());
            Assert.True(c.GetProperty(nombre).GetProperty("latenciaMs").GetDouble() >= 0);
        }
    }

    [Fact]
    public async Task Sin_token_401_rol_equivocado_403_rol_correcto_200()
    {
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/eventos"), HttpStatusCode.Unauthorized);
        using var cliente = await host.ClienteAsync("cliente");
        await Problemas.AfirmarAsync(await cliente.GetAsync("api/eventos"), HttpStatusCode.Forbidden);
        using var admin = await host.ClienteAsync("admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("api/eventos")).StatusCode);
    }

    [Fact]
    public async Task Token_alterado_o_firmado_con_otra_clave_es_401()
    {
        var token = await host.TokenAsync("admin");
        var alterado = token[..^3] + (token[^3] == 'A' ? "BBB" : "AAA");
        using var c = new HttpClient { BaseAddress = host.Http.BaseAddress };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", alterado);
        await Problemas.AfirmarAsync(await c.GetAsync("api/eventos"), HttpStatusCode.Unauthorized);
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "YWRtaW46eA==");
        await Problemas.AfirmarAsync(await c.GetAsync("api/eventos"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Emisor_de_desarrollo_rechaza_password_incorrecto_y_campos_faltantes()
    {
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/auth/token", new { usuario = "admin", password = "otra" }), HttpStatusCode.Unauthorized);
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/auth/token", new { usuario = "admin" }), HttpStatusCode.BadRequest, "password");
        using var c = await host.ClienteAsync("tecnico");
        var yo = JsonDocument.Parse(await c.GetStringAsync("api/auth/yo")).RootElement;
        Assert.Equal("00000000-0000-0000-0000-00000000e001", yo.GetProperty("tecnicoId").GetString());
    }

    [Fact]
    public async Task Entrada_mala_recibe_problem_json_4xx_nunca_500()
    {
        using var admin = await host.ClienteAsync("admin");
        await Problemas.AfirmarAsync(await Post(admin, "api/admin/sonda", "{", "k1"), HttpStatusCode.BadRequest, "cuerpo");
        await Problemas.AfirmarAsync(await Post(admin, "api/admin/sonda", """{"pasos":"muchos"}""", "k2"), HttpStatusCode.BadRequest, "pasos");
        await Problemas.AfirmarAsync(await Post(admin, "api/admin/sonda", """{"pasos":0,"esperaMs":-1}""", "k3"), HttpStatusCode.BadRequest, "esperaMs");
        await Problemas.AfirmarAsync(await Post(admin, "api/admin/sonda", "", "k4"), HttpStatusCode.BadRequest, "cuerpo");
        await Problemas.AfirmarAsync(await Post(admin, "api/admin/sonda", "{\"pasos\":1,\"x\":\"" + new string('a', 300_000) + "\"}", "k5"), HttpStatusCode.RequestEntityTooLarge);
        await Problemas.AfirmarAsync(await admin.GetAsync("api/admin/sonda/no-existe"), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await admin.GetAsync("api/no/existe"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Correlation_id_se_respeta_o_se_crea()
    {
        var req = new HttpRequestMessage(HttpMethod.Get, "api/health");
        req.Headers.Add("X-Correlation-Id", "llamada-de-soporte-42");
        var r = await host.Http.SendAsync(req);
        Assert.Equal("llamada-de-soporte-42", r.Headers.GetValues("X-Correlation-Id").Single());
        var req2 = new HttpRequestMessage(HttpMethod.Get, "api/health");
        req2.Headers.Add("X-Correlation-Id", "a\" {inyeccion} de log");
        var r2 = await host.Http.SendAsync(req2);
        Assert.Matches("^[0-9a-f]{32}$", r2.Headers.GetValues("X-Correlation-Id").Single());
    }

    [Fact]
    public async Task Sonda_durable_en_memoria_completa_cada_paso_una_vez()
    {
        using var admin = await host.ClienteAsync("admin");
        var r = await Post(admin, "api/admin/sonda", """{"pasos":4}""", Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var id = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var estado = await EsperarEstadoAsync(admin, id, "Completed");
        Assert.Contains("\"Pasos\":4", estado.GetProperty("salida").GetString());
        Assert.Equal(4, await host.EscalarAsync<int>("SELECT count(*) FROM sonda_pasos WHERE instancia = @id AND ejecuciones = 1", new { id }));
        Assert.Equal(1, await host.EscalarAsync<int>("SELECT count(*) FROM sonda_resultados WHERE instancia = @id", new { id }));
    }

    [Fact]
    public async Task Idempotency_key_repite_respuesta_422_con_otro_cuerpo_400_sin_clave()
    {
        using var admin = await host.ClienteAsync("admin");
        var clave = Guid.NewGuid().ToString();
        var r1 = await Post(admin, "api/admin/sonda", """{"pasos":1}""", clave);
        var r2 = await Post(admin, "api/admin/sonda", """{"pasos":1}""", clave);
        Assert.Equal(HttpStatusCode.Accepted, r1.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, r2.StatusCode);
        Assert.Equal(await r1.Content.ReadAsStringAsync(), await r2.Content.ReadAsStringAsync());
        Assert.Equal("true", r2.Headers.GetValues("Idempotent-Replayed").Single());
        await Problemas.AfirmarAsync(await Post(admin, "api/admin/sonda", """{"pasos":2}""", clave), HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
        await Problemas.AfirmarAsync(await Post(admin, "api/admin/sonda", """{"pasos":1}""", null), HttpStatusCode.BadRequest, "Idempotency-Key");
    }

    [Fact]
    public async Task Envios_concurrentes_con_la_misma_clave_inician_una_sola_orquestacion()
    {
        using var admin = await host.ClienteAsync("admin");
        var clave = Guid.NewGuid().ToString();
        var respuestas = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Post(admin, "api/admin/sonda", """{"pasos":1}""", clave)));
        var ids = new HashSet<string>();
        foreach (var r in respuestas)
        {
            Assert.True(r.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict, $"status {(int)r.StatusCode}");
            if (r.StatusCode == HttpStatusCode.Accepted)
                ids.Add(JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
        }
        Assert.Single(ids);
        Assert.Equal(1, await host.EscalarAsync<int>("SELECT count(*) FROM idempotencia WHERE clave = @clave", new { clave }));
    }

    [Fact]
    public async Task Outbox_se_publica_en_el_jsonl_local_y_queda_consultable()
    {
        var evento = EventoDominio.Crear("PruebaRealizada", "prueba", Guid.NewGuid().ToString(), new { valor = 42 }, "cid-outbox", DateTimeOffset.UtcNow);
        await using (var cn = new NpgsqlConnection(host.ConnectionString))
        {
            await cn.OpenAsync();
            await using var tx = await cn.BeginTransactionAsync();
            await Telecable.Infrastructure.Outbox.Outbox.AgregarAsync(cn, tx, evento, CancellationToken.None);
            await tx.CommitAsync();
        }
        using var admin = await host.ClienteAsync("admin");
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/RelayarOutbox", null)).StatusCode);
        // The scheduled relay may hold the row (SKIP LOCKED) while the admin-triggered run passes it by: it is
        // published by whichever run holds it, a moment later.
        JsonElement e = default;
        for (var i = 0; i < 100; i++)
        {
            var lista = JsonDocument.Parse(await admin.GetStringAsync($"api/eventos?agregadoId={evento.AgregadoId}")).RootElement;
            e = Assert.Single(lista.GetProperty("elementos").EnumerateArray());
            if (e.TryGetProperty("destino", out var d) && d.ValueKind == JsonValueKind.String) break;
            await Task.Delay(100);
        }
        Assert.Equal("PruebaRealizada", e.GetProperty("tipo").GetString());
        Assert.StartsWith("jsonl:", e.GetProperty("destino").GetString());
        Assert.True(e.TryGetProperty("publicadoEn", out _));
    }

    [Fact]
    public async Task Admin_dispara_timers_y_nadie_mas()
    {
        using var soporte = await host.ClienteAsync("soporte");
        await Problemas.AfirmarAsync(await soporte.PostAsync("admin/functions/RelayarOutbox", null), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await host.Http.PostAsync("admin/functions/RelayarOutbox", null), HttpStatusCode.Unauthorized);
        using var admin = await host.ClienteAsync("admin");
        await Problemas.AfirmarAsync(await admin.PostAsync("admin/functions/NoExiste", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Migraciones_son_idempotentes_y_la_semilla_no_duplica()
    {
        var migrador = host.Servicios.GetRequiredService<Migrador>();
        var clientes = await host.EscalarAsync<long>("SELECT count(*) FROM clientes");
        Assert.Equal(0, await migrador.MigrarAsync());
        await migrador.CargarDemoAsync();
        Assert.Equal(clientes, await host.EscalarAsync<long>("SELECT count(*) FROM clientes"));
        Assert.True(clientes >= 50);
    }

    [Fact]
    public async Task Metricas_prometheus_cambian_con_el_trabajo_y_solo_admin_las_lee()
    {
        using var admin = await host.ClienteAsync("admin");
        static long Cuenta(string texto) => texto.Split('\n')
            .Where(l => l.StartsWith("telecable_http_solicitudes_total{funcion=\"Salud\",status=\"200\"}"))
            .Select(l => long.Parse(l.Split(' ')[1])).SingleOrDefault();
        var antes = Cuenta(await admin.GetStringAsync("api/metrics"));
        for (var i = 0; i < 3; i++) await host.Http.GetAsync("api/health");
        var r = await admin.GetAsync("api/metrics");
        Assert.StartsWith("text/plain", r.Content.Headers.ContentType?.ToString());
        var texto = await r.Content.ReadAsStringAsync();
        Assert.Equal(antes + 3, Cuenta(texto));
        Assert.Contains("telecable_http_duracion_ms_bucket{funcion=\"Salud\",status=\"200\",le=\"+Inf\"}", texto);
        Assert.Contains("# TYPE telecable_outbox_retraso_s gauge", texto);

        // Orchestrations by name and state: a completed probe shows up.
        var id = JsonDocument.Parse(await (await Post(admin, "api/admin/sonda", """{"pasos":1}""", Guid.NewGuid().ToString())).Content.ReadAsStringAsync())
            .RootElement.GetProperty("id").GetString()!;
        await EsperarEstadoAsync(admin, id, "Completed");
        var conSonda = await admin.GetStringAsync("api/metrics");
        var linea = conSonda.Split('\n').Single(x => x.StartsWith("telecable_orquestaciones{estado=\"Completed\",nombre=\"SondaDurable\"}"));
        Assert.True(long.Parse(linea.Split(' ')[1]) >= 1, linea);
        using var soporte = await host.ClienteAsync("soporte");
        await Problemas.AfirmarAsync(await soporte.GetAsync("api/metrics"), HttpStatusCode.Forbidden);
    }

    private static Task<HttpResponseMessage> Post(HttpClient c, string ruta, string json, string? clave)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, ruta) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (clave is not null) req.Headers.Add("Idempotency-Key", clave);
        return c.SendAsync(req);
    }

    internal static async Task<JsonElement> EsperarEstadoAsync(HttpClient c, string id, string esperado)
    {
        var limite = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var e = JsonDocument.Parse(await c.GetStringAsync($"api/admin/sonda/{id}")).RootElement.Clone();
            var estado = e.GetProperty("estado").GetString();
            if (estado == esperado) return e;
            Assert.True(estado is "Pending" or "Running", $"La orquestación quedó en {estado}: {e}");
            Assert.True(DateTime.UtcNow < limite, $"La orquestación no llegó a {esperado} en 60 s");
            await Task.Delay(200);
        }
    }
}
