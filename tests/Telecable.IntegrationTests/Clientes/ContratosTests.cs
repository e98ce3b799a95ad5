using System.Net;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;
using static Telecable.IntegrationTests.Clientes.Datos;

namespace Telecable.IntegrationTests.Clientes;

[Collection(ColeccionHost.Nombre)]
public sealed class ContratosTests(HostPrueba host)
{
    [Fact]
    public async Task Alta_de_contrato_cotiza_en_la_zona_del_domicilio_y_es_idempotente()
    {
        using var admin = await host.ClienteAsync("admin");
        var id = await CrearAsync(admin); // 64000, Monterrey Centro
        var cuerpo = new { planId = Fibra500, fechaInicio = "2026-06-15" };
        var clave = Guid.NewGuid().ToString();
        var r1 = await admin.SendAsync(Post($"api/clientes/{id}/contratos", cuerpo, clave));
        var k = await JsonAsync(r1, HttpStatusCode.Created);
        Assert.Equal((515.00m, "pendiente_instalacion", 15, "MTY_CENTRO", "2026-06-15"),
            (k.GetProperty("precioPactado").GetDecimal(), k.GetProperty("estado").GetString(), k.GetProperty("diaCorte").GetInt32(),
             k.GetProperty("zonaClave").GetString(), k.GetProperty("fechaInicio").GetString()));
        Assert.Equal("00000000-0000-0000-0000-000000004001", k.GetProperty("promocionId").GetString()); // FTTH500-50-3M in force on 2026-06-15
        var r2 = await admin.SendAsync(Post($"api/clientes/{id}/contratos", cuerpo, clave));
        Assert.Equal(await r1.Content.ReadAsStringAsync(), await r2.Content.ReadAsStringAsync());
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{id}/contratos", new { planId = Fibra300 }, clave)), HttpStatusCode.UnprocessableEntity);
        var lista = await JsonAsync(await admin.GetAsync($"api/clientes/{id}/contratos"), HttpStatusCode.OK);
        Assert.Equal(1, lista.GetProperty("elementos").GetArrayLength());
        Assert.Equal(1, lista.GetProperty("total").GetInt64());
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'ContratoCreado' AND agregado_id = @a", new { a = k.GetProperty("id").GetString() }));
    }

    [Fact]
    public async Task Contrato_invalido_o_no_vendible_en_la_zona()
    {
        using var admin = await host.ClienteAsync("admin");
        var cumbres = await CrearAsync(admin, Cliente(cp: "64349")); // Cumbres offers FTTH only
        var p = await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{cumbres}/contratos", new { planId = Cable100 }, Guid.NewGuid().ToString())), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("MTY_CUMBRES", p.GetProperty("detail").GetString());
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{cumbres}/contratos", new { planId = Fibra500, comboId = TriplePlay }, Guid.NewGuid().ToString())), HttpStatusCode.BadRequest, "planId");
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{cumbres}/contratos", new { planId = Fibra500, diaCorte = 31 }, Guid.NewGuid().ToString())), HttpStatusCode.BadRequest, "diaCorte");
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{cumbres}/contratos", new { planId = Fibra500 })), HttpStatusCode.BadRequest, "Idempotency-Key");
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{cumbres}/contratos", new { planId = Fibra500, domicilioId = Guid.NewGuid() }, Guid.NewGuid().ToString())), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{Guid.NewGuid()}/contratos", new { planId = Fibra500 }, Guid.NewGuid().ToString())), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{cumbres}/contratos", new { planId = Guid.NewGuid() }, Guid.NewGuid().ToString())), HttpStatusCode.UnprocessableEntity, "planId");
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM contratos WHERE cliente_id = @c", new { c = Guid.Parse(cumbres) }));
        using var cobranzas = await host.ClienteAsync("cobranzas");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/clientes/{cumbres}/contratos", new { planId = Fibra500 }, Guid.NewGuid().ToString())), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Segundo_domicilio_en_otra_zona_y_contrato_ahi()
    {
        using var admin = await host.ClienteAsync("admin");
        var id = await CrearAsync(admin);
        var d = await JsonAsync(await admin.SendAsync(Post($"api/clientes/{id}/domicilios",
            new { calle = "Av. Paseo de los Leones", numeroExterior = "2000", colonia = "Cumbres Elite", cp = "64349" })), HttpStatusCode.Created);
        var k = await JsonAsync(await admin.SendAsync(Post($"api/clientes/{id}/contratos",
            new { planId = Fibra500, domicilioId = d.GetProperty("id").GetString() }, Guid.NewGuid().ToString())), HttpStatusCode.Created);
        Assert.Equal("MTY_CUMBRES", k.GetProperty("zonaClave").GetString());
        Assert.Equal(2, (await JsonAsync(await admin.GetAsync($"api/clientes/{id}"), HttpStatusCode.OK)).GetProperty("domicilios").GetArrayLength());
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{id}/domicilios", new { calle = "X", numeroExterior = "1", colonia = "Y", cp = "99999" })), HttpStatusCode.BadRequest, "domicilio.cp");
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{Guid.NewGuid()}/domicilios", new { calle = "X", numeroExterior = "1", colonia = "Y", cp = "64000" })), HttpStatusCode.NotFound);
        using var cliente = await host.ClienteAsync("cliente");
        await Problemas.AfirmarAsync(await cliente.SendAsync(Post($"api/clientes/{ClienteDemo}/domicilios", new { calle = "X", numeroExterior = "1", colonia = "Y", cp = "64000" })), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Ciclo_de_vida_con_transiciones_permitidas_y_version()
    {
        using var admin = await host.ClienteAsync("admin");
        var id = await CrearAsync(admin);
        var k = await JsonAsync(await admin.SendAsync(Post($"api/clientes/{id}/contratos", new { planId = Fibra300 }, Guid.NewGuid().ToString())), HttpStatusCode.Created);
        var url = $"api/contratos/{k.GetProperty("id").GetString()}";

        async Task<JsonElement> Hacer(object cuerpo, int version, HttpStatusCode esperado = HttpStatusCode.OK) =>
            await JsonAsync(await admin.SendAsync(Patch(url, cuerpo, $"\"{version}\"")), esperado);

        await Problemas.AfirmarAsync(await admin.SendAsync(Patch(url, new { accion = "suspender" }, "\"1\"")), HttpStatusCode.UnprocessableEntity, "accion");
        var a = await Hacer(new { accion = "activar" }, 1);
        Assert.Equal(("activo", 2), (a.GetProperty("estado").GetString(), a.GetProperty("version").GetInt32()));
        Assert.True(a.TryGetProperty("fechaActivacion", out _));
        Assert.Equal("suspendido", (await Hacer(new { accion = "suspender" }, 2)).GetProperty("estado").GetString());
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch(url, new { accion = "cambiar_plan", comboId = TriplePlay }, "\"3\"")), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("activo", (await Hacer(new { accion = "reactivar" }, 3)).GetProperty("estado").GetString());
        var cambio = await Hacer(new { accion = "cambiar_plan", comboId = TriplePlay, version = 99 }, 4); // If-Match wins over the body
        Assert.Equal((900.00m, TriplePlay, "Triple Play Fibra 500"), (cambio.GetProperty("precioPactado").GetDecimal(), cambio.GetProperty("comboId").GetString(), cambio.GetProperty("producto").GetString()));
        Assert.False(cambio.TryGetProperty("planId", out _));
        var p = await Problemas.AfirmarAsync(await admin.SendAsync(Patch(url, new { accion = "cancelar" }, "\"4\"")), HttpStatusCode.Conflict);
        Assert.Equal("version_desactualizada", p.GetProperty("code").GetString());
        var cancelado = await JsonAsync(await admin.SendAsync(Patch(url, new { accion = "cancelar", version = 5 })), HttpStatusCode.OK);
        Assert.Equal("cancelado", cancelado.GetProperty("estado").GetString());
        Assert.True(cancelado.TryGetProperty("fechaCancelacion", out _));
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch(url, new { accion = "reactivar" }, "\"6\"")), HttpStatusCode.UnprocessableEntity);
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch(url, new { accion = "borrar" }, "\"6\"")), HttpStatusCode.BadRequest, "accion");
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch(url, new { accion = "activar" })), HttpStatusCode.BadRequest, "version");
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/contratos/{Guid.NewGuid()}", new { accion = "activar" }, "\"1\"")), HttpStatusCode.NotFound);
        using var tecnico = await host.ClienteAsync("tecnico");
        await Problemas.AfirmarAsync(await tecnico.SendAsync(Patch(url, new { accion = "activar" }, "\"6\"")), HttpStatusCode.Forbidden);

        var eventos = await host.EscalarAsync<string>("SELECT string_agg(datos->>'accion', ',' ORDER BY posicion) FROM outbox WHERE tipo = 'ContratoModificado' AND agregado_id = @a",
            new { a = k.GetProperty("id").GetString() });
        Assert.Equal("activar,suspender,reactivar,cambiar_plan,cancelar", eventos);
    }
}
