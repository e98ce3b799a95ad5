using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;

namespace Telecable.Domain.Tests.Facturacion;

public sealed class ArmadoFacturaTests
{
    private static readonly DateOnly Diciembre = new(2026, 12, 1);
    private static LineaContrato Internet(decimal precio) => new(Guid.NewGuid(), "INT-FTTH-300", "Fibra 300 Mbps", "81161700", "E48", 0m, precio);
    private static LineaContrato Tv(decimal precio) => new(Guid.NewGuid(), "TV-BASICA", "TV Básica", "83111801", "E48", 0.03m, precio);

    [Fact]
    public void Iva_en_todo_e_ieps_solo_en_tv_con_base_de_iva_que_incluye_el_ieps()
    {
        var lineas = ArmadoFactura.Lineas([Internet(410m), Tv(150m)], null, Diciembre);
        var c = CalculadoraCfdi.Calcular(Datos(), lineas);
        Assert.Equal([CatalogoSat.ImpuestoIva], c.Conceptos[0].Traslados.Select(t => t.Impuesto));
        var tv = c.Conceptos[1].Traslados;
        Assert.Equal(4.50m, tv.Single(t => t.Impuesto == CatalogoSat.ImpuestoIeps).Importe);
        Assert.Equal(154.50m, tv.Single(t => t.Impuesto == CatalogoSat.ImpuestoIva).Base);
        Assert.Equal(24.72m, tv.Single(t => t.Impuesto == CatalogoSat.ImpuestoIva).Importe);
        Assert.Equal(560m + 65.60m + 4.50m + 24.72m, c.Total);
        Assert.Contains("diciembre 2026", lineas[0].Descripcion);
    }

    [Fact]
    public void Un_monto_fijo_se_reparte_por_precio_y_suma_exacto()
    {
        var d = ArmadoFactura.Descuentos([Internet(490m), Tv(320m), Tv(90m)], new PromocionVigente("X", PromocionVigente.MontoFijo, 100m));
        Assert.Equal(100m, d.Sum());
        Assert.Equal(54.44m, d[0]);
        var p = ArmadoFactura.Descuentos([Internet(515m)], new PromocionVigente("X", PromocionVigente.Porcentaje, 50m));
        Assert.Equal(257.50m, p[0]);
        Assert.Equal(100m, ArmadoFactura.Descuentos([Internet(100m)], new PromocionVigente("X", PromocionVigente.MontoFijo, 500m)).Sum());
    }

    [Fact]
    public void Las_partes_de_un_combo_se_ajustan_al_precio_pactado()
    {
        var partes = ArmadoFactura.AjustarAlPactado([Internet(410m), Tv(150m)], 549.90m);
        Assert.Equal(549.90m, partes.Sum(x => x.Precio));
        Assert.Equal(402.61m, partes[0].Precio);
    }

    [Theory]
    [InlineData("XAXX010101000", CodigosFactura.SinDatosFiscales)]
    [InlineData("", CodigosFactura.SinDatosFiscales)]
    [InlineData("GAMR800101AB0", CodigosFactura.RfcInvalido)]
    public void Un_receptor_sin_datos_fiscales_validos_dice_por_que(string rfc, string codigo)
    {
        var (receptor, c, motivo) = ArmadoFactura.Receptor(rfc, "ALGUIEN", "612", "G03", "64000");
        Assert.Null(receptor);
        Assert.Equal(codigo, c);
        Assert.False(string.IsNullOrWhiteSpace(motivo));
    }

    [Fact]
    public void Un_receptor_valido_lleva_cp_y_regimen_en_su_lugar()
    {
        var (r, _, _) = ArmadoFactura.Receptor("GATM900417PC4", "MARIANA GARZA TREVIÑO", "612", "G03", "64349");
        Assert.Equal(new Receptor("GATM900417PC4", "MARIANA GARZA TREVIÑO", "64349", "612", "G03"), r);
    }

    [Fact]
    public void Url_de_verificacion_sin_ceros_no_significativos_en_tt_y_8_caracteres_del_sello()
    {
        var url = VerificacionSat.Url("AAAA0000-1111-2222-3333-444455556666", "EKU9003173C9", "GATM900417PC4", 1234.50m, "abcdefghij+/xyz=");
        Assert.Equal("https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=AAAA0000-1111-2222-3333-444455556666" +
                     "&re=EKU9003173C9&rr=GATM900417PC4&tt=1234.5&fe=ij%2B%2Fxyz%3D", url);
    }

    [Theory]
    [InlineData("1234.50", "1234.5")]
    [InlineData("654.82", "654.82")]
    [InlineData("100.00", "100.0")]
    [InlineData("0", "0.0")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("999999999999999999.123456", "999999999999999999.123456")]
    public void Tt_lleva_hasta_6_decimales_sin_ceros_no_significativos(string total, string tt) =>
        Assert.Equal(tt, VerificacionSat.Total(decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Un_ampersand_o_una_enie_en_el_rfc_van_codificados_en_la_url()
    {
        var url = VerificacionSat.Url("AAAA0000-1111-2222-3333-444455556666", "A&C8107217Y3", "ÑAÑ810721AB3", 116m, "12345678");
        Assert.Contains("&re=A%26C8107217Y3&rr=%C3%91A%C3%91810721AB3&tt=116.0&fe=12345678", url);
    }

    [Theory]
    [InlineData("2026-12", true)]
    [InlineData("2026-13", false)]
    [InlineData("26-12", false)]
    [InlineData(null, false)]
    public void Periodo_es_un_mes_yyyy_MM(string? texto, bool valido) => Assert.Equal(valido, Periodo.TryParse(texto, out _));

    private static DatosComprobante Datos() => new()
    {
        Fecha = new DateTime(2026, 12, 1, 6, 0, 0),
        FormaPago = CatalogoSat.FormaPorDefinir,
        MetodoPago = CatalogoSat.MetodoPpd,
        LugarExpedicion = "64000",
        Emisor = new Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601"),
        Receptor = new Receptor("GATM900417PC4", "MARIANA GARZA TREVIÑO", "64349", "612", "G03"),
    };
}
