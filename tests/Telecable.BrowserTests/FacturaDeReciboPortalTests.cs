using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.BrowserTests.Infraestructura;
using Telecable.Infrastructure.Seguridad;

namespace Telecable.BrowserTests;

/// <summary>Issue 20 in the customer portal: a customer without an RFC asks for the invoice of a receipt of theirs ("Solicitar factura",
/// with the regime/use pairs of the catalog) and gets it stamped; the sign-up's "No necesito factura" hides and leaves out the fiscal data.</summary>
[Collection(ColeccionNavegador.Nombre)]
public sealed class FacturaDeReciboPortalTests(HostNavegador host)
{
    [Fact]
    public async Task El_cliente_solicita_la_factura_de_su_nota_de_venta_y_la_descarga()
    {
        // A customer without an RFC with one receipt issued in July 2026 (a month no other test's global CFDI covers).
        var db = host.ServiciosHost.GetRequiredService<NpgsqlDataSource>();
        Guid cliente;
        await using (var cn = await db.OpenConnectionAsync())
        {
            cliente = await cn.ExecuteScalarAsync<Guid>("""
                WITH c AS (INSERT INTO clientes (tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal, zona_id)
                           VALUES ('fisica', 'INGRID SIN FACTURA', 'XAXX010101000', 'ingrid.recibo@example.com', '+528188880002', '616', 'S01', '64000',
                                   '00000000-0000-0000-0000-000000001001') RETURNING id),
                     n AS (UPDATE series_folios SET ultimo_folio = ultimo_folio + 1 WHERE serie = 'NV' RETURNING ultimo_folio),
                     f AS (INSERT INTO facturas (serie, folio, cliente_id, periodo, subtotal, iva, total, metodo_pago, forma_pago, estado, tipo_documento,
                                                 fecha_emision, timbrada_en)
                           SELECT 'NV', n.ultimo_folio, c.id, '2026-07-01', 430.00, 68.80, 498.80, 'PUE', '99', 'timbrada', 'recibo',
                                  '2026-07-10T18:00:00Z', '2026-07-10T18:00:00Z'
                           FROM c, n RETURNING id),
                     l AS (INSERT INTO factura_conceptos (factura_id, numero_linea, clave_prod_serv, descripcion, cantidad, valor_unitario, importe, iva)
                           SELECT f.id, 1, '81112101', 'Internet 200 Mbps - julio 2026', 1, 430.00, 430.00, 68.80 FROM f)
                SELECT id FROM c
                """);
        }
        var token = host.ServiciosHost.GetRequiredService<EmisorDesarrollo>()
            .Emitir(new UsuariosDemo.UsuarioDemo("ingrid-recibo", "Ingrid", ["cliente"], cliente));

        var p = await host.PaginaAsync();
        await p.GotoAsync("/portal-cliente/");
        await p.EvaluateAsync("t => sessionStorage.setItem('telecable.token', t)", token);
        await p.GotoAsync("/portal-cliente/#/facturas");
        await p.ReloadAsync();
        var recibos = p.GetByRole(AriaRole.Table, new() { Name = "Mis notas de venta" });
        await Expect(recibos).ToContainTextAsync("$498.80 MXN");
        await recibos.GetByRole(AriaRole.Button, new() { Name = "Solicitar factura" }).ClickAsync();

        var form = p.GetByRole(AriaRole.Form, new() { Name = "Solicitar factura" });
        await form.GetByLabel("RFC").FillAsync("XOJI740919U48");
        await form.GetByLabel("RFC").BlurAsync();
        await form.GetByLabel("Nombre o razón social").FillAsync("INGRID XODAR JIMENEZ");
        // The regime/use pairs come from GET /api/catalogo/regimenes-fiscales: 612 offers G03.
        await Expect(form.GetByLabel("Régimen fiscal").Locator("option[value='612']")).ToHaveCountAsync(1);
        await form.GetByLabel("Régimen fiscal").SelectOptionAsync("612");
        await Expect(form.GetByLabel("Uso del CFDI").Locator("option[value='G03']")).ToHaveCountAsync(1);
        await form.GetByLabel("Uso del CFDI").SelectOptionAsync("G03");
        await form.GetByLabel("Código postal fiscal").FillAsync("76028");
        await Pasos.CapturarAsync(p, "portal-cliente-solicitar-factura");
        await form.GetByRole(AriaRole.Button, new() { Name = "Facturar" }).ClickAsync();

        await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "folio fiscal" })).ToContainTextAsync("timbrada");
        await Expect(recibos.GetByRole(AriaRole.Button, new() { Name = "XML" })).ToHaveCountAsync(1);
        await Expect(recibos.GetByRole(AriaRole.Button, new() { Name = "Solicitar factura" })).ToHaveCountAsync(0);
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await using (var cn = await db.OpenConnectionAsync())
            Assert.Equal("XOJI740919U48", await cn.ExecuteScalarAsync<string>("SELECT rfc FROM clientes WHERE id = @cliente", new { cliente }));
        await Pasos.CapturarAsync(p, "portal-cliente-factura-de-recibo");
    }

    [Fact]
    public async Task Una_corrida_muestra_sus_notas_de_venta_aparte_de_las_timbradas()
    {
        // A customer without an RFC with an active contract: July 2025's run (a period no other test bills) gives them a receipt.
        var db = host.ServiciosHost.GetRequiredService<NpgsqlDataSource>();
        await using (var cn = await db.OpenConnectionAsync())
        {
            await cn.ExecuteAsync("""
                WITH c AS (INSERT INTO clientes (tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal, zona_id)
                           VALUES ('fisica', 'PÚBLICO CON CONTRATO', 'XAXX010101000', 'publico.contrato@example.com', '+528188880003', '616', 'S01', '64000',
                                   '00000000-0000-0000-0000-000000001001') RETURNING id),
                     d AS (INSERT INTO domicilios (cliente_id, tipo, calle, numero_exterior, colonia, cp, municipio, estado)
                           SELECT c.id, 'instalacion', 'Av. Juárez', '300', 'Centro', '64000', 'Monterrey', 'Nuevo León' FROM c RETURNING id, cliente_id)
                INSERT INTO contratos (cliente_id, plan_id, zona_id, domicilio_id, precio_pactado, fecha_inicio, fecha_activacion, estado, dia_corte)
                SELECT d.cliente_id, '00000000-0000-0000-0000-000000002002', '00000000-0000-0000-0000-000000001001', d.id, 430, '2025-06-01', '2025-06-02', 'activo', 1
                FROM d
                """);
        }
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-facturacion", "cobranzas");
        await p.GetByRole(AriaRole.Link, new() { Name = "Corridas" }).ClickAsync();
        await p.GetByLabel("Periodo (AAAA-MM)").FillAsync("2025-07");
        await p.GetByRole(AriaRole.Button, new() { Name = "Iniciar corrida" }).ClickAsync();
        await Expect(p.Locator("#estado")).ToContainTextAsync("Corrida 2025-07", new() { Timeout = 120_000 });
        // Receipts are issued, never stamped: the run says how many apart from the stamped CFDIs.
        var fila = p.GetByRole(AriaRole.Table, new() { Name = "Corridas recientes" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "2025-07" });
        await Expect(fila).ToContainTextAsync("timbradas, ");
        await Expect(fila).ToContainTextAsync("notas de venta");
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "portal-facturacion-corrida-con-notas-de-venta");
    }

    [Fact]
    public async Task El_alta_sin_factura_oculta_los_datos_fiscales_y_la_solicitud_se_acepta()
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync("/portal-cliente/#/cobertura");
        await p.GetByLabel("Código postal").FillAsync("64000");
        await p.GetByRole(AriaRole.Button, new() { Name = "Consultar cobertura" }).ClickAsync();
        await p.GetByRole(AriaRole.Link, new() { Name = "Ver planes disponibles" }).ClickAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Contratar Fibra 100 Mbps" }).ClickAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Siguiente" }).ClickAsync();
        await p.GetByLabel("Nombre completo o razón social").FillAsync("Rosa Sin Factura");
        await p.GetByLabel("No necesito factura").CheckAsync();
        await Expect(p.GetByLabel("RFC")).ToBeHiddenAsync();
        await Expect(p.GetByLabel("Régimen fiscal")).ToBeHiddenAsync();
        await Expect(p.GetByLabel("Uso del CFDI")).ToBeHiddenAsync();
        await p.GetByLabel("Correo electrónico").FillAsync($"rosa.{Guid.NewGuid():N}@ejemplo.mx");
        await p.GetByLabel("Teléfono (10 dígitos)").FillAsync("8112345679");
        await Pasos.CapturarAsync(p, "portal-cliente-alta-sin-factura");
        await p.GetByRole(AriaRole.Button, new() { Name = "Siguiente" }).ClickAsync();
        await Pasos.LlenarDomicilioYConsentimientosAsync(p, "Av. Juárez", "200");
        var solicitud = p.WaitForRequestAsync(r => r.Url.EndsWith("/api/altas", StringComparison.Ordinal) && r.Method == "POST");
        await p.GetByRole(AriaRole.Button, new() { Name = "Enviar solicitud" }).ClickAsync();

        // Only requiereFactura:false travels; the server gives the general public's data.
        var cuerpo = (await solicitud).PostDataJSON()!.Value.GetProperty("cliente");
        Assert.False(cuerpo.GetProperty("requiereFactura").GetBoolean());
        foreach (var campo in new[] { "rfc", "regimenFiscal", "usoCfdi", "cpFiscal" }) Assert.False(cuerpo.TryGetProperty(campo, out _), campo);
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Seguimiento" })).ToBeVisibleAsync();
        await Expect(p.GetByText("Estado:")).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }
}
