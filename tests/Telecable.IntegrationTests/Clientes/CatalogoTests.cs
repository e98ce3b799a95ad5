using System.Net;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;
using static Telecable.IntegrationTests.Clientes.Datos;

namespace Telecable.IntegrationTests.Clientes;

[Collection(ColeccionHost.Nombre)]
public sealed class CatalogoTests(HostPrueba host)
{
    private async Task<JsonElement> Get(string url) => await JsonAsync(await host.Http.GetAsync(url), HttpStatusCode.OK);

    private static void AfirmarCuadra(JsonElement cot)
    {
        // Total = precio - descuento + IEPS + IVA; IEPS on TV/phone lines and, in a combo, on internet above 30 % of the
        // bundle (LIEPS art. 8-IV-d), so exempt internet is never more than 30 % of the subtotal.
        Assert.Equal(cot.GetProperty("subtotal").GetDecimal() - cot.GetProperty("descuento").GetDecimal() + cot.GetProperty("ieps").GetDecimal() + cot.GetProperty("iva").GetDecimal(),
            cot.GetProperty("total").GetDecimal());
        Assert.Equal("MXN", cot.GetProperty("moneda").GetString());
        var exento = 0m;
        foreach (var l in cot.GetProperty("lineas").EnumerateArray())
        {
            var internetExento = l.GetProperty("tipoServicio").GetString() == "internet" && !l.GetProperty("nombre").GetString()!.Contains("excedente", StringComparison.Ordinal);
            Assert.Equal(internetExento ? 0m : 0.03m, l.GetProperty("tasaIeps").GetDecimal());
            if (internetExento) exento += l.GetProperty("precioMensual").GetDecimal();
        }
        if (cot.GetProperty("lineas").GetArrayLength() > 1)
            Assert.True(exento <= Math.Round(cot.GetProperty("subtotal").GetDecimal() * 0.30m, 2), $"Internet exento {exento} rebasa el 30 %.");
    }

    [Fact]
    public async Task Buscar_planes_publico_con_precio_de_zona_promociones_e_IVA_aparte()
    {
        var pag = await Get("api/catalogo/planes?zona=mty_centro&tamano=100");
        var planes = pag.GetProperty("elementos").EnumerateArray().ToList();
        Assert.Equal(pag.GetProperty("total").GetInt64(), planes.Count);
        Assert.DoesNotContain(planes, p => p.GetProperty("clave").GetString() == "INT-HFC-20"); // inactive
        var fibra300 = planes.Single(p => p.GetProperty("clave").GetString() == "INT-FTTH-300");
        Assert.Equal(430.00m, fibra300.GetProperty("precioMensual").GetDecimal());
        Assert.Equal(68.80m, fibra300.GetProperty("cotizacion").GetProperty("iva").GetDecimal());
        foreach (var p in planes)
        {
            AfirmarCuadra(p.GetProperty("cotizacion"));
            Assert.Equal(p.GetProperty("promociones").GetArrayLength() > 0, p.GetProperty("cotizacion").GetProperty("descuento").GetDecimal() > 0);
        }
        var totales = planes.Select(p => p.GetProperty("cotizacion").GetProperty("total").GetDecimal()).ToList();
        Assert.Equal(totales.Order(), totales); // default order: final price ascending

        var tv = (await Get("api/catalogo/planes?zona=MTY_CENTRO&tipo=tv")).GetProperty("elementos");
        Assert.All(tv.EnumerateArray(), p => Assert.True(p.GetProperty("cotizacion").GetProperty("ieps").GetDecimal() > 0));
        var rapidos = (await Get("api/catalogo/planes?zona=MTY_CENTRO&velocidadMin=500&tecnologia=FTTH&orden=-velocidad")).GetProperty("elementos");
        Assert.Equal(["INT-FTTH-1000", "INT-FTTH-500"], rapidos.EnumerateArray().Select(p => p.GetProperty("clave").GetString()));
        var baratos = (await Get("api/catalogo/planes?zona=MTY_CENTRO&precioMax=300")).GetProperty("elementos");
        Assert.All(baratos.EnumerateArray(), p => Assert.True(p.GetProperty("cotizacion").GetProperty("total").GetDecimal() <= 300));
        var pagina2 = await Get("api/catalogo/planes?zona=MTY_CENTRO&tamano=2&pagina=2");
        Assert.Equal(2, pagina2.GetProperty("elementos").GetArrayLength());

        // Cumbres offers FTTH only: no HFC plan is sold there.
        var cumbres = (await Get("api/catalogo/planes?zona=MTY_CUMBRES&tamano=100")).GetProperty("elementos");
        Assert.DoesNotContain(cumbres.EnumerateArray(), p => p.TryGetProperty("tecnologia", out var t) && t.GetString() == "HFC_DOCSIS");

        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/catalogo/planes"), HttpStatusCode.BadRequest, "zona");
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/catalogo/planes?zona=NO_EXISTE"), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/catalogo/planes?zona=MTY_CENTRO&tipo=radio"), HttpStatusCode.BadRequest, "tipo");
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/catalogo/planes?zona=MTY_CENTRO&precioMax=barato"), HttpStatusCode.BadRequest, "precioMax");
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/catalogo/planes?zona=MTY_CENTRO&orden=color"), HttpStatusCode.BadRequest, "orden");
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/catalogo/planes?zona=MTY_CENTRO&tamano=1000"), HttpStatusCode.BadRequest, "tamano");
    }

    [Fact]
    public async Task Codigo_postal_resuelve_zona_tecnologias_y_lo_que_puede_comprar()
    {
        var c = await Get("api/catalogo/zonas/64349");
        Assert.Equal(("MTY_CUMBRES", "Monterrey"), (c.GetProperty("zona").GetProperty("clave").GetString(), c.GetProperty("municipio").GetString()));
        Assert.Equal(["FTTH"], c.GetProperty("zona").GetProperty("tecnologias").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("Cumbres Elite", c.GetProperty("colonias").EnumerateArray().Select(x => x.GetString()));
        Assert.DoesNotContain(c.GetProperty("planes").EnumerateArray(), p => p.GetProperty("clave").GetString()!.StartsWith("INT-HFC"));
        var combos = c.GetProperty("combos").EnumerateArray().Select(x => x.GetProperty("clave").GetString()).ToList();
        Assert.Contains("TRIPLE-FTTH-500", combos);
        Assert.DoesNotContain("DOBLE-HFC-100-TEL", combos); // its internet part is HFC
        var centro = (await Get("api/catalogo/zonas/64000")).GetProperty("combos").EnumerateArray().Select(x => x.GetProperty("clave").GetString());
        Assert.Contains("DOBLE-HFC-100-TEL", centro);

        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/catalogo/zonas/99999"), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/catalogo/zonas/6400A"), HttpStatusCode.BadRequest, "cp");
        var zonas = await Get("api/catalogo/zonas");
        Assert.True(zonas.GetProperty("elementos").GetArrayLength() >= 8);
        // The one page shape, its binder and its 400s (issue #16).
        var segunda = await Get("api/catalogo/zonas?tamano=3&pagina=2");
        Assert.Equal(2, segunda.GetProperty("pagina").GetInt32());
        Assert.Equal(3, segunda.GetProperty("tamano").GetInt32());
        Assert.Equal(zonas.GetProperty("total").GetInt64(), segunda.GetProperty("total").GetInt64());
        Assert.Equal(zonas.GetProperty("elementos")[3].GetProperty("clave").GetString(), segunda.GetProperty("elementos")[0].GetProperty("clave").GetString());
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/catalogo/zonas?tamano=0"), HttpStatusCode.BadRequest, "tamano");
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/catalogo/zonas?pagina=x"), HttpStatusCode.BadRequest, "pagina");
    }

    [Fact]
    public async Task Cotizacion_de_combo_por_parte_con_IEPS_solo_en_TV_y_telefonia()
    {
        var o = await Get($"api/catalogo/cotizacion?zona=MTY_CENTRO&comboId={TriplePlay}&fecha=2026-07-01");
        var cot = o.GetProperty("cotizacion");
        AfirmarCuadra(cot);
        // LIEPS art. 8-IV-d as its invoice bills it (worked in Domain.Tests ReglasFiscalesTelecomTests): Fibra 500 at its
        // standalone price here, 515.00, of which 30 % of 900.00 = 270.00 exempt and 245.00 taxed; TV 300.49, telephony 84.51;
        // the 100.00 off spread 33.39 / 9.39 / 30.00 / 27.22 before taxes.
        Assert.Equal([8.01m, 2.25m, 0m, 6.53m], cot.GetProperty("lineas").EnumerateArray().Select(l => l.GetProperty("ieps").GetDecimal()));
        Assert.Equal((900m, 100m, 947.48m, 1065.93m, 6), (cot.GetProperty("subtotal").GetDecimal(), cot.GetProperty("descuento").GetDecimal(),
            cot.GetProperty("total").GetDecimal(), cot.GetProperty("totalRegular").GetDecimal(), cot.GetProperty("mesesPromocion").GetInt32()));
        var sinPromo = (await Get($"api/catalogo/cotizacion?cp=64000&comboId={TriplePlay}&fecha=2026-05-01")).GetProperty("cotizacion");
        Assert.Equal((0m, 1065.93m), (sinPromo.GetProperty("descuento").GetDecimal(), sinPromo.GetProperty("total").GetDecimal()));

        await Problemas.AfirmarAsync(await host.Http.GetAsync($"api/catalogo/cotizacion?zona=MTY_CUMBRES&planId={Cable100}"), HttpStatusCode.UnprocessableEntity, "planId");
        await Problemas.AfirmarAsync(await host.Http.GetAsync($"api/catalogo/cotizacion?zona=MTY_CENTRO"), HttpStatusCode.BadRequest, "planId");
        await Problemas.AfirmarAsync(await host.Http.GetAsync($"api/catalogo/cotizacion?zona=MTY_CENTRO&cp=64000&planId={Fibra500}"), HttpStatusCode.BadRequest, "zona");
        await Problemas.AfirmarAsync(await host.Http.GetAsync($"api/catalogo/cotizacion?zona=MTY_CENTRO&planId=x"), HttpStatusCode.BadRequest, "planId");
        await Problemas.AfirmarAsync(await host.Http.GetAsync($"api/catalogo/cotizacion?zona=MTY_CENTRO&planId={Fibra500}&fecha=ayer"), HttpStatusCode.BadRequest, "fecha");
    }

    [Fact]
    public async Task Administracion_del_catalogo_zona_plan_precio_combo_y_promocion()
    {
        using var admin = await host.ClienteAsync("admin");
        var sufijo = Random.Shared.Next(100000, 999999);
        var clave = $"PRUEBA_{sufijo}";
        var cp = $"7{Random.Shared.Next(1000, 9999)}";
        var zona = await JsonAsync(await admin.SendAsync(Post("api/catalogo/zonas",
            new { clave, nombre = "Zona de prueba", municipioClave = "19039", tecnologias = new[] { "FTTH" }, codigosPostales = new[] { cp } })), HttpStatusCode.Created);
        Assert.Equal(["FTTH"], zona.GetProperty("tecnologias").EnumerateArray().Select(t => t.GetString()));
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/catalogo/zonas",
            new { clave, nombre = "Otra", municipioClave = "19039", tecnologias = new[] { "FTTH" } })), HttpStatusCode.Conflict);
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/catalogo/zonas",
            new { clave = "x y", nombre = "", municipioClave = "1", tecnologias = Array.Empty<string>() })), HttpStatusCode.BadRequest, "municipioClave");
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/catalogo/zonas",
            new { clave = $"Z{sufijo}", nombre = "Z", municipioClave = "19039", tecnologias = new[] { "SATELITE" } })), HttpStatusCode.UnprocessableEntity, "tecnologias");

        var plan = (await JsonAsync(await admin.SendAsync(Post("api/catalogo/planes", new
        {
            clave = $"INT-P-{sufijo}", nombre = "Fibra de prueba", tipo = "internet", tecnologia = "FTTH",
            velocidadBajadaMbps = 200, velocidadSubidaMbps = 200, claveProdServ = "81161700",
        })), HttpStatusCode.Created)).GetProperty("id").GetString();
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/catalogo/planes", new { clave = $"TV-P-{sufijo}", nombre = "TV", tipo = "tv", claveProdServ = "83111801" })), HttpStatusCode.BadRequest, "canales");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(Post($"api/catalogo/planes/{plan}/precios", new { zona = clave, precioMensual = 299.00m, vigenteDesde = "2026-01-01" }))).StatusCode);
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/catalogo/planes/{plan}/precios", new { zona = clave, precioMensual = -1m })), HttpStatusCode.BadRequest, "precioMensual");

        var enZona = (await Get($"api/catalogo/planes?zona={clave}")).GetProperty("elementos")[0];
        Assert.Equal((299.00m, 47.84m, 346.84m), (enZona.GetProperty("precioMensual").GetDecimal(),
            enZona.GetProperty("cotizacion").GetProperty("iva").GetDecimal(), enZona.GetProperty("cotizacion").GetProperty("total").GetDecimal()));

        Assert.Equal(HttpStatusCode.Created, (await admin.SendAsync(Post("api/catalogo/promociones", new
        {
            clave = $"P-{sufijo}", nombre = "50 menos", tipoDescuento = "monto_fijo", valor = 50m, meses = 3,
            vigenteDesde = "2026-01-01", vigenteHasta = "2099-12-31", planId = plan, zona = clave,
        }))).StatusCode);
        var conPromo = (await Get($"api/catalogo/planes?zona={clave}")).GetProperty("elementos")[0].GetProperty("cotizacion");
        Assert.Equal((50m, 39.84m, 288.84m, 3), (conPromo.GetProperty("descuento").GetDecimal(), conPromo.GetProperty("iva").GetDecimal(),
            conPromo.GetProperty("total").GetDecimal(), conPromo.GetProperty("mesesPromocion").GetInt32()));
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/catalogo/promociones", new
        {
            clave = $"Q-{sufijo}", nombre = "x", tipoDescuento = "porcentaje", valor = 150m, meses = 0, vigenteDesde = "2026-02-01", vigenteHasta = "2026-01-01",
        })), HttpStatusCode.BadRequest, "valor");

        var combo = await JsonAsync(await admin.SendAsync(Post("api/catalogo/combos", new
        {
            clave = $"C-{sufijo}", nombre = "Doble de prueba",
            partes = new object[] { new { planId = plan, precioMensual = 280m }, new { planId = "00000000-0000-0000-0000-000000002007", precioMensual = 100m } },
        })), HttpStatusCode.Created);
        var combos = await Get($"api/catalogo/combos?zona={clave}");
        var c = combos.GetProperty("elementos").EnumerateArray().Single(x => x.GetProperty("id").GetString() == combo.GetProperty("id").GetString());
        AfirmarCuadra(c.GetProperty("cotizacion"));
        // Art. 8-IV-d: internet at its standalone 299.00 (not the combo's 280), TV 81.00; 30 % of 380.00 = 114.00 exempt,
        // 185.00 taxed: IEPS 2.43 (TV) + 5.55 (internet above the cap).
        Assert.Equal(7.98m, c.GetProperty("cotizacion").GetProperty("ieps").GetDecimal());
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/catalogo/combos", new { clave = $"D-{sufijo}", nombre = "x", partes = new[] { new { planId = plan, precioMensual = 1m } } })), HttpStatusCode.BadRequest, "partes");
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/catalogo/combos", new { clave = $"E-{sufijo}", nombre = "x",
            partes = new object[] { new { planId = plan, precioMensual = 1e20m }, new { planId = "00000000-0000-0000-0000-000000002007", precioMensual = 1.234m } } })), HttpStatusCode.BadRequest, "partes[0].precioMensual");

        // A customer can now sign up at the new zone's postal code.
        await CrearAsync(admin, Cliente(cp: cp));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(Patch($"api/catalogo/planes/{plan}", new { activo = false }))).StatusCode);
        Assert.Equal(0, (await Get($"api/catalogo/planes?zona={clave}")).GetProperty("total").GetInt64());
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/catalogo/planes/{Guid.NewGuid()}", new { activo = true })), HttpStatusCode.NotFound);

        await Problemas.AfirmarAsync(await host.Http.SendAsync(Post("api/catalogo/planes", new { clave = "X" })), HttpStatusCode.Unauthorized);
        using var soporte = await host.ClienteAsync("soporte");
        await Problemas.AfirmarAsync(await soporte.SendAsync(Post("api/catalogo/zonas", new { clave = "X" })), HttpStatusCode.Forbidden);
    }
}
