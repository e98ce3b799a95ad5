using Telecable.Domain.Catalogo;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;
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
    public void Partes_sueltas_sin_paquete_IEPS_solo_en_TV_y_telefonia()
    {
        // Quoted as separate parts (not a bundle): Internet 490 -> IVA 78.40 = 568.40; TV 320 -> IEPS 9.60, IVA 52.74 = 382.34;
        // Tel 90 -> 107.53
        var c = Cotizador.Cotizar([Fibra500, TvPremium, Telefonia], [], Hoy);
        Assert.Equal([0m, 9.60m, 2.70m], c.Lineas.Select(l => l.Ieps));
        Assert.Equal([78.40m, 52.74m, 14.83m], c.Lineas.Select(l => l.Iva));
        Assert.Equal((900m, 12.30m, 145.97m, 1058.27m), (c.Subtotal, c.Ieps, c.Iva, c.Total));
        Assert.Equal(c.Total, c.TotalRegular);
        Assert.Null(c.Promocion);
    }

    /// <summary>The triple play of the demo catalog in zone MTY_CENTRO: combo parts 490 / 320 / 90 (900.00), Fibra 500's
    /// standalone price there 515.00.</summary>
    private static readonly ParteCotizable[] TriplePlay = [Fibra500 with { PrecioIndependiente = 515m }, TvPremium, Telefonia];

    [Fact]
    public void Combo_cotiza_con_el_tope_de_30_por_ciento_de_internet_exento()
    {
        // LIEPS art. 8-IV-d, as the invoice bills it (ReglasFiscalesTelecom.DividirPaquete):
        //   internet at its standalone price 515.00; TV and telephony share 900 - 515 = 385 as 320 : 90
        //   -> TV round(385 x 320/410) = 300.49, telephony 385 - 300.49 = 84.51;
        //   30 % of 900.00 = 270.00 internet exempt, 515 - 270 = 245.00 internet taxed at 3 %.
        //   TV    300.49 + IEPS 9.01 (9.0147) + IVA 16 % of 309.50 = 49.52  -> 359.02
        //   Tel    84.51 + IEPS 2.54 (2.5353) + IVA of 87.05 = 13.93 (13.928) -> 100.98
        //   Int   270.00 exempt            + IVA 43.20                      -> 313.20
        //   Int   245.00 + IEPS 7.35        + IVA of 252.35 = 40.38 (40.376) -> 292.73
        //   900.00 + IEPS 18.90 + IVA 147.03 = 1,065.93 (the uncapped quote said 1,058.27: 7.66 less than the invoice)
        var c = Cotizador.Cotizar(TriplePlay, [], Hoy, esPaquete: true);
        Assert.Equal([300.49m, 84.51m, 270.00m, 245.00m], c.Lineas.Select(l => l.PrecioMensual));
        Assert.Equal([0.03m, 0.03m, 0m, 0.03m], c.Lineas.Select(l => l.TasaIeps));
        Assert.Equal([9.01m, 2.54m, 0m, 7.35m], c.Lineas.Select(l => l.Ieps));
        Assert.Equal([49.52m, 13.93m, 43.20m, 40.38m], c.Lineas.Select(l => l.Iva));
        Assert.Equal((900m, 18.90m, 147.03m, 1065.93m, 1065.93m), (c.Subtotal, c.Ieps, c.Iva, c.Total, c.TotalRegular));
        Assert.Equal(Fibra500.PlanId, c.Lineas[3].PlanId);
        Assert.Contains("excedente del 30 %", c.Lineas[3].Nombre);
    }

    [Fact]
    public void Combo_sin_precio_independiente_de_internet_cotiza_todo_con_IEPS()
    {
        // Without a standalone price the exemption cannot be shown: 490 x 3 % = 14.70 more IEPS than internet alone.
        // Internet 490 + 14.70 + IVA of 504.70 = 80.75 (80.752) -> 585.45; TV 382.34; Tel 107.53: total 1,075.32.
        var c = Cotizador.Cotizar([Fibra500, TvPremium, Telefonia], [], Hoy, esPaquete: true);
        Assert.Equal([14.70m, 9.60m, 2.70m], c.Lineas.Select(l => l.Ieps));
        Assert.Equal(1075.32m, c.Total);
    }

    [Fact]
    public void Descuento_fijo_de_combo_se_prorratea_por_linea_antes_de_impuestos()
    {
        // 100 over the bundle's lines 300.49 / 84.51 / 270.00 / 245.00 (900), as ArmadoFactura.Descuentos spreads it:
        // round(100 x 300.49/900) = 33.39, round(9.39) = 9.39, 30.00, and the last line the rest: 27.22.
        var promo = new Promocion(Guid.NewGuid(), "TRIPLE-100-6M", "Triple -100", Promocion.MontoFijo, 100m, 6, new(2026, 6, 1), new(2027, 5, 31));
        var c = Cotizador.Cotizar(TriplePlay, [promo], Hoy, esPaquete: true);
        Assert.Equal([33.39m, 9.39m, 30.00m, 27.22m], c.Lineas.Select(l => l.Descuento));
        // TV 267.10 + 8.01 + IVA of 275.11 = 44.02 -> 319.13; Tel 75.12 + 2.25 + IVA of 77.37 = 12.38 -> 89.75;
        // Int exempt 240.00 + 38.40 -> 278.40; Int taxed 217.78 + 6.53 + IVA of 224.31 = 35.89 -> 260.20. Total 947.48.
        Assert.Equal([319.13m, 89.75m, 278.40m, 260.20m], c.Lineas.Select(l => l.Total));
        Assert.Equal((100m, 947.48m, 1065.93m, 6), (c.Descuento, c.Total, c.TotalRegular, c.MesesPromocion!.Value));
    }

    private static Comprobante Factura(IReadOnlyList<LineaFactura> lineas) => CalculadoraCfdi.Calcular(new DatosComprobante
    {
        Serie = "A", Folio = "1", Fecha = new DateTime(2026, 12, 1, 6, 0, 0), FormaPago = "99", MetodoPago = "PPD", LugarExpedicion = "64000",
        Emisor = new Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601"),
        Receptor = new Receptor("XOJI740919U48", "INGRID XODAR JIMENEZ", "76028", "612", "G03"),
    }, lineas);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void La_cotizacion_del_combo_es_la_factura_que_se_emitira(bool conPromocion)
    {
        // One rule for both: what the quote says is what the billing run's lines (TarifasContratos -> ReglasFiscalesTelecom.Aplicar
        // -> ArmadoFactura -> CalculadoraCfdi) put on the CFDI, itemized or with the IEPS inside the price (art. 19-II).
        var promo = new Promocion(Guid.NewGuid(), "TRIPLE-100-6M", "Triple -100", Promocion.MontoFijo, 100m, 6, new(2026, 6, 1), new(2027, 5, 31));
        var c = Cotizador.Cotizar(TriplePlay, conPromocion ? [promo] : [], Hoy, esPaquete: true);
        var partes = TriplePlay.Select(p => new LineaContrato(p.PlanId, p.Clave, p.Nombre, p.ClaveProdServ, "E48",
            ReglasFiscalesTelecom.TasaIepsPara(p.TipoServicio), p.PrecioMensual, p.TipoServicio, p.PrecioIndependiente)).ToList();
        var vigente = conPromocion ? new PromocionVigente(promo.Clave, promo.TipoDescuento, promo.Valor) : null;
        var cfdi = Factura(ArmadoFactura.Lineas(ReglasFiscalesTelecom.Aplicar(partes, 900m, esPaquete: true, desglosaIeps: true), vigente, new DateOnly(2026, 12, 1)));
        Assert.Equal(c.Total, cfdi.Total);
        Assert.Equal(c.Lineas.Select(l => (l.PrecioMensual, l.Descuento)), cfdi.Conceptos.Select(k => (k.Importe, k.Descuento ?? 0m)));
        if (!conPromocion)
        {
            // Without a promotion the IEPS folded into the price (a customer who did not ask to itemize it) totals the same.
            var incluido = Factura(ArmadoFactura.Lineas(ReglasFiscalesTelecom.Aplicar(partes, 900m, esPaquete: true, desglosaIeps: false), null, new DateOnly(2026, 12, 1)));
            Assert.Equal(c.Total, incluido.Total);
        }
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
