using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;
using static Telecable.IntegrationTests.Clientes.Datos;

namespace Telecable.IntegrationTests.Clientes;

[Collection(ColeccionHost.Nombre)]
public sealed class ClientesTests(HostPrueba host)
{
    private Task<long> ContarAsync(string rfc) => host.EscalarAsync<long>("SELECT count(*) FROM clientes WHERE rfc = @rfc", new { rfc });

    /// <summary>Issue 20: "no necesita factura": no RFC, regime or use asked; the record carries the general public's data and
    /// says requiereFactura false (billed with receipts and the global CFDI). A real RFC with requiereFactura false is refused.</summary>
    [Fact]
    public async Task Cliente_que_no_necesita_factura_se_registra_sin_rfc_con_los_datos_de_publico_en_general()
    {
        using var admin = await host.ClienteAsync("admin");
        var cuerpo = Cliente();
        cuerpo.Remove("rfc");
        cuerpo.Remove("regimenFiscal");
        cuerpo.Remove("usoCfdi");
        cuerpo.Remove("cpFiscal");
        cuerpo["requiereFactura"] = false;
        var id = await CrearAsync(admin, cuerpo);
        var c = await JsonAsync(await admin.GetAsync($"api/clientes/{id}"), HttpStatusCode.OK);
        Assert.Equal(("XAXX010101000", "616", "S01", "64000", false), (c.GetProperty("rfc").GetString(), c.GetProperty("regimenFiscal").GetString(),
            c.GetProperty("usoCfdi").GetString(), c.GetProperty("cpFiscal").GetString(), c.GetProperty("requiereFactura").GetBoolean()));
        // A second one: the generic RFC is shared, never a duplicate.
        await CrearAsync(admin, new Dictionary<string, object?>(cuerpo) { ["email"] = $"otro.{Guid.NewGuid():N}@example.com" });

        var conRfc = Cliente();
        conRfc["requiereFactura"] = false;
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/clientes", conRfc, Guid.NewGuid().ToString())), HttpStatusCode.BadRequest, "rfc");
        var normal = await JsonAsync(await admin.GetAsync($"api/clientes/{await CrearAsync(admin)}"), HttpStatusCode.OK);
        Assert.True(normal.GetProperty("requiereFactura").GetBoolean());
    }

    /// <summary>Issue 20: a customer without an RFC of their own gets one through PATCH (from then on billed with individual CFDIs);
    /// an RFC of their own never changes, and another customer's is 409.</summary>
    [Fact]
    public async Task PATCH_da_rfc_propio_a_quien_no_necesitaba_factura_y_no_cambia_uno_propio()
    {
        using var admin = await host.ClienteAsync("admin");
        var cuerpo = Cliente();
        foreach (var k in new[] { "rfc", "regimenFiscal", "usoCfdi", "cpFiscal" }) cuerpo.Remove(k);
        cuerpo["requiereFactura"] = false;
        var id = await CrearAsync(admin, cuerpo);
        var ocupado = Rfc();
        await CrearAsync(admin, Cliente(ocupado));
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { rfc = ocupado, regimenFiscal = "612", usoCfdi = "G03", version = 1 })),
            HttpStatusCode.Conflict);

        var rfc = Rfc();
        var c = await JsonAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { rfc = rfc.ToLowerInvariant(), regimenFiscal = "612", usoCfdi = "G03", version = 1 })),
            HttpStatusCode.OK);
        Assert.Equal((rfc, "612", "G03", true), (c.GetProperty("rfc").GetString(), c.GetProperty("regimenFiscal").GetString(), c.GetProperty("usoCfdi").GetString(),
            c.GetProperty("requiereFactura").GetBoolean()));
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { rfc = Rfc(), version = 2 })), HttpStatusCode.BadRequest, "rfc");
        Assert.Equal(rfc, await host.EscalarAsync<string>("SELECT rfc FROM clientes WHERE id = @id::uuid", new { id }));
    }

    [Fact]
    public async Task Alta_crea_cliente_domicilio_consentimiento_y_eventos_en_una_transaccion()
    {
        using var admin = await host.ClienteAsync("admin");
        var rfc = Rfc();
        var r = await admin.SendAsync(Post("api/clientes", Cliente(rfc), Guid.NewGuid().ToString()));
        var creado = await JsonAsync(r, HttpStatusCode.Created);
        var id = creado.GetProperty("id").GetString()!;
        Assert.Equal($"/api/clientes/{id}", r.Headers.Location?.ToString());
        Assert.True(creado.GetProperty("numeroCliente").GetInt64() > 100000);
        Assert.Equal(Cumbres.Replace("1003", "1001"), creado.GetProperty("zonaId").GetString()); // 64000 is Monterrey Centro

        var g = await admin.GetAsync($"api/clientes/{id}");
        var c = await JsonAsync(g, HttpStatusCode.OK);
        Assert.Equal("\"1\"", g.Headers.ETag?.ToString());
        Assert.Equal(rfc, c.GetProperty("rfc").GetString());
        Assert.Equal("fisica", c.GetProperty("tipoPersona").GetString());
        Assert.Equal("+528112345678", c.GetProperty("telefono").GetString());
        Assert.EndsWith("@example.com", c.GetProperty("email").GetString());
        Assert.Equal("MTY_CENTRO", c.GetProperty("zonaClave").GetString());
        var dom = c.GetProperty("domicilios")[0];
        Assert.Equal(("Monterrey", "Nuevo León", "instalacion"), (dom.GetProperty("municipio").GetString(), dom.GetProperty("estado").GetString(), dom.GetProperty("tipo").GetString()));
        Assert.Equal("2026-01", c.GetProperty("consentimientoVigente").GetProperty("avisoPrivacidadVersion").GetString());
        var eventos = await host.EscalarAsync<string>("SELECT string_agg(tipo, ',' ORDER BY tipo) FROM outbox WHERE agregado_id = @id", new { id });
        Assert.Equal("ClienteCreado,ConsentimientoActualizado", eventos);
    }

    [Fact]
    public async Task Persona_moral_y_RFCs_genericos_se_aceptan_y_genericos_se_repiten()
    {
        using var admin = await host.ClienteAsync("admin");
        var moral = Cliente(Rfc(moral: true));
        moral["regimenFiscal"] = "601";
        var c = await JsonAsync(await admin.GetAsync($"api/clientes/{await CrearAsync(admin, moral)}"), HttpStatusCode.OK);
        Assert.Equal("moral", c.GetProperty("tipoPersona").GetString());
        for (var i = 0; i < 2; i++)
        {
            var generico = Cliente("XAXX010101000");
            generico["regimenFiscal"] = "616";
            generico["usoCfdi"] = "S01";
            await CrearAsync(admin, generico);
        }
        var extranjero = Cliente("XEXX010101000");
        extranjero["regimenFiscal"] = "616";
        extranjero["usoCfdi"] = "S01";
        await CrearAsync(admin, extranjero);
        Assert.True(await ContarAsync("XAXX010101000") >= 2);
    }

    public static TheoryData<string, object?, string> Invalidos => new()
    {
        { "rfc", "GATM900417PC", "rfc" },              // 12 characters but física letters: format
        { "rfc", "GATM900417PC45", "rfc" },            // 14 characters
        { "rfc", "GATM901317PC4", "rfc" },             // month 13
        { "rfc", "GATM900230PC4", "rfc" },             // 30 February
        { "rfc", "GATM900417PC5", "rfc" },             // check digit (valid is PC4)
        { "rfc", "ABC0102039A9", "rfc" },              // moral with wrong check digit (valid is 3)
        { "rfc", null, "rfc" },
        { "nombre", "  ", "nombre" },
        { "email", "juan@@example.com", "email" },
        { "email", "juan@example", "email" },
        { "telefono", "12345", "telefono" },
        { "telefono", "+1 555 123 4567", "telefono" },
        { "telefono", "0112345678", "telefono" },
        { "regimenFiscal", "601", "regimenFiscal" },   // moral regime for a física
        { "regimenFiscal", "999", "regimenFiscal" },
        { "usoCfdi", "D01", "usoCfdi" },               // deductions use, not allowed with regime 626 (set below)
        { "usoCfdi", "ZZZ", "usoCfdi" },
        { "cpFiscal", "6400", "cpFiscal" },
        { "domicilio", null, "domicilio" },
        { "consentimiento", null, "consentimiento" },
    };

    [Theory]
    [MemberData(nameof(Invalidos))]
    public async Task Cada_dato_invalido_es_400_con_su_campo_y_no_escribe_nada(string campo, object? valor, string error)
    {
        using var admin = await host.ClienteAsync("admin");
        var rfc = Rfc();
        var c = Cliente(rfc);
        c[campo] = valor;
        if (campo == "usoCfdi" && (string?)valor == "D01") c["regimenFiscal"] = "626"; // D01 is for 605/606/...: not 626
        var r = await admin.SendAsync(Post("api/clientes", c, Guid.NewGuid().ToString()));
        await Problemas.AfirmarAsync(r, HttpStatusCode.BadRequest, error);
        if (campo != "rfc") Assert.Equal(0, await ContarAsync(rfc));
    }

    [Theory]
    [InlineData("cp", "99999", "domicilio.cp")]      // not in the coverage catalog
    [InlineData("cp", "6400A", "domicilio.cp")]
    [InlineData("calle", "", "domicilio.calle")]
    [InlineData("numeroExterior", null, "domicilio.numeroExterior")]
    public async Task Domicilio_invalido_o_fuera_de_catalogo_es_400(string campo, string? valor, string error)
    {
        using var admin = await host.ClienteAsync("admin");
        var c = Cliente();
        ((Dictionary<string, object?>)c["domicilio"]!)[campo] = valor;
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/clientes", c, Guid.NewGuid().ToString())), HttpStatusCode.BadRequest, error);
    }

    [Fact]
    public async Task Consentimiento_invalido_JSON_malo_y_nulos_son_400()
    {
        using var admin = await host.ClienteAsync("admin");
        var c = Cliente();
        c["consentimiento"] = new { avisoPrivacidadVersion = "", aceptaMarketing = (bool?)null, origen = "fax", ip = "999.1.1.1" };
        var p = await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/clientes", c, Guid.NewGuid().ToString())), HttpStatusCode.BadRequest);
        foreach (var f in new[] { "consentimiento.avisoPrivacidadVersion", "consentimiento.aceptaMarketing", "consentimiento.origen", "consentimiento.ip" })
            Assert.True(p.GetProperty("errors").TryGetProperty(f, out _), f);

        var malo = new HttpRequestMessage(HttpMethod.Post, "api/clientes") { Content = new StringContent("{\"rfc\": 5", System.Text.Encoding.UTF8, "application/json") };
        malo.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        await Problemas.AfirmarAsync(await admin.SendAsync(malo), HttpStatusCode.BadRequest);
        var nulo = Cliente();
        nulo["nombre"] = "JUAN\u0000PEREZ";
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/clientes", nulo, Guid.NewGuid().ToString())), HttpStatusCode.BadRequest, "nombre");
    }

    [Fact]
    public async Task Falla_a_media_alta_no_deja_nada_escrito()
    {
        // A fault injected in the third insert (consent) must roll back the customer and the address.
        await host.EscalarAsync<int>("""
            CREATE OR REPLACE FUNCTION tg_prueba_falla_consentimiento() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.aviso_privacidad_version = 'FALLA-PRUEBA' THEN RAISE EXCEPTION 'falla inyectada'; END IF; RETURN NEW; END $$;
            DROP TRIGGER IF EXISTS tr_prueba_falla ON consentimientos;
            CREATE TRIGGER tr_prueba_falla BEFORE INSERT ON consentimientos FOR EACH ROW EXECUTE FUNCTION tg_prueba_falla_consentimiento();
            SELECT 1;
            """);
        using var admin = await host.ClienteAsync("admin");
        var rfc = Rfc();
        var calle = $"Calle {Guid.NewGuid():N}";
        var c = Cliente(rfc);
        ((Dictionary<string, object?>)c["consentimiento"]!)["avisoPrivacidadVersion"] = "FALLA-PRUEBA";
        ((Dictionary<string, object?>)c["domicilio"]!)["calle"] = calle;
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/clientes", c, Guid.NewGuid().ToString())), HttpStatusCode.InternalServerError);
        Assert.Equal(0, await ContarAsync(rfc));
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM domicilios WHERE calle = @calle", new { calle }));
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE datos->>'rfc' = @rfc", new { rfc }));
    }

    [Fact]
    public async Task RFC_duplicado_es_409_y_RFC_se_normaliza()
    {
        using var admin = await host.ClienteAsync("admin");
        var rfc = Rfc();
        await CrearAsync(admin, Cliente(rfc));
        var p = await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/clientes", Cliente(rfc.ToLowerInvariant().Insert(4, " ")), Guid.NewGuid().ToString())), HttpStatusCode.Conflict);
        Assert.Equal("rfc_duplicado", p.GetProperty("code").GetString());
        Assert.Equal(1, await ContarAsync(rfc));
    }

    [Fact]
    public async Task Misma_clave_repite_la_respuesta_otra_solicitud_422_sin_clave_400()
    {
        using var admin = await host.ClienteAsync("admin");
        var rfc = Rfc();
        var cuerpo = Cliente(rfc);
        var clave = Guid.NewGuid().ToString();
        var r1 = await admin.SendAsync(Post("api/clientes", cuerpo, clave));
        var r2 = await admin.SendAsync(Post("api/clientes", cuerpo, clave));
        Assert.Equal(HttpStatusCode.Created, r1.StatusCode);
        Assert.Equal(HttpStatusCode.Created, r2.StatusCode);
        Assert.Equal(await r1.Content.ReadAsStringAsync(), await r2.Content.ReadAsStringAsync());
        Assert.True(r2.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await ContarAsync(rfc));

        var otro = Cliente(rfc);
        otro["nombre"] = "OTRO NOMBRE";
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/clientes", otro, clave)), HttpStatusCode.UnprocessableEntity);
        await Problemas.AfirmarAsync(await admin.SendAsync(Post("api/clientes", Cliente(), null)), HttpStatusCode.BadRequest, "Idempotency-Key");
    }

    [Fact]
    public async Task Dobles_envios_concurrentes_crean_exactamente_un_cliente()
    {
        using var admin = await host.ClienteAsync("admin");
        // Same key, same body, in parallel: one creation; the others replay it or see it in flight (409).
        var rfc = Rfc();
        var cuerpo = Cliente(rfc);
        var clave = Guid.NewGuid().ToString();
        var mismos = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => admin.SendAsync(Post("api/clientes", cuerpo, clave))));
        Assert.All(mismos, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Contains(mismos, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(1, await ContarAsync(rfc));

        // Different keys, same RFC, in parallel: exactly one 201, the rest 409 rfc_duplicado.
        var rfc2 = Rfc();
        var distintos = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => admin.SendAsync(Post("api/clientes", Cliente(rfc2), Guid.NewGuid().ToString()))));
        Assert.Single(distintos, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(distintos.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(1, await ContarAsync(rfc2));
    }

    [Fact]
    public async Task Roles_401_sin_token_403_rol_equivocado_y_cliente_solo_ve_lo_suyo()
    {
        await Problemas.AfirmarAsync(await host.Http.GetAsync($"api/clientes/{ClienteDemo}"), HttpStatusCode.Unauthorized);
        await Problemas.AfirmarAsync(await host.Http.SendAsync(Post("api/clientes", Cliente(), "k")), HttpStatusCode.Unauthorized);
        using var tecnico = await host.ClienteAsync("tecnico");
        await Problemas.AfirmarAsync(await tecnico.GetAsync($"api/clientes/{ClienteDemo}"), HttpStatusCode.Forbidden);
        using var cobranzas = await host.ClienteAsync("cobranzas");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post("api/clientes", Cliente(), Guid.NewGuid().ToString())), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Patch($"api/clientes/{ClienteDemo}", new { nombre = "X", version = 1 })), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await cobranzas.GetAsync($"api/clientes/{ClienteDemo}/estado")).StatusCode);

        using var cliente = await host.ClienteAsync("cliente");
        Assert.Equal(HttpStatusCode.OK, (await cliente.GetAsync($"api/clientes/{ClienteDemo}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cliente.GetAsync($"api/clientes/{ClienteDemo}/estado")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cliente.GetAsync($"api/clientes/{ClienteDemo}/contratos")).StatusCode);
        foreach (var ruta in new[] { "", "/estado", "/contratos", "/consentimientos" })
            await Problemas.AfirmarAsync(await cliente.GetAsync($"api/clientes/{OtroCliente}{ruta}"), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await cliente.SendAsync(Post($"api/clientes/{OtroCliente}/consentimientos",
            new { avisoPrivacidadVersion = "2026-01", aceptaMarketing = true, origen = "portal_cliente" })), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await cliente.GetAsync("api/clientes?buscar=garza"), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await cliente.SendAsync(Post("api/clientes", Cliente(), Guid.NewGuid().ToString())), HttpStatusCode.Forbidden);

        // A customer token for another customer id sees that one, not the demo customer.
        using var otro = new HttpClient { BaseAddress = host.Http.BaseAddress };
        otro.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.TokenPara("otro", ["cliente"], Guid.Parse(OtroCliente)));
        Assert.Equal(HttpStatusCode.OK, (await otro.GetAsync($"api/clientes/{OtroCliente}")).StatusCode);
        await Problemas.AfirmarAsync(await otro.GetAsync($"api/clientes/{ClienteDemo}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Id_malo_400_inexistente_404()
    {
        using var admin = await host.ClienteAsync("admin");
        await Problemas.AfirmarAsync(await admin.GetAsync("api/clientes/no-es-guid"), HttpStatusCode.BadRequest, "id");
        await Problemas.AfirmarAsync(await admin.GetAsync($"api/clientes/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await admin.GetAsync($"api/clientes/{Guid.NewGuid()}/estado"), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await admin.GetAsync($"api/clientes/{Guid.NewGuid()}/consentimientos"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PATCH_con_concurrencia_optimista()
    {
        using var admin = await host.ClienteAsync("admin");
        var id = await CrearAsync(admin);
        var r = await admin.SendAsync(Patch($"api/clientes/{id}", new { email = "nuevo@example.com", telefono = "+52 1 81 9876 5432" }, "\"1\""));
        var c = await JsonAsync(r, HttpStatusCode.OK);
        Assert.Equal((2, "nuevo@example.com", "+528198765432"), (c.GetProperty("version").GetInt32(), c.GetProperty("email").GetString(), c.GetProperty("telefono").GetString()));
        Assert.Equal("\"2\"", r.Headers.ETag?.ToString());

        var p = await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { nombre = "OTRO" }, "\"1\"")), HttpStatusCode.Conflict);
        Assert.Equal("version_desactualizada", p.GetProperty("code").GetString());
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { nombre = "OTRO", version = 1 })), HttpStatusCode.Conflict);
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { nombre = "OTRO" })), HttpStatusCode.BadRequest, "version");
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { nombre = "OTRO" }, "abc")), HttpStatusCode.BadRequest, "If-Match");
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { usoCfdi = "CN01", version = 2 })), HttpStatusCode.BadRequest, "usoCfdi");
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { estado = "borrado", version = 2 })), HttpStatusCode.BadRequest, "estado");
        await Problemas.AfirmarAsync(await admin.SendAsync(Patch($"api/clientes/{Guid.NewGuid()}", new { nombre = "X", version = 1 })), HttpStatusCode.NotFound);

        var ok = await JsonAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { regimenFiscal = "626", nombre = "JUAN PRUEBA", version = 2 })), HttpStatusCode.OK);
        Assert.Equal((3, "626"), (ok.GetProperty("version").GetInt32(), ok.GetProperty("regimenFiscal").GetString()));
        Assert.Equal(2, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE agregado_id = @id AND tipo = 'ClienteActualizado'", new { id }));
    }

    [Fact]
    public async Task Los_atributos_IEPS_del_articulo_19_se_cambian_por_la_API_y_se_auditan()
    {
        // LIEPS art. 19 fr. II: the itemization is driven by these two attributes; staff set them, never SQL by hand.
        using var admin = await host.ClienteAsync("admin");
        var id = await CrearAsync(admin);
        var antes = await JsonAsync(await admin.GetAsync($"api/clientes/{id}"), HttpStatusCode.OK);
        Assert.Equal((false, false), (antes.GetProperty("contribuyenteIepsTelecom").GetBoolean(), antes.GetProperty("solicitaDesgloseIeps").GetBoolean()));

        var c = await JsonAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { contribuyenteIepsTelecom = true, solicitaDesgloseIeps = true, version = 1 })), HttpStatusCode.OK);
        Assert.Equal((2, true, true), (c.GetProperty("version").GetInt32(), c.GetProperty("contribuyenteIepsTelecom").GetBoolean(), c.GetProperty("solicitaDesgloseIeps").GetBoolean()));
        Assert.Equal((true, true), (await host.EscalarAsync<bool>("SELECT contribuyente_ieps_telecom FROM clientes WHERE id = @id::uuid", new { id }),
            await host.EscalarAsync<bool>("SELECT solicita_desglose_ieps FROM clientes WHERE id = @id::uuid", new { id })));
        Assert.Equal(1, await host.EscalarAsync<long>(
            "SELECT count(*) FROM outbox WHERE agregado_id = @id AND tipo = 'ClienteActualizado' AND datos::text LIKE '%solicitaDesgloseIeps%'", new { id }));

        // One attribute alone leaves the other as it was.
        var d = await JsonAsync(await admin.SendAsync(Patch($"api/clientes/{id}", new { solicitaDesgloseIeps = false, version = 2 })), HttpStatusCode.OK);
        Assert.Equal((true, false), (d.GetProperty("contribuyenteIepsTelecom").GetBoolean(), d.GetProperty("solicitaDesgloseIeps").GetBoolean()));
    }

    [Fact]
    public async Task Busqueda_por_nombre_rfc_email_telefono_numero_zona_y_estado()
    {
        using var admin = await host.ClienteAsync("admin");
        var rfc = Rfc();
        var cuerpo = Cliente(rfc);
        var unico = $"ZZ{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        cuerpo["nombre"] = $"ROSA {unico} LUNA";
        cuerpo["telefono"] = $"81{Random.Shared.Next(10000000, 99999999)}";
        var id = await CrearAsync(admin, cuerpo);
        var c = await JsonAsync(await admin.GetAsync($"api/clientes/{id}"), HttpStatusCode.OK);

        async Task<JsonElement> Buscar(string q) => await JsonAsync(await admin.GetAsync($"api/clientes?{q}"), HttpStatusCode.OK);
        foreach (var q in new[] { unico.ToLowerInvariant(), rfc, rfc[..6], (string)cuerpo["email"]!, (string)cuerpo["telefono"]!, c.GetProperty("numeroCliente").GetInt64().ToString() })
        {
            var pag = await Buscar($"buscar={Uri.EscapeDataString(q)}");
            Assert.Contains(pag.GetProperty("elementos").EnumerateArray(), e => e.GetProperty("id").GetString() == id);
        }
        Assert.Equal(1, (await Buscar($"buscar={unico}&zona=MTY_CENTRO&estado=activo")).GetProperty("total").GetInt64());
        Assert.Equal(0, (await Buscar($"buscar={unico}&zona=MTY_CUMBRES")).GetProperty("total").GetInt64());
        var pagina = await Buscar("tamano=2&pagina=2");
        Assert.Equal(2, pagina.GetProperty("elementos").GetArrayLength());
        Assert.True(pagina.GetProperty("total").GetInt64() > 4);

        await Problemas.AfirmarAsync(await admin.GetAsync("api/clientes?estado=raro"), HttpStatusCode.BadRequest, "estado");
        await Problemas.AfirmarAsync(await admin.GetAsync("api/clientes?buscar=a"), HttpStatusCode.BadRequest, "buscar");
        await Problemas.AfirmarAsync(await admin.GetAsync("api/clientes?buscar=ab%00c"), HttpStatusCode.BadRequest, "buscar");
        await Problemas.AfirmarAsync(await admin.GetAsync("api/clientes?pagina=0"), HttpStatusCode.BadRequest, "pagina");
        await Problemas.AfirmarAsync(await admin.GetAsync("api/clientes?zona=NO_EXISTE"), HttpStatusCode.NotFound);
        Assert.Equal(0, (await Buscar("buscar=100%25_")).GetProperty("total").GetInt64()); // LIKE wildcards are literal
    }

    [Fact]
    public async Task Estado_del_cliente_demo_reune_contrato_saldo_router_y_tickets()
    {
        using var soporte = await host.ClienteAsync("soporte");
        var e = await JsonAsync(await soporte.GetAsync($"api/clientes/{ClienteDemo}/estado"), HttpStatusCode.OK);
        Assert.Equal("MARIANA GARZA TREVIÑO", e.GetProperty("cliente").GetProperty("nombre").GetString());
        var contrato = e.GetProperty("contratos")[0];
        Assert.Equal(("Triple Play Fibra 500", "activo"), (contrato.GetProperty("producto").GetString(), contrato.GetProperty("estado").GetString()));
        var saldo = e.GetProperty("saldo");
        var esperado = await host.EscalarAsync<decimal>("""
            SELECT coalesce(sum(f.total - coalesce((SELECT sum(monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0)), 0)
            FROM facturas f WHERE f.cliente_id = @id AND f.estado = 'timbrada'
            """, new { id = Guid.Parse(ClienteDemo) });
        Assert.Equal(esperado, saldo.GetProperty("facturasPendientes").GetDecimal());
        Assert.Equal(Math.Max(0, esperado - saldo.GetProperty("saldoAFavor").GetDecimal()), saldo.GetProperty("saldoPorPagar").GetDecimal());
        var routers = await host.EscalarAsync<long>("SELECT count(*) FROM routers WHERE cliente_id = @id", new { id = Guid.Parse(ClienteDemo) });
        Assert.Equal(routers, e.GetProperty("routers").GetArrayLength());
        var abiertos = await host.EscalarAsync<long>("SELECT count(*) FROM tickets WHERE cliente_id = @id AND estado NOT IN ('cerrado','cancelado')", new { id = Guid.Parse(ClienteDemo) });
        Assert.Equal(abiertos, e.GetProperty("ticketsAbiertos").GetArrayLength());
    }

    [Fact]
    public async Task Consentimientos_se_agregan_nunca_se_sobrescriben()
    {
        using var admin = await host.ClienteAsync("admin");
        var id = await CrearAsync(admin);
        var r = await admin.SendAsync(Post($"api/clientes/{id}/consentimientos", new { avisoPrivacidadVersion = "2026-06", aceptaMarketing = true, origen = "telefono" }));
        var nuevo = await JsonAsync(r, HttpStatusCode.Created);
        Assert.NotNull(nuevo.GetProperty("ip").GetString()); // taken from the connection when not sent
        var historia = await JsonAsync(await admin.GetAsync($"api/clientes/{id}/consentimientos"), HttpStatusCode.OK);
        Assert.Equal(["2026-06", "2026-01"], historia.GetProperty("elementos").EnumerateArray().Select(x => x.GetProperty("avisoPrivacidadVersion").GetString()));
        var vigente = (await JsonAsync(await admin.GetAsync($"api/clientes/{id}"), HttpStatusCode.OK)).GetProperty("consentimientoVigente");
        Assert.True(vigente.GetProperty("aceptaMarketing").GetBoolean());
        Assert.Equal(2, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE agregado_id = @id AND tipo = 'ConsentimientoActualizado'", new { id }));

        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{id}/consentimientos", new { avisoPrivacidadVersion = "x", origen = "fax" })), HttpStatusCode.BadRequest, "consentimiento.origen");
        await Problemas.AfirmarAsync(await admin.SendAsync(Post($"api/clientes/{Guid.NewGuid()}/consentimientos", new { avisoPrivacidadVersion = "x", aceptaMarketing = true, origen = "telefono" })), HttpStatusCode.NotFound);
        using var cliente = await host.ClienteAsync("cliente");
        Assert.Equal(HttpStatusCode.Created, (await cliente.SendAsync(Post($"api/clientes/{ClienteDemo}/consentimientos",
            new { avisoPrivacidadVersion = "2026-06", aceptaMarketing = false, origen = "portal_cliente" }))).StatusCode);
    }
}
