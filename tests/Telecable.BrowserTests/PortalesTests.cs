using Telecable.BrowserTests.Infraestructura;

namespace Telecable.BrowserTests;

/// <summary>
/// The four portals in headless Chromium against the real local host: sign-in per role, navigation by
/// role, errors rendered from real API answers, phone layout and keyboard use. Screenshots go to
/// reports/screenshots/.
/// </summary>
[Collection(ColeccionNavegador.Nombre)]
public sealed class PortalesTests(HostNavegador host)
{
    [Theory]
    [InlineData("portal-cliente", "cliente", "Cliente Demo", "Mis facturas")]
    [InlineData("portal-tecnico", "tecnico", "Tomás Técnico", "Tickets de hoy")]
    [InlineData("backoffice", "soporte", "Sofía Soporte", "Clientes")]
    [InlineData("backoffice", "admin", "Ana Administradora", "Flota de routers")]
    [InlineData("portal-facturacion", "cobranzas", "Carlos Cobranzas", "Corridas")]
    [InlineData("portal-facturacion", "admin", "Ana Administradora", "Conciliaciones")]
    public async Task Cada_rol_inicia_sesion_en_su_portal_y_ve_sus_secciones(string portal, string usuario, string nombre, string seccion)
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, portal, usuario);

        await Expect(p.Locator("#sesion")).ToContainTextAsync(nombre);
        await Expect(Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = seccion })).ToBeVisibleAsync();
        Assert.False(string.IsNullOrEmpty(await p.EvaluateAsync<string?>("sessionStorage.getItem('telecable.token')")));
        Assert.Equal(usuario, await p.EvaluateAsync<string>("JSON.parse(sessionStorage.getItem('telecable.usuario')).sujeto"));
        await Pasos.CapturarAsync(p, $"{portal}-{usuario}");
    }

    [Fact]
    public async Task El_portal_del_cliente_ofrece_lo_publico_sin_sesion_y_lo_del_cliente_solo_con_sesion()
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync("/portal-cliente/");
        var nav = Pasos.Navegacion(p);
        await Expect(nav.GetByRole(AriaRole.Link)).ToHaveTextAsync(["Cobertura", "Planes", "Contratar", "Seguimiento", "Ayuda"]);
        await Expect(p.GetByLabel("Código postal")).ToBeVisibleAsync();
        await Pasos.CapturarAsync(p, "portal-cliente-publico");

        // A customer-only section asked by URL without a session leads to sign-in.
        await p.GotoAsync("/portal-cliente/#/facturas");
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Iniciar sesión" })).ToBeVisibleAsync();

        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
        await Expect(nav.GetByRole(AriaRole.Link)).ToHaveTextAsync(["Cobertura", "Planes", "Contratar", "Seguimiento", "Mi cuenta", "Mis facturas", "Cómo pagar", "Mi router", "Soporte", "Mis tickets", "Ayuda"]);
    }

    [Theory]
    [InlineData("backoffice", "cobranzas")]
    [InlineData("backoffice", "cliente")]
    [InlineData("portal-facturacion", "tecnico")]
    [InlineData("portal-facturacion", "soporte")]
    [InlineData("portal-tecnico", "cobranzas")]
    public async Task Un_rol_sin_acceso_ve_no_tiene_permiso_y_ninguna_seccion(string portal, string usuario)
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, portal, usuario);

        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "No tiene permiso" })).ToBeVisibleAsync();
        await Expect(Pasos.Navegacion(p)).ToBeHiddenAsync();
        await Expect(p.GetByRole(AriaRole.Button, new() { Name = "Cerrar sesión e ingresar con otro usuario" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Una_contrasena_incorrecta_muestra_el_detalle_del_problema_de_la_api()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarSinEsperarAsync(p, "backoffice", "admin", "equivocada");

        var alerta = p.GetByRole(AriaRole.Alert);
        await Expect(alerta).ToContainTextAsync("No autenticado");
        await Expect(alerta).ToContainTextAsync("Usuario o contraseña incorrectos.");
        Assert.Null(await p.EvaluateAsync<string?>("sessionStorage.getItem('telecable.token')"));
        await Pasos.CapturarAsync(p, "backoffice-error-contrasena");
    }

    [Fact]
    public async Task Los_errores_de_campo_de_la_api_aparecen_junto_a_su_campo()
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync("/portal-facturacion/#/ingresar");
        await p.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();

        // The form has novalidate: the 400 problem+json of POST /api/auth/token names both fields.
        foreach (var campo in new[] { "usuario", "password" })
        {
            var control = p.Locator($"#{campo}");
            await Expect(control).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(control).ToHaveAttributeAsync("aria-describedby", $"{campo}-error");
            await Expect(p.Locator($"#{campo} + .error-campo")).Not.ToBeEmptyAsync();
        }
        await Expect(p.Locator("#usuario")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Un_401_de_la_api_devuelve_al_inicio_de_sesion()
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync("/backoffice/#/ingresar");
        await p.EvaluateAsync("""
            sessionStorage.setItem('telecable.token', 'token.que.no.vale');
            sessionStorage.setItem('telecable.usuario', JSON.stringify({ sujeto: 'admin', nombre: 'Ana', roles: ['admin'] }));
            """);
        await p.GotoAsync("/backoffice/#/eventos"); // GET /api/eventos answers 401

        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Iniciar sesión" })).ToBeVisibleAsync();
        await Expect(p.Locator(".aviso")).ToHaveTextAsync("Su sesión terminó. Inicie sesión de nuevo.");
        Assert.Null(await p.EvaluateAsync<string?>("sessionStorage.getItem('telecable.token')"));
    }

    [Fact]
    public async Task Un_403_de_la_api_se_muestra_como_no_tiene_permiso()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");

        // GET /api/eventos is for admin and soporte: the customer's token gets a real 403 problem+json.
        var status = await p.EvaluateAsync<int>("""
            async () => {
              const { api } = await import('/comun/api.js');
              const { mostrarError } = await import('/comun/ui.js');
              try { await api.get('/api/eventos'); return 200; }
              catch (e) { mostrarError(document.querySelector('#contenido'), e); return e.status; }
            }
            """);

        Assert.Equal(403, status);
        await Expect(p.GetByRole(AriaRole.Alert)).ToContainTextAsync("No tiene permiso");
        Assert.False(string.IsNullOrEmpty(await p.EvaluateAsync<string?>("sessionStorage.getItem('telecable.token')")));
    }

    [Theory]
    [InlineData("portal-cliente", "cliente")]
    [InlineData("portal-tecnico", "tecnico")]
    [InlineData("backoffice", "soporte")]
    [InlineData("portal-facturacion", "cobranzas")]
    public async Task En_un_telefono_la_pagina_cabe_a_lo_ancho_y_los_controles_son_tocables(string portal, string usuario)
    {
        var p = await host.PaginaAsync(telefono: true);
        await p.GotoAsync($"/{portal}/#/ingresar");
        await Pasos.CapturarAsync(p, $"{portal}-telefono-ingreso");
        await Pasos.IngresarAsync(p, portal, usuario);
        await Expect(Pasos.Navegacion(p)).ToBeVisibleAsync();

        var desborde = await p.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(desborde <= 0, $"La página se desborda {desborde}px a lo ancho en 375px.");
        var altoBoton = await p.GetByRole(AriaRole.Button, new() { Name = "Cerrar sesión" }).EvaluateAsync<double>("b => b.getBoundingClientRect().height");
        Assert.True(altoBoton >= 44, $"El botón mide {altoBoton}px de alto (mínimo tocable 44px).");
        await Pasos.CapturarAsync(p, $"{portal}-telefono");
    }

    [Theory]
    [InlineData("backoffice", "admin")]
    [InlineData("portal-tecnico", "tecnico")]
    public async Task Con_el_teclado_se_salta_al_contenido_y_se_inicia_sesion(string portal, string usuario)
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync($"/{portal}/");
        await Expect(p.GetByLabel("Usuario")).ToBeVisibleAsync();

        await p.Keyboard.PressAsync("Tab");
        await Expect(p.GetByRole(AriaRole.Link, new() { Name = "Saltar al contenido" })).ToBeFocusedAsync();
        var contorno = await p.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle");
        Assert.NotEqual("none", contorno);
        await p.Keyboard.PressAsync("Enter");
        await Expect(p.Locator("main#contenido")).ToBeFocusedAsync();

        for (var i = 0; i < 10 && await p.EvaluateAsync<string>("document.activeElement.id") != "usuario"; i++)
            await p.Keyboard.PressAsync("Tab");
        await Expect(p.GetByLabel("Usuario")).ToBeFocusedAsync();
        await p.Keyboard.TypeAsync(usuario);
        await p.Keyboard.PressAsync("Tab");
        await Expect(p.GetByLabel("Contraseña")).ToBeFocusedAsync();
        await p.Keyboard.TypeAsync(HostNavegador.Password);
        await p.Keyboard.PressAsync("Enter");

        await Expect(p.Locator("#sesion")).ToContainTextAsync("Cerrar sesión");
        await Expect(p.Locator("#estado")).ToHaveAttributeAsync("aria-live", "polite");
    }

    [Fact]
    public async Task El_alta_valida_en_linea_el_rfc_con_digito_verificador_el_telefono_y_el_cp()
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync("/portal-cliente/#/cobertura");
        await p.EvaluateAsync("""sessionStorage.setItem('telecable.alta', JSON.stringify({ cp: '64000', zona: 'z', plan: { id: 'p', nombre: 'Fibra 100 Mbps' }, paso: 1 }))""");
        await p.GotoAsync("/portal-cliente/#/alta");
        await p.ReloadAsync(); // the portal reads the draft from sessionStorage when it loads

        var rfc = p.GetByLabel("RFC");
        await rfc.FillAsync("GODE561231GR9");
        await rfc.BlurAsync();
        await Expect(p.Locator("#c-rfc-error")).ToHaveTextAsync("El dígito verificador del RFC no coincide.");
        await rfc.FillAsync("GODE561231GR8");
        await rfc.BlurAsync();
        await Expect(p.Locator("#c-rfc-error")).ToHaveCountAsync(0);
        await Expect(rfc).Not.ToHaveAttributeAsync("aria-invalid", "true");

        await p.GetByLabel("Teléfono (10 dígitos)").FillAsync("81123");
        await p.GetByLabel("Código postal fiscal").FillAsync("640");
        await p.GetByRole(AriaRole.Button, new() { Name = "Siguiente" }).ClickAsync();
        await Expect(p.Locator("#c-telefono-error")).ToHaveTextAsync("El teléfono debe tener 10 dígitos.");
        await Expect(p.Locator("#c-cpFiscal-error")).ToHaveTextAsync("El código postal debe tener 5 dígitos.");
        await Expect(p.Locator("#c-email-error")).ToHaveTextAsync("Escriba un correo electrónico válido.");
        await Expect(p.GetByLabel("Nombre completo o razón social")).ToBeFocusedAsync();
        await Expect(p.Locator(".pasos [aria-current=step]")).ToHaveTextAsync("2. Datos personales y fiscales");
        await Pasos.CapturarAsync(p, "portal-cliente-alta-validacion");
    }

    [Fact]
    public async Task Dinero_y_fechas_salen_en_es_MX_y_hora_de_la_Ciudad_de_Mexico()
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync("/");
        var r = await p.EvaluateAsync<string[]>("""
            async () => { const f = await import('/comun/formato.js');
              return [f.dinero(1234.5), f.dinero('0.5'), f.fecha('2026-01-15T18:00:00Z'), f.dia('2026-03-01')]; }
            """);
        Assert.Equal("$1,234.50 MXN", r[0]);
        Assert.Equal("$0.50 MXN", r[1]);
        Assert.Contains("15 ene 2026", r[2]);
        Assert.Contains("12:00", r[2]); // 18:00 UTC is noon in Mexico City (UTC-6, no DST since 2022)
        Assert.Equal("1 mar 2026", r[3]);
    }

    [Fact]
    public async Task La_portada_enlaza_los_cuatro_portales_y_todos_tienen_favicon()
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync("/");
        foreach (var nombre in new[] { "Portal del cliente", "Portal del técnico", "Backoffice", "Portal de facturación" })
            await Expect(p.GetByRole(AriaRole.Link, new() { Name = nombre })).ToBeVisibleAsync();
        await Pasos.CapturarAsync(p, "portada");
        var favicon = await p.APIRequest.GetAsync("/favicon.svg");
        Assert.Equal(200, favicon.Status);
        foreach (var portal in Pasos.Portales)
        {
            var r = await p.APIRequest.GetAsync($"/{portal}/");
            Assert.Equal(200, r.Status);
            Assert.Contains("""<link rel="icon" href="/favicon.svg" """, await r.TextAsync());
        }
    }
}
