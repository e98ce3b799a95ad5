using Telecable.Domain.Catalogo;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;

namespace Telecable.Domain.Tests.Facturacion;

/// <summary>LIEPS art. 8 fr. IV d) (internet in a bundle: standalone price, 30 % cap) and art. 19 fr. II (itemized IEPS
/// only for an IEPS taxpayer who asks), with the worked examples of ReglasFiscalesTelecom.Paquetes.cs.</summary>
public sealed class ReglasIepsPaquetesTests
{
    private static LineaContrato Tv(decimal precio) =>
        new(Guid.NewGuid(), "TV-BAS", "TV Básica", "83121703", "E48", 0.03m, precio, TiposServicio.Tv);

    private static LineaContrato Internet(decimal precio, decimal? independiente) =>
        new(Guid.NewGuid(), "NET-100", "Internet 100 Mbps", "81112101", "E48", 0m, precio, TiposServicio.Internet, independiente);

    [Fact]
    public void Paquete_internet_a_precio_independiente_exento_solo_hasta_30_por_ciento_y_el_excedente_paga_IEPS()
    {
        // Combo agreed at 599.00: internet standalone 449.00, TV gets the rest (150.00). 30 % of 599 = 179.70 exempt.
        var l = ReglasFiscalesTelecom.DividirPaquete([Tv(200m), Internet(399m, 449m)], 599m);

        Assert.Equal([150.00m, 179.70m, 269.30m], l.Select(x => x.Precio));
        Assert.Equal([0.03m, 0m, 0.03m], l.Select(x => x.TasaIeps));
        Assert.Equal(599m, l.Sum(x => x.Precio));
        Assert.Equal(0.30m, ReglasFiscalesTelecom.ParteExentaInternet(l));
        var cfdi = Calcular(ArmadoFactura.Lineas(l, null, new DateOnly(2026, 12, 1)));
        Assert.Equal(4.50m + 8.08m, Traslado(cfdi, CatalogoSat.ImpuestoIeps));
    }

    [Fact]
    public void Paquete_con_internet_bajo_el_tope_queda_exento_completo()
    {
        // Internet standalone 150 in a bundle of 600: 25 % of it, under the cap: fully exempt, no excess line.
        var l = ReglasFiscalesTelecom.DividirPaquete([Tv(450m), Internet(150m, 150m)], 600m);
        Assert.Equal([450m, 150m], l.Select(x => x.Precio));
        Assert.Equal([0.03m, 0m], l.Select(x => x.TasaIeps));
    }

    [Fact]
    public void Sin_precio_independiente_en_el_catalogo_el_internet_del_paquete_paga_IEPS()
    {
        var l = ReglasFiscalesTelecom.DividirPaquete([Tv(200m), Internet(400m, null)], 600m);
        Assert.All(l, x => Assert.Equal(0.03m, x.TasaIeps));
        Assert.Equal(600m, l.Sum(x => x.Precio));
    }

    [Fact]
    public void Sin_internet_el_paquete_solo_se_ajusta_al_pactado()
    {
        var l = ReglasFiscalesTelecom.DividirPaquete([Tv(200m), Tv(100m) with { ClavePlan = "TEL" }], 240m);
        Assert.Equal([160m, 80m], l.Select(x => x.Precio));
    }

    [Fact]
    public void IEPS_incluido_en_el_precio_salvo_contribuyente_que_lo_pide_y_el_total_es_el_mismo()
    {
        Assert.True(ReglasFiscalesTelecom.DesglosaIeps(contribuyenteIeps: true, solicitaDesglose: true));
        Assert.False(ReglasFiscalesTelecom.DesglosaIeps(contribuyenteIeps: true, solicitaDesglose: false));
        Assert.False(ReglasFiscalesTelecom.DesglosaIeps(contribuyenteIeps: false, solicitaDesglose: true));

        var desglosado = Calcular(ArmadoFactura.Lineas(ReglasFiscalesTelecom.Aplicar([Tv(150m)], 150m, false, desglosaIeps: true), null, new DateOnly(2026, 12, 1)));
        var incluido = Calcular(ArmadoFactura.Lineas(ReglasFiscalesTelecom.Aplicar([Tv(150m)], 150m, false, desglosaIeps: false), null, new DateOnly(2026, 12, 1)));

        // Worked example: 150.00 + IEPS 4.50 + IVA 24.72 = 179.22 itemized; 154.50 + IVA 24.72 = 179.22 included.
        Assert.Equal((150.00m, 4.50m, 24.72m, 179.22m), (desglosado.SubTotal, Traslado(desglosado, CatalogoSat.ImpuestoIeps), Traslado(desglosado, CatalogoSat.ImpuestoIva), desglosado.Total));
        Assert.Equal((154.50m, 0m, 24.72m, 179.22m), (incluido.SubTotal, Traslado(incluido, CatalogoSat.ImpuestoIeps), Traslado(incluido, CatalogoSat.ImpuestoIva), incluido.Total));
        Assert.DoesNotContain(incluido.Conceptos.SelectMany(c => c.Traslados), t => t.Impuesto == CatalogoSat.ImpuestoIeps);
    }

    private static Comprobante Calcular(IReadOnlyList<LineaFactura> lineas) => CalculadoraCfdi.Calcular(new DatosComprobante
    {
        Serie = "A", Folio = "1", Fecha = new DateTime(2026, 12, 1, 6, 0, 0), FormaPago = "99", MetodoPago = "PPD", LugarExpedicion = "64000",
        Emisor = new Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601"),
        Receptor = new Receptor("XOJI740919U48", "INGRID XODAR JIMENEZ", "76028", "612", "G03"),
    }, lineas);

    private static decimal Traslado(Comprobante c, string impuesto) =>
        c.Impuestos?.Traslados.Where(t => t.Impuesto == impuesto).Sum(t => t.Importe ?? 0m) ?? 0m;
}
