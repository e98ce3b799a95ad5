using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Infrastructure.Facturacion;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Facturacion;

/// <summary>A host whose CSD files are not there yet (a clone without them, a Key Vault that does not answer).</summary>
public sealed class HostSinCsd : HostPrueba
{
    public string CarpetaCsd { get; } = Directory.CreateTempSubdirectory("telecable-csd-").FullName;

    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>
    {
        ["Csd:CerPath"] = Path.Combine(CarpetaCsd, "EKU9003173C9.cer"),
        ["Csd:KeyPath"] = Path.Combine(CarpetaCsd, "EKU9003173C9.key"),
        ["Facturacion:FacturasPorParte"] = "10",
    };

    public void PonerCsd()
    {
        foreach (var f in new[] { "EKU9003173C9.cer", "EKU9003173C9.key" })
            File.Copy(Path.Combine(Telecable.Pruebas.Servicios.DirectorioSat, "csd", f), Path.Combine(CarpetaCsd, f), true);
    }
}

/// <summary>A host whose reconciliation timer treats every live run as due (no grace).</summary>
public sealed class HostCorridasSinGracia : HostPrueba
{
    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?> { ["Facturacion:GraciaSinOrquestacionSegundos"] = "0" };
}

internal static class Corridas
{
    public static async Task<JsonElement> EsperarFinAsync(HttpClient admin, Guid corrida, TimeSpan? limite = null)
    {
        var reloj = Stopwatch.StartNew();
        while (true)
        {
            var p = JsonDocument.Parse(await admin.GetStringAsync($"api/facturacion/corridas/{corrida}")).RootElement.Clone();
            if (p.GetProperty("estado").GetString() is not ("en_proceso" or "pendiente")) return p;
            if (reloj.Elapsed > (limite ?? TimeSpan.FromMinutes(2))) throw new TimeoutException($"La corrida {corrida} sigue viva: {p}");
            await Task.Delay(250);
        }
    }

    public static async Task<Guid> IniciarAsync(HttpClient admin, string periodo)
    {
        var r = await HostFacturacion.PostAsync(admin, "api/facturacion/corridas", new { periodo });
        var cuerpo = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, cuerpo);
        return JsonDocument.Parse(cuerpo).RootElement.GetProperty("id").GetGuid();
    }
}

/// <summary>
/// Issue 15: with the CSD missing, TimbrarParte always throws; the run used to stay en_proceso forever (no failure path,
/// reintentar 409, a new run 409). Now it ends fallida with its cause, health names the CSD, and once the files are there
/// reintentar stamps every invoice without a restart.
/// </summary>
public sealed class CorridaSinCsdTests(HostSinCsd host) : IClassFixture<HostSinCsd>
{
    [Fact]
    public async Task Sin_CSD_la_corrida_termina_fallida_con_causa_y_al_volver_el_CSD_reintentar_timbra_todo()
    {
        using var admin = await host.ClienteAsync("admin");
        var salud = await host.Http.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, salud.StatusCode);
        var csd = JsonDocument.Parse(await salud.Content.ReadAsStringAsync()).RootElement.GetProperty("componentes").GetProperty("csd");
        Assert.Equal("caido", csd.GetProperty("estado").GetString());
        Assert.Equal("csd_archivo_no_encontrado", csd.GetProperty("error").GetString());

        var a = await Corridas.IniciarAsync(admin, "2026-04");
        // A second run of a period with a live one: 409 pointing at it, with no UUID in the text.
        var duplicada = await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, "api/facturacion/corridas", new { periodo = "2026-04" }), HttpStatusCode.Conflict);
        Assert.Equal($"/api/facturacion/corridas/{a}", duplicada.GetProperty("recurso").GetString());
        Assert.DoesNotContain(a.ToString(), duplicada.GetProperty("detail").GetString());

        var fallida = await Corridas.EsperarFinAsync(admin, a);
        Assert.Equal("fallida", fallida.GetProperty("estado").GetString());
        var causa = fallida.GetProperty("causa");
        Assert.Equal("csd_no_disponible", causa.GetProperty("codigo").GetString());
        Assert.Contains("No se encontró el archivo .cer o .key del CSD", causa.GetProperty("mensaje").GetString());
        Assert.DoesNotContain(host.CarpetaCsd, fallida.ToString());
        Assert.DoesNotContain("   at ", fallida.ToString());
        var generadas = await host.EscalarAsync<long>("SELECT count(*) FROM facturas WHERE corrida_id = @a", new { a });
        Assert.True(generadas > 0);
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM facturas WHERE corrida_id = @a AND uuid IS NOT NULL", new { a }));
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'CorridaFallida' AND agregado_id = @id", new { id = a.ToString() }));

        var lista = JsonDocument.Parse(await admin.GetStringAsync("api/facturacion/corridas?estado=fallida")).RootElement;
        Assert.Equal(1, lista.GetProperty("total").GetInt64());
        Assert.Equal(a, lista.GetProperty("elementos")[0].GetProperty("id").GetGuid());
        Assert.Equal("csd_no_disponible", lista.GetProperty("elementos")[0].GetProperty("causa").GetProperty("codigo").GetString());

        // The CSD arrives: health sees it within the load backoff (at most 10 s), without a restart.
        host.PonerCsd();
        var reloj = Stopwatch.StartNew();
        while ((await host.Http.GetAsync("api/health")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(reloj.Elapsed < TimeSpan.FromSeconds(30), "El CSD no se recargó");
            await Task.Delay(500);
        }
        var r = await HostFacturacion.PostAsync(admin, $"api/facturacion/corridas/{a}/reintentar", new { });
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var completa = await Corridas.EsperarFinAsync(admin, a);
        Assert.Equal("completada", completa.GetProperty("estado").GetString());
        Assert.False(completa.TryGetProperty("causa", out var sinCausa) && sinCausa.ValueKind != JsonValueKind.Null, completa.ToString());
        Assert.Equal(generadas, completa.GetProperty("timbradas").GetInt32());
        Assert.Equal(generadas, await host.EscalarAsync<long>("SELECT count(DISTINCT uuid) FROM facturas WHERE corrida_id = @a AND estado = 'timbrada'", new { a }));

        // Once the previous run is finished, the period accepts a new run (it finds nothing new to bill).
        var b = await Corridas.IniciarAsync(admin, "2026-04");
        var otra = await Corridas.EsperarFinAsync(admin, b);
        Assert.Equal("completada", otra.GetProperty("estado").GetString());
        Assert.Equal(0, otra.GetProperty("total").GetInt32());
        Assert.Equal(0, JsonDocument.Parse(await admin.GetStringAsync("api/facturacion/corridas?estado=fallida")).RootElement.GetProperty("total").GetInt64());
        Assert.Equal(2, JsonDocument.Parse(await admin.GetStringAsync("api/facturacion/corridas?periodo=2026-04")).RootElement.GetProperty("total").GetInt64());
    }
}

/// <summary>A run whose orchestration is gone (host killed and task hub purged, storage lost) or was terminated: the
/// reconciliation timer ends it fallida with that cause, and reintentar resumes it.</summary>
public sealed class CorridaSinOrquestacionTests(HostCorridasSinGracia host) : IClassFixture<HostCorridasSinGracia>
{
    [Fact]
    public async Task Una_corrida_sin_instancia_se_reconcilia_como_fallida_y_se_reanuda()
    {
        using var admin = await host.ClienteAsync("admin");
        // Registered, its instance never scheduled: what a purge or a lost task hub leaves behind.
        var c = await host.Servicios.GetRequiredService<ServicioCorridas>().CrearAsync(new DateOnly(2026, 5, 1), "prueba", CancellationToken.None);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/ReconciliarCorridas", null)).StatusCode);
        var p = await Corridas.EsperarFinAsync(admin, c.Id, TimeSpan.FromSeconds(30));
        Assert.Equal("fallida", p.GetProperty("estado").GetString());
        Assert.Equal("orquestacion_perdida", p.GetProperty("causa").GetProperty("codigo").GetString());

        Assert.Equal(HttpStatusCode.Accepted, (await HostFacturacion.PostAsync(admin, $"api/facturacion/corridas/{c.Id}/reintentar", new { })).StatusCode);
        var fin = await Corridas.EsperarFinAsync(admin, c.Id);
        Assert.Equal("completada", fin.GetProperty("estado").GetString());
        Assert.True(fin.GetProperty("timbradas").GetInt32() > 0);
        // A second pass of the timer finds nothing to do: the finished run is left alone.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/ReconciliarCorridas", null)).StatusCode);
        await Task.Delay(1000);
        Assert.Equal("completada", await host.EscalarAsync<string>("SELECT estado FROM corridas_facturacion WHERE id = @Id", new { c.Id }));
    }

    [Fact]
    public async Task Listar_corridas_valida_sus_filtros_y_exige_rol()
    {
        using var admin = await host.ClienteAsync("admin");
        using var soporte = await host.ClienteAsync("soporte");
        await Problemas.AfirmarAsync(await admin.GetAsync("api/facturacion/corridas?estado=rota"), HttpStatusCode.BadRequest, "estado");
        await Problemas.AfirmarAsync(await admin.GetAsync("api/facturacion/corridas?periodo=2026-13"), HttpStatusCode.BadRequest, "periodo");
        await Problemas.AfirmarAsync(await soporte.GetAsync("api/facturacion/corridas"), HttpStatusCode.Forbidden);
        var vacia = JsonDocument.Parse(await admin.GetStringAsync("api/facturacion/corridas?periodo=2031-01")).RootElement;
        Assert.Equal(0, vacia.GetProperty("total").GetInt64());
        Assert.Equal(0, vacia.GetProperty("elementos").GetArrayLength());
    }
}
