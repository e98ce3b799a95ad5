using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.BrowserTests.Infraestructura;

namespace Telecable.BrowserTests;

/// <summary>Issue 20 in the billing portal: the receipts (notas de venta) of a customer without an RFC, the global CFDI issued
/// from the portal for their closed month, and the KPIs that count receipts and credit notes.</summary>
[Collection(ColeccionNavegador.Nombre)]
public sealed class CfdiGlobalPortalTests(HostNavegador host)
{
    [Fact]
    public async Task Cobranzas_ve_las_notas_de_venta_emite_el_cfdi_global_y_los_kpi_las_incluyen()
    {
        // Two receipts of a customer without an RFC, issued in August 2026 (a closed month no other test uses).
        var db = host.ServiciosHost.GetRequiredService<NpgsqlDataSource>();
        await using (var cn = await db.OpenConnectionAsync())
        {
            await cn.ExecuteAsync("""
                WITH c AS (INSERT INTO clientes (tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal, zona_id)
                           VALUES ('fisica', 'PÚBLICO DEL PORTAL', 'XAXX010101000', 'publico.portal@example.com', '+528188880001', '616', 'S01', '64000',
                                   '00000000-0000-0000-0000-000000001001') RETURNING id),
                     n AS (UPDATE series_folios SET ultimo_folio = ultimo_folio + 2 WHERE serie = 'NV' RETURNING ultimo_folio),
                     f AS (INSERT INTO facturas (serie, folio, cliente_id, periodo, subtotal, iva, total, metodo_pago, forma_pago, estado, tipo_documento,
                                                 fecha_emision, timbrada_en)
                           SELECT 'NV', n.ultimo_folio - k, c.id, '2026-08-01', 430.00, 68.80, 498.80, 'PUE', '99', 'timbrada', 'recibo',
                                  '2026-08-10T18:00:00Z', '2026-08-10T18:00:00Z'
                           FROM c, n, generate_series(0, 1) AS k RETURNING id)
                INSERT INTO factura_conceptos (factura_id, numero_linea, clave_prod_serv, descripcion, cantidad, valor_unitario, importe, iva)
                SELECT f.id, 1, '81112101', 'Internet 200 Mbps - agosto 2026', 1, 430.00, 430.00, 68.80 FROM f
                """);
        }

        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-facturacion", "cobranzas");
        await Expect(p.Locator("dl.kpis")).ToContainTextAsync("Notas de crédito");
        await Expect(p.Locator("dl.kpis")).ToContainTextAsync("Notas de venta (en CFDI global)");

        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Notas de venta" }).ClickAsync();
        var recibos = p.GetByRole(AriaRole.Table, new() { Name = "Notas de venta" });
        await Expect(recibos).ToContainTextAsync("PÚBLICO DEL PORTAL");
        await Expect(recibos.GetByRole(AriaRole.Row).Filter(new() { HasText = "PÚBLICO DEL PORTAL" }).First).ToContainTextAsync("Pendiente");

        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "CFDI globales" }).ClickAsync();
        await p.GetByLabel("Periodo (AAAA-MM)").FillAsync("2026-08");
        await p.GetByRole(AriaRole.Button, new() { Name = "Emitir CFDI global" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "CFDI global" })).ToContainTextAsync("Timbrado, 2 notas de venta");
        var globales = p.GetByRole(AriaRole.Table, new() { Name = "CFDI globales" });
        await Expect(globales).ToContainTextAsync("2026-08");
        await Expect(globales).ToContainTextAsync("$997.60 MXN");
        await Expect(globales.GetByRole(AriaRole.Link, new() { Name = "XML" })).ToHaveCountAsync(1);

        // Asking again for the same month gives back the same CFDI, never a second one.
        await p.GetByLabel("Periodo (AAAA-MM)").FillAsync("2026-08");
        await p.GetByRole(AriaRole.Button, new() { Name = "Emitir CFDI global" }).ClickAsync();
        await Expect(globales.GetByRole(AriaRole.Row).Filter(new() { HasText = "2026-08" })).ToHaveCountAsync(1);

        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Notas de venta" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Table, new() { Name = "Notas de venta" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "PÚBLICO DEL PORTAL" }).First)
            .Not.ToContainTextAsync("Pendiente");
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "portal-facturacion-cfdi-global");
    }
}
