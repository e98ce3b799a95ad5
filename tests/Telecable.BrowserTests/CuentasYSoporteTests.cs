using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Telecable.BrowserTests.Infraestructura;

namespace Telecable.BrowserTests;

/// <summary>
/// Issue 21 in a real browser: a customer signs up, follows the request, creates their account, activates it with the
/// code sent to their channel, signs in, sees the first invoice and pays it; password reset; lockout; a double click opens one ticket; the support lifecycle
/// between the customer (browser) and an agent (API); the new pages show no ids or state codes and fit 375 px.
/// </summary>
[Collection(ColeccionNavegador.Nombre)]
public sealed partial class CuentasYSoporteTests(HostNavegador host)
{
    private const string Password = "mi frase de acceso 2026";

    [GeneratedRegex(@"\b(\d{6})\b")]
    private static partial Regex SeisDigitos();

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex Uuid();

    [GeneratedRegex(@"\b[a-z]+_[a-z_]+\b")]
    private static partial Regex SnakeCase();

    private async Task<HttpClient> ApiAsync(string usuario)
    {
        var http = new HttpClient { BaseAddress = new Uri(host.UrlBase), Timeout = TimeSpan.FromSeconds(60) };
        var r = await http.PostAsJsonAsync("api/auth/token", new { usuario, password = HostNavegador.Password });
        r.EnsureSuccessStatusCode();
        var t = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", t);
        return http;
    }

    /// <summary>A customer as onboarding leaves them (created by staff through the API), with a fresh e-mail.</summary>
    private async Task<string> ClienteNuevoAsync()
    {
        using var admin = await ApiAsync("admin");
        var email = $"cuenta.{Guid.NewGuid():N}@ejemplo.mx";
        var rfc = RfcNuevo();
        using var m = new HttpRequestMessage(HttpMethod.Post, "api/clientes")
        {
            Content = JsonContent.Create(new
            {
                nombre = "ROSA MARTÍNEZ LUNA", rfc, email, telefono = "8119876543", regimenFiscal = "612", usoCfdi = "G03", cpFiscal = "64000",
                domicilio = new { calle = "Av. Juárez", numeroExterior = "10", colonia = "Centro", cp = "64000" },
                consentimiento = new { avisoPrivacidadVersion = "2026-01", aceptaMarketing = false, origen = "backoffice" },
            }),
        };
        m.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var r = await admin.SendAsync(m);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return email;
    }

    private async Task<string> CodigoAsync(string email, string plantilla)
    {
        using var admin = await ApiAsync("admin");
        var lista = JsonDocument.Parse(await admin.GetStringAsync($"api/email-mock/mensajes?destino={Uri.EscapeDataString(email)}")).RootElement;
        var m = lista.GetProperty("elementos").EnumerateArray().First(x => x.GetProperty("plantilla").GetString() == plantilla);
        return SeisDigitos().Match(m.GetProperty("cuerpo").GetString()!).Groups[1].Value;
    }

    private static async Task IngresarConCuentaAsync(IPage p, string usuario, string password)
    {
        await p.GotoAsync("/portal-cliente/#/ingresar");
        await p.GetByLabel("Usuario").FillAsync(usuario);
        await p.GetByLabel("Contraseña", new() { Exact = true }).FillAsync(password);
        await p.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
    }

    private async Task<string> CuentaActivaEnElNavegadorAsync(IPage p)
    {
        var email = await ClienteNuevoAsync();
        await p.GotoAsync("/portal-cliente/#/ingresar");
        await p.GetByRole(AriaRole.Link, new() { Name = "Crear mi cuenta" }).ClickAsync();
        await p.GetByLabel("Correo electrónico").FillAsync(email);
        await p.GetByLabel("Contraseña nueva").FillAsync(Password);
        await p.GetByLabel("Confirme la contraseña").FillAsync(Password);
        await p.GetByRole(AriaRole.Button, new() { Name = "Crear cuenta" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Activar mi cuenta" })).ToBeVisibleAsync();
        await Expect(p.GetByLabel("Correo electrónico")).ToHaveValueAsync(email);
        await p.GetByLabel("Código de 6 dígitos").FillAsync(await CodigoAsync(email, "cuenta_verificacion"));
        await p.GetByRole(AriaRole.Button, new() { Name = "Activar cuenta" }).ClickAsync();
        await Expect(p.GetByText("Su cuenta está activa.")).ToBeVisibleAsync();
        return email;
    }

    [Fact]
    public async Task Crea_su_cuenta_la_activa_con_el_codigo_e_ingresa_a_su_cuenta()
    {
        var p = await host.PaginaAsync();
        var email = await CuentaActivaEnElNavegadorAsync(p);
        await Pasos.CapturarAsync(p, "cuentas-activada");
        await p.GetByRole(AriaRole.Link, new() { Name = "Iniciar sesión" }).First.ClickAsync();
        await IngresarConCuentaAsync(p, email, Password);
        await Expect(p.Locator("#sesion")).ToContainTextAsync("ROSA MARTÍNEZ LUNA");
        await Expect(Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Mis facturas" })).ToBeVisibleAsync();
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Mis tickets" }).ClickAsync();
        await Expect(p.GetByText("No tiene tickets.")).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    /// <summary>
    /// The whole first journey of issue 21's Done-when, in the browser where a person acts: signs up in the portal (coverage,
    /// plan, data, address, terms, date), follows the request until it is done, creates the account, activates it with the
    /// code sent by e-mail, signs in, sees the first invoice and pays it by card. What staff do in between (install the
    /// router, bill the month) goes through the API as their portals would.
    /// </summary>
    [Fact]
    public async Task Se_da_de_alta_activa_su_cuenta_entra_ve_su_primera_factura_y_la_paga()
    {
        var p = await host.PaginaAsync();
        var email = $"alta.{Guid.NewGuid():N}@ejemplo.mx";
        await p.GotoAsync("/portal-cliente/#/cobertura");
        await p.GetByLabel("Código postal").FillAsync("64000");
        await p.GetByRole(AriaRole.Button, new() { Name = "Consultar cobertura" }).ClickAsync();
        await p.GetByRole(AriaRole.Link, new() { Name = "Ver planes disponibles" }).ClickAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Contratar Fibra 100 Mbps" }).ClickAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Siguiente" }).ClickAsync();
        await p.GetByLabel("Nombre completo o razón social").FillAsync("ELENA CASTRO VILLARREAL");
        await p.GetByLabel("RFC").FillAsync(RfcNuevo());
        await p.GetByLabel("Correo electrónico").FillAsync(email);
        await p.GetByLabel("Teléfono (10 dígitos)").FillAsync("8112345678");
        await p.GetByLabel("Código postal fiscal").FillAsync("64000");
        await p.GetByRole(AriaRole.Button, new() { Name = "Siguiente" }).ClickAsync();
        await Pasos.LlenarDomicilioYConsentimientosAsync(p, "Av. Constitución", "200");
        await p.GetByRole(AriaRole.Button, new() { Name = "Enviar solicitud" }).ClickAsync();

        // The request page follows the saga by itself until it is done, then offers the account.
        await Expect(p.GetByText("Ya es cliente de Telecable.")).ToBeVisibleAsync(new() { Timeout = 90_000 });
        var alta = await p.EvaluateAsync<string>("() => sessionStorage.getItem('telecable.ultimaAlta')");
        await p.GetByRole(AriaRole.Link, new() { Name = "Crear mi cuenta" }).ClickAsync();
        await p.GetByLabel("Correo electrónico").FillAsync(email);
        await p.GetByLabel("Contraseña nueva").FillAsync(Password);
        await p.GetByLabel("Confirme la contraseña").FillAsync(Password);
        await p.GetByRole(AriaRole.Button, new() { Name = "Crear cuenta" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Activar mi cuenta" })).ToBeVisibleAsync();
        await p.GetByLabel("Código de 6 dígitos").FillAsync(await CodigoAsync(email, "cuenta_verificacion"));
        await p.GetByRole(AriaRole.Button, new() { Name = "Activar cuenta" }).ClickAsync();
        await Expect(p.GetByText("Su cuenta está activa.")).ToBeVisibleAsync();

        // Staff: the technician installs the router (the contract starts), then the month is billed.
        using (var admin = await ApiAsync("admin"))
        {
            var ticket = JsonDocument.Parse(await admin.GetStringAsync($"api/altas/{Uri.EscapeDataString(alta)}")).RootElement.GetProperty("ticketId").GetString();
            foreach (var estado in new[] { "en_camino", "en_sitio", "instalado" })
            {
                var r = await admin.PatchAsJsonAsync($"api/tickets/{ticket}/progreso",
                    new { estado, serialRouter = estado == "instalado" ? $"ZTE{Guid.NewGuid():N}"[..16].ToUpperInvariant() : null });
                Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            }
        }
        // Next month: a period no other test bills, so this run is the one that bills the new contract.
        var periodo = DateTime.UtcNow.AddMonths(1).ToString("yyyy-MM");
        await DatosDemo.FacturarPeriodoAsync(host.UrlBase, periodo);

        await p.GetByRole(AriaRole.Link, new() { Name = "Iniciar sesión" }).First.ClickAsync();
        await IngresarConCuentaAsync(p, email, Password);
        await Expect(p.Locator("#sesion")).ToContainTextAsync("ELENA CASTRO VILLARREAL");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Mis facturas" }).ClickAsync();
        var facturas = p.GetByRole(AriaRole.Table, new() { Name = "Mis facturas" });
        await Expect(facturas.GetByRole(AriaRole.Row)).ToHaveCountAsync(2); // the header and the first invoice
        var fila = facturas.GetByRole(AriaRole.Row).Filter(new() { HasText = periodo });
        await Expect(fila).ToContainTextAsync(" MXN");
        await Pasos.CapturarAsync(p, "cuentas-primera-factura");
        await fila.GetByRole(AriaRole.Button, new() { Name = "Pagar con tarjeta" }).ClickAsync();
        await Expect(p.GetByText("recibido (referencia")).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "cuentas-primera-factura-pagada");
    }

    /// <summary>A valid RFC of a person nobody has used yet (the anonymous sign-up may not reuse an existing customer).</summary>
    private static string RfcNuevo()
    {
        var letras = string.Concat(Enumerable.Range(0, 4).Select(_ => (char)('A' + Random.Shared.Next(26))));
        var sinDv = $"{letras}{Random.Shared.Next(50, 99):00}0{Random.Shared.Next(1, 9)}1{Random.Shared.Next(0, 9)}A{Random.Shared.Next(10)}";
        return sinDv + Telecable.Domain.Identidad.Rfc.CalcularDigitoVerificador(sinDv);
    }

    [Fact]
    public async Task Cinco_intentos_fallidos_bloquean_y_restablecer_la_contrasena_permite_entrar()
    {
        var p = await host.PaginaAsync();
        var email = await CuentaActivaEnElNavegadorAsync(p);
        for (var i = 0; i < 5; i++)
        {
            await IngresarConCuentaAsync(p, email, "no es mi contraseña");
            await Expect(p.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        }
        await Expect(p.GetByRole(AriaRole.Alert)).ToContainTextAsync("Demasiados intentos fallidos");
        // Data typed stays on the form after an error.
        await Expect(p.GetByLabel("Usuario")).ToHaveValueAsync(email);
        await Pasos.CapturarAsync(p, "cuentas-bloqueada");

        await p.GetByRole(AriaRole.Link, new() { Name = "Olvidé mi contraseña" }).ClickAsync();
        await p.GetByLabel("Usuario o correo electrónico").FillAsync(email);
        await p.GetByRole(AriaRole.Button, new() { Name = "Enviar código" }).ClickAsync();
        await Expect(p.GetByLabel("Código de 6 dígitos")).ToBeVisibleAsync(); // shown once the code was sent
        await p.GetByLabel("Código de 6 dígitos").FillAsync(await CodigoAsync(email, "cuenta_restablecimiento"));
        const string nueva = "otra frase distinta 77";
        await p.GetByLabel("Contraseña nueva").FillAsync(nueva);
        await p.GetByLabel("Confirme la contraseña").FillAsync(nueva);
        await p.GetByRole(AriaRole.Button, new() { Name = "Cambiar contraseña" }).ClickAsync();
        await Expect(p.GetByText("Su contraseña cambió.")).ToBeVisibleAsync();
        await IngresarConCuentaAsync(p, email, nueva);
        await Expect(p.Locator("#sesion")).ToContainTextAsync("Cerrar sesión");
    }

    [Fact]
    public async Task Doble_clic_en_abrir_ticket_abre_uno_solo_y_el_ciclo_de_soporte_llega_a_cerrado()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Soporte" }).ClickAsync();
        var descripcion = $"Sin internet desde la mañana {Guid.NewGuid():N}"[..44];
        await p.GetByLabel("Descripción").FillAsync(descripcion);
        await p.GetByRole(AriaRole.Button, new() { Name = "Abrir ticket" }).DblClickAsync();
        await Expect(p.GetByText("abierto.").First).ToBeVisibleAsync();

        using var soporte = await ApiAsync("soporte");
        var tickets = JsonDocument.Parse(await soporte.GetStringAsync("api/tickets?tamano=500")).RootElement.GetProperty("elementos").EnumerateArray()
            .Where(t => t.GetProperty("descripcion").GetString() == descripcion).ToList();
        Assert.Single(tickets);
        var id = tickets[0].GetProperty("id").GetString();

        // The agent works it through the API; the customer sees it in words and confirms the solution.
        Assert.True((await soporte.PostAsJsonAsync($"api/tickets/{id}/asignacion", new { agente = "soporte" })).IsSuccessStatusCode);
        Assert.True((await soporte.PostAsJsonAsync($"api/tickets/{id}/atencion", new { })).IsSuccessStatusCode);
        Assert.True((await soporte.PostAsJsonAsync($"api/tickets/{id}/notas", new { texto = "Nodo saturado, ver con red", interna = true })).IsSuccessStatusCode);
        Assert.True((await soporte.PostAsJsonAsync($"api/tickets/{id}/resolucion", new { motivo = "Reiniciamos su puerto en la central." })).IsSuccessStatusCode);

        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Mis tickets" }).ClickAsync();
        var tarjeta = p.GetByRole(AriaRole.Article).Filter(new() { HasText = descripcion });
        await Expect(tarjeta).ToContainTextAsync("Resuelto: confirme si quedó bien");
        await tarjeta.GetByText("Mensajes").ClickAsync();
        await Expect(tarjeta).ToContainTextAsync("Reiniciamos su puerto en la central.");
        await Expect(tarjeta).Not.ToContainTextAsync("Nodo saturado");
        await Pasos.CapturarAsync(p, "soporte-resuelto");
        await tarjeta.GetByRole(AriaRole.Button, new() { Name = "Sí, quedó resuelto" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Article).Filter(new() { HasText = descripcion })).ToContainTextAsync("Cerrado");
    }

    [Fact]
    public async Task Las_paginas_nuevas_no_muestran_ids_ni_codigos_y_caben_en_375px()
    {
        var p = await host.PaginaAsync(telefono: true);
        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
        foreach (var vista in new[] { "mis-tickets", "ayuda", "crear-cuenta", "verificar-cuenta", "restablecer" })
        {
            await p.GotoAsync($"/portal-cliente/#/{vista}");
            await Expect(p.Locator("main h2")).Not.ToHaveTextAsync("Cargando…");
            await p.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var texto = await p.Locator("main").InnerTextAsync();
            Assert.False(Uuid().IsMatch(texto), $"{vista} muestra un identificador: {Uuid().Match(texto).Value}");
            Assert.False(SnakeCase().IsMatch(texto), $"{vista} muestra un código: {SnakeCase().Match(texto).Value}");
            var desborde = await p.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(desborde <= 0, $"{vista} se desborda {desborde}px a lo ancho en 375px.");
            await Pasos.CapturarAsync(p, $"cuentas-{vista}-telefono");
        }
    }
}
