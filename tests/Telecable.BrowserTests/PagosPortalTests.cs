using System.Text;
using System.Text.RegularExpressions;
using Telecable.BrowserTests.Infraestructura;

namespace Telecable.BrowserTests;

/// <summary>Issue 19's portal views: the customer's "Cómo pagar" (own CLABE, OXXO voucher) and the billing portal's
/// bank statement import with manual assignment and the reconciliation findings with their actions.</summary>
[Collection(ColeccionNavegador.Nombre)]
public sealed class PagosPortalTests(HostNavegador host)
{
    [Fact]
    public async Task El_cliente_ve_su_CLABE_y_genera_una_ficha_OXXO_con_codigo_de_barras()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Cómo pagar" }).ClickAsync();

        var spei = p.GetByRole(AriaRole.Region, new() { Name = "Transferencia SPEI" });
        await Expect(spei.Locator(".clabe")).ToHaveTextAsync(new Regex(@"^\d{3} \d{3} \d{11} \d$"));

        var oxxo = p.GetByRole(AriaRole.Form, new() { Name = "Efectivo en OXXO" });
        await oxxo.GetByLabel("¿Qué quiere pagar?").SelectOptionAsync(new SelectOptionValue { Label = "Otro monto (abono a mi cuenta)" });
        await oxxo.GetByLabel("Monto (sólo para «Otro monto»)").FillAsync("abc");
        await oxxo.GetByRole(AriaRole.Button, new() { Name = "Generar ficha OXXO" }).ClickAsync();
        await Expect(p.GetByText("Escriba un monto mayor que 0")).ToBeVisibleAsync();
        await oxxo.GetByLabel("Monto (sólo para «Otro monto»)").FillAsync("250.00");
        await oxxo.GetByRole(AriaRole.Button, new() { Name = "Generar ficha OXXO" }).ClickAsync();

        var aviso = p.GetByRole(AriaRole.Status).Filter(new() { HasText = "Ficha por" });
        await Expect(aviso).ToContainTextAsync(new Regex(@"referencia \d{14}"));
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "pagos-como-pagar");

        var descarga = await p.RunAndWaitForDownloadAsync(() => aviso.GetByRole(AriaRole.Button, new() { Name = "Descargar ficha imprimible" }).ClickAsync());
        var ficha = await File.ReadAllTextAsync((await descarga.PathAsync())!);
        Assert.Contains("<svg", ficha);
        Assert.Contains("250.00", ficha);
    }

    [Fact]
    public async Task Cobranzas_importa_un_estado_de_cuenta_asigna_el_abono_sin_empatar_y_resuelve_hallazgos()
    {
        // A reconciliation with findings (a provider of its own, so no other journey touches it).
        var gateway = $"prov{Guid.NewGuid():N}"[..12];
        await DatosDemo.PostAsync(host.UrlBase, "cobranzas", "api/pagos/conciliaciones", new
        {
            gateway, periodo = "2026-01-15", movimientos = new[] { new { referencia = "pi_solo_en_el_proveedor", monto = 80.00m } },
        });

        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-facturacion", "cobranzas");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Estados de cuenta" }).ClickAsync();
        var referencia = $"{Random.Shared.Next(100_000, 999_999)}91";
        var csv = $"Fecha,Concepto,Referencia,Cargo,Abono,Saldo\n03/12/2026,SPEI RECIBIDO SANTANDER SIN REFERENCIA,{referencia},,\"1,234.50\",\"9,999.00\"\n03/12/2026,COMISION,0,10.00,,\"9,989.00\"\n";
        var importar = p.GetByRole(AriaRole.Form, new() { Name = "Importar estado de cuenta" });
        await importar.GetByLabel("Banco").SelectOptionAsync("bbva");
        await importar.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "estado.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await importar.GetByRole(AriaRole.Button, new() { Name = "Importar" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "abonos" })).ToContainTextAsync("1 abonos: 0 aplicados, 1 por asignar");

        var fila = p.GetByRole(AriaRole.Table, new() { Name = "Abonos por asignar" }).GetByRole(AriaRole.Row).Filter(new() { HasText = referencia });
        await Expect(fila).ToContainTextAsync("1,234.50");
        // Issue 21: the customer is picked by name, never by typing an id.
        await fila.GetByLabel("Cliente (nombre, RFC o número)").FillAsync("MARIANA GARZA TREVIÑO");
        await fila.GetByRole(AriaRole.Button, new() { Name = "Asignar" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Table, new() { Name = "Abonos por asignar" }).GetByRole(AriaRole.Row).Filter(new() { HasText = referencia })).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "pagos-estado-de-cuenta");

        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Conciliaciones" }).ClickAsync();
        var corrida = p.GetByRole(AriaRole.Table, new() { Name = "Conciliaciones de pagos (liquidaciones de cada proveedor)" }).GetByRole(AriaRole.Row).Filter(new() { HasText = gateway });
        await corrida.GetByRole(AriaRole.Button, new() { Name = "Ver hallazgos" }).ClickAsync();
        var hallazgo = p.GetByRole(AriaRole.Table, new() { Name = "Hallazgos" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "pi_solo_en_el_proveedor" });
        await Expect(hallazgo).ToContainTextAsync("Pendiente");
        await hallazgo.GetByRole(AriaRole.Button, new() { Name = "Investigar" }).ClickAsync();
        await Expect(hallazgo).ToContainTextAsync("En investigación");
        await hallazgo.GetByRole(AriaRole.Button, new() { Name = "Aceptar" }).ClickAsync();
        await Expect(hallazgo).ToContainTextAsync("Aceptado");
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "pagos-conciliacion-hallazgos");
    }
}
