using Telecable.Domain.Catalogo;
using Telecable.Domain.Clientes;
using Telecable.Domain.Comun;

namespace Telecable.Domain.Tests.Catalogo;

public sealed class ReglasFiscalesTelecomTests
{
    private static readonly DateOnly Hoy = new(2026, 11, 27);

    [Fact]
    public void Internet_solo_exento_de_IEPS_IVA_16()
    {
        // 430.00 + IVA 16% (68.80) = 498.80
        var t = ReglasFiscalesTelecom.Calcular(TiposServicio.Internet, 430.00m);
        Assert.Equal((0m, 0m, 68.80m, 498.80m), (t.TasaIeps, t.Ieps, t.Iva, t.Total));
    }

    [Fact]
    public void TV_IEPS_3_e_IVA_sobre_base_mas_IEPS()
    {
        // 150.00; IEPS 3% = 4.50; IVA 16% of 154.50 = 24.72; total 179.22
        var t = ReglasFiscalesTelecom.Calcular(TiposServicio.Tv, 150.00m);
        Assert.Equal((0.03m, 4.50m, 24.72m, 179.22m), (t.TasaIeps, t.Ieps, t.Iva, t.Total));
    }

    [Fact]
    public void Telefonia_redondea_cada_impuesto_a_centavos()
    {
        // 90.00; IEPS 2.70; IVA of 92.70 = 14.832 -> 14.83; total 107.53
        var t = ReglasFiscalesTelecom.Calcular(TiposServicio.Telefonia, 90.00m);
        Assert.Equal((2.70m, 14.83m, 107.53m), (t.Ieps, t.Iva, t.Total));
    }

    [Fact]
    public void Tipo_desconocido_no_se_grava_a_ciegas()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReglasFiscalesTelecom.TasaIepsPara("streaming"));
    }

    private static readonly ParteCotizable Fibra500 = new(Guid.NewGuid(), "INT-FTTH-500", "Fibra 500", TiposServicio.Internet, "81161700", 490m);
    private static readonly ParteCotizable TvPremium = new(Guid.NewGuid(), "TV-PREMIUM", "TV Premium", TiposServicio.Tv, "83111801", 320m);
    private static readonly ParteCotizable Telefonia = new(Guid.NewGuid(), "TEL-ILIMITADA", "Telefonía", TiposServicio.Telefonia, "83111501", 90m);

    [Fact]
    public void Combo_triple_IEPS_solo_en_TV_y_telefonia()
    {
        // Internet 490 -> IVA 78.40 = 568.40; TV 320 -> IEPS 9.60, IVA 52.74 = 382.34; Tel 90 -> 107.53
        var c = Cotizador.Cotizar([Fibra500, TvPremium, Telefonia], [], Hoy);
        Assert.Equal([0m, 9.60m, 2.70m], c.Lineas.Select(l => l.Ieps));
        Assert.Equal([78.40m, 52.74m, 14.83m], c.Lineas.Select(l => l.Iva));
        Assert.Equal((900m, 12.30m, 145.97m, 1058.27m), (c.Subtotal, c.Ieps, c.Iva, c.Total));
        Assert.Equal(c.Total, c.TotalRegular);
        Assert.Null(c.Promocion);
    }

    [Fact]
    public void Descuento_fijo_de_combo_se_prorratea_por_parte_antes_de_impuestos()
    {
        // 100 over 490/320/90 (900): 54.44, 35.56, 10.00.
        var promo = new Promocion(Guid.NewGuid(), "TRIPLE-100-6M", "Triple -100", Promocion.MontoFijo, 100m, 6, new(2026, 6, 1), new(2027, 5, 31));
        var c = Cotizador.Cotizar([Fibra500, TvPremium, Telefonia], [promo], Hoy);
        Assert.Equal([54.44m, 35.56m, 10.00m], c.Lineas.Select(l => l.Descuento));
        // Internet 435.56 + IVA 69.69 = 505.25; TV 284.44 + IEPS 8.53 + IVA 46.88 = 339.85; Tel 80 + 2.40 + 13.18 = 95.58
        Assert.Equal([505.25m, 339.85m, 95.58m], c.Lineas.Select(l => l.Total));
        Assert.Equal((100m, 940.68m, 1058.27m, 6), (c.Descuento, c.Total, c.TotalRegular, c.MesesPromocion!.Value));
    }

    [Fact]
    public void Porcentaje_se_aplica_y_promocion_fuera_de_vigencia_no()
    {
        var plan = new ParteCotizable(Guid.NewGuid(), "INT-FTTH-500", "Fibra 500", TiposServicio.Internet, "81161700", 515m);
        var mitad = new Promocion(Guid.NewGuid(), "FTTH500-50-3M", "Mitad", Promocion.Porcentaje, 50m, 3, new(2026, 1, 1), new(2026, 12, 31));
        var c = Cotizador.Cotizar([plan], [mitad], Hoy);
        // 515 - 257.50 = 257.50; IVA 41.20; total 298.70
        Assert.Equal((257.50m, 41.20m, 298.70m, 3), (c.Descuento, c.Iva, c.Total, c.MesesPromocion!.Value));
        var vencida = Cotizador.Cotizar([plan], [mitad], new DateOnly(2027, 1, 1));
        Assert.Equal((0m, 597.40m), (vencida.Descuento, vencida.Total));
    }

    [Fact]
    public void Se_aplica_la_promocion_de_mayor_descuento_y_un_monto_fijo_nunca_excede_el_precio()
    {
        var plan = new ParteCotizable(Guid.NewGuid(), "X", "X", TiposServicio.Internet, "81161700", 80m);
        var fija = new Promocion(Guid.NewGuid(), "F", "F", Promocion.MontoFijo, 100m, 1, Hoy, Hoy);
        var pct = new Promocion(Guid.NewGuid(), "P", "P", Promocion.Porcentaje, 10m, 1, Hoy, Hoy);
        var c = Cotizador.Cotizar([plan], [pct, fija], Hoy);
        Assert.Equal(("F", 80m, 0m), (c.Promocion!.Clave, c.Descuento, c.Total));
    }

    [Theory]
    [InlineData("100", "490,320,90")]
    [InlineData("0.05", "1,1,0.01")]
    [InlineData("2.01", "1,1,0.01")]
    [InlineData("0.02", "0.01,0.01,0.01")]
    public void Reparto_suma_exacto_y_ninguna_parte_excede_su_precio(string descuento, string precios)
    {
        var d = decimal.Parse(descuento, System.Globalization.CultureInfo.InvariantCulture);
        var p = precios.Split(',').Select(x => decimal.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var r = Cotizador.Repartir(d, p);
        Assert.Equal(d, r.Sum());
        Assert.All(r.Zip(p), x => Assert.InRange(x.First, 0m, x.Second));
        Assert.All(r, x => Assert.Equal(x, Math.Round(x, 2)));
    }

    [Theory]
    [InlineData("pendiente_instalacion", "activar", "activo")]
    [InlineData("activo", "suspender", "suspendido")]
    [InlineData("suspendido", "reactivar", "activo")]
    [InlineData("suspendido", "cancelar", "cancelado")]
    [InlineData("activo", "cambiar_plan", "activo")]
    public void Transiciones_permitidas(string desde, string accion, string hacia) =>
        Assert.Equal(hacia, EstadosContrato.Aplicar(desde, accion));

    [Theory]
    [InlineData("cancelado", "reactivar")]
    [InlineData("activo", "reactivar")]
    [InlineData("pendiente_instalacion", "suspender")]
    [InlineData("suspendido", "cambiar_plan")]
    public void Transiciones_prohibidas_son_422(string desde, string accion) =>
        Assert.Throws<ErrorRegla>(() => EstadosContrato.Aplicar(desde, accion));

    [Fact]
    public void Accion_desconocida_es_400() =>
        Assert.Throws<ErrorValidacion>(() => EstadosContrato.Aplicar("activo", "borrar"));
}
