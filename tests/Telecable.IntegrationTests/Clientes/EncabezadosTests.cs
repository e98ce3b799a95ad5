using System.Net;
using Telecable.IntegrationTests.Infraestructura;
using static Telecable.IntegrationTests.Clientes.Datos;

namespace Telecable.IntegrationTests.Clientes;

/// <summary>What the customer endpoints take from request headers: weak ETags, the consent's origin, long idempotency keys.</summary>
[Collection(ColeccionHost.Nombre)]
public sealed class EncabezadosTests(HostPrueba host)
{
    [Fact]
    public async Task If_Match_acepta_el_ETag_debil_que_dejan_los_proxies()
    {
        using var admin = await host.ClienteAsync("admin");
        var id = await CrearAsync(admin);
        // Compressing proxies turn "1" into W/"1"; the version is the same.
        var c = await JsonAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { nombre = "JUAN PRUEBA" }, "W/\"1\"")), HttpStatusCode.OK);
        Assert.Equal((2, "JUAN PRUEBA"), (c.GetProperty("version").GetInt32(), c.GetProperty("nombre").GetString()));
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { nombre = "OTRO" }, "W/\"1\"")), HttpStatusCode.Conflict);
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { nombre = "OTRO" }, "W/\"0\"")), HttpStatusCode.BadRequest, "If-Match");
    }

    [Fact]
    public async Task El_consentimiento_guarda_la_ip_y_el_navegador_que_declara_y_si_no_los_de_la_conexion()
    {
        using var admin = await host.ClienteAsync("admin");
        admin.DefaultRequestHeaders.UserAgent.ParseAdd("Backoffice/1.0");

        // Recorded at a branch on behalf of the customer: the form states where the consent was given.
        var declarado = Cliente();
        declarado["consentimiento"] = new Dictionary<string, object?>
        {
            ["avisoPrivacidadVersion"] = "2026-01", ["aceptaMarketing"] = true, ["origen"] = "sucursal",
            ["ip"] = "10.20.30.40", ["userAgent"] = "Kiosco sucursal Centro",
        };
        var id = await CrearAsync(admin, declarado);
        var vigente = (await JsonAsync(await admin.GetAsync($"api/clientes/{id}"), HttpStatusCode.OK)).GetProperty("consentimientoVigente");
        Assert.Equal(("10.20.30.40", "Kiosco sucursal Centro"), (vigente.GetProperty("ip").GetString(), vigente.GetProperty("userAgent").GetString()));

        // Not stated: the connection's address and the caller's User-Agent.
        var id2 = await CrearAsync(admin);
        vigente = (await JsonAsync(await admin.GetAsync($"api/clientes/{id2}"), HttpStatusCode.OK)).GetProperty("consentimientoVigente");
        Assert.Equal(("127.0.0.1", "Backoffice/1.0"), (vigente.GetProperty("ip").GetString(), vigente.GetProperty("userAgent").GetString()));
    }

    [Fact]
    public async Task Idempotency_Key_de_mas_de_255_caracteres_es_400_y_no_crea_nada()
    {
        using var admin = await host.ClienteAsync("admin");
        var cuerpo = Cliente();
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/clientes", cuerpo, new string('k', 256))), HttpStatusCode.BadRequest, "Idempotency-Key");
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM clientes WHERE rfc = @rfc", new { rfc = (string)cuerpo["rfc"]! }));
        // 255 is still a key.
        Assert.Equal(HttpStatusCode.Created, (await admin.SendAsync(Post("api/clientes", cuerpo, new string('k', 255)))).StatusCode);
    }
}
