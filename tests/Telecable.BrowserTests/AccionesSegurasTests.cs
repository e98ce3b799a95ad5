using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.BrowserTests.Infraestructura;

namespace Telecable.BrowserTests;

/// <summary>
/// Issue 21 in the customer portal: customers never see an invoice that is not issued; a destructive action asks first
/// (and «No» leaves everything as it was); a field's error goes away as soon as the field changes; a sign-up rejected
/// by the server for a field of an earlier step goes back to that step with everything typed and names the field.
/// </summary>
[Collection(ColeccionNavegador.Nombre)]
public sealed class AccionesSegurasTests(HostNavegador host)
{
    [Fact]
    public async Task El_cliente_no_ve_facturas_en_borrador_ni_sin_timbrar()
    {
        var folio = 800_000_000 + Random.Shared.Next(1_000_000);
        var db = host.ServiciosHost.GetRequiredService<NpgsqlDataSource>();
        await using (var cmd = db.CreateCommand($"""
            INSERT INTO facturas (serie, folio, cliente_id, contrato_id, subtotal, iva, total, metodo_pago, forma_pago, uso_cfdi, estado)
            VALUES ('A', {folio}, '00000000-0000-0000-0000-00000000c001', '00000000-0000-0000-0000-00000000b001',
                    100.00, 16.00, 116.00, 'PPD', '99', 'G03', 'borrador')
            """))
            await cmd.ExecuteNonQueryAsync();

        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Mis facturas" }).ClickAsync();
        var facturas = p.GetByRole(AriaRole.Table, new() { Name = "Mis facturas" });
        await Expect(facturas).ToContainTextAsync("MXN");
        await Expect(facturas).Not.ToContainTextAsync($"A{folio}");
        await Expect(facturas).Not.ToContainTextAsync("Borrador");
    }

    [Fact]
    public async Task Cancelar_un_ticket_pide_confirmacion_y_No_lo_deja_como_estaba()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Soporte" }).ClickAsync();
        var descripcion = $"El control remoto no responde {Guid.NewGuid():N}"[..40];
        await p.GetByLabel("Descripción").FillAsync(descripcion);
        await p.GetByRole(AriaRole.Button, new() { Name = "Abrir ticket" }).ClickAsync();
        await Expect(p.GetByText("abierto.").First).ToBeVisibleAsync();

        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Mis tickets" }).ClickAsync();
        var tarjeta = p.GetByRole(AriaRole.Article).Filter(new() { HasText = descripcion });
        await tarjeta.GetByRole(AriaRole.Button, new() { Name = "Cancelar ticket" }).ClickAsync();
        var dialogo = p.GetByRole(AriaRole.Dialog);
        await Expect(dialogo).ToContainTextAsync("¿Cancelar el ticket");
        await Expect(dialogo.GetByRole(AriaRole.Button, new() { Name = "No, conservarlo" })).ToBeFocusedAsync();
        await Pasos.CapturarAsync(p, "confirmacion-cancelar-ticket");
        await dialogo.GetByRole(AriaRole.Button, new() { Name = "No, conservarlo" }).ClickAsync();
        await Expect(dialogo).ToHaveCountAsync(0);
        await Expect(tarjeta).ToContainTextAsync("Abierto");

        await tarjeta.GetByRole(AriaRole.Button, new() { Name = "Cancelar ticket" }).ClickAsync();
        await p.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Sí, cancelar el ticket" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Article).Filter(new() { HasText = descripcion })).ToContainTextAsync("Cancelado");
    }

    [Fact]
    public async Task El_error_de_un_campo_desaparece_en_cuanto_se_corrige()
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync("/portal-cliente/#/cobertura");
        await p.GetByRole(AriaRole.Button, new() { Name = "Consultar cobertura" }).ClickAsync();
        var cp = p.GetByLabel("Código postal");
        await Expect(cp).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(p.Locator("#c-cp-error")).ToHaveTextAsync("El código postal debe tener 5 dígitos.");
        await cp.PressSequentiallyAsync("6");
        await Expect(p.Locator("#c-cp-error")).ToHaveCountAsync(0);
        await Expect(cp).Not.ToHaveAttributeAsync("aria-invalid", "true");
    }

    [Fact]
    public async Task Un_rechazo_del_servidor_vuelve_al_paso_del_campo_con_lo_escrito_y_lo_nombra()
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync("/portal-cliente/#/cobertura");
        await p.EvaluateAsync("""
            sessionStorage.setItem('telecable.alta', JSON.stringify({ cp: '64000', zona: 'z', plan: { id: '00000000-0000-0000-0000-000000002001', nombre: 'Fibra 100 Mbps' }, paso: 4,
              datos: { nombre: 'Dolores Gómez Elizondo', rfc: 'GODE561231GR8', email: 'ya.registrado@ejemplo.mx', telefono: '8112345678', regimenFiscal: '612', usoCfdi: 'G03',
                       cpFiscal: '64000', calle: 'Av. Constitución', numeroExterior: '100', colonia: 'Centro', codigoPostal: '64000', municipio: 'Monterrey', estado: 'Nuevo León',
                       terminos: true, privacidad: true } }))
            """);
        // The server's answer is played back: the test is about what the form does with a 400 that names cliente.email.
        await p.RouteAsync("**/api/altas", r => r.FulfillAsync(new()
        {
            Status = 400, ContentType = "application/problem+json",
            Body = """{"type":"about:blank","title":"La solicitud tiene datos inválidos.","status":400,"errors":{"cliente.email":["Ya hay un cliente con ese correo."]}}""",
        }));
        await p.GotoAsync("/portal-cliente/#/alta");
        await p.ReloadAsync();
        await p.GetByLabel("Fecha de instalación deseada").FillAsync(DateTime.UtcNow.AddDays(5).ToString("yyyy-MM-dd"));
        await p.GetByRole(AriaRole.Button, new() { Name = "Enviar solicitud" }).ClickAsync();

        await Expect(p.Locator(".pasos [aria-current=step]")).ToHaveTextAsync("2. Datos personales y fiscales");
        var email = p.GetByLabel("Correo electrónico");
        await Expect(email).ToBeFocusedAsync();
        await Expect(email).ToHaveValueAsync("ya.registrado@ejemplo.mx");
        await Expect(p.Locator("#c-email-error")).ToHaveTextAsync("Ya hay un cliente con ese correo.");
        await Expect(p.GetByLabel("Nombre completo o razón social")).ToHaveValueAsync("Dolores Gómez Elizondo");
        await Expect(p.GetByLabel("Teléfono (10 dígitos)")).ToHaveValueAsync("8112345678");
        await Pasos.CapturarAsync(p, "alta-error-del-servidor-en-su-paso");
    }
}
