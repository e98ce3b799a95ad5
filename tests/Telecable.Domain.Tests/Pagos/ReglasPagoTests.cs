using Telecable.Domain.Pagos;

namespace Telecable.Domain.Tests.Pagos;

public sealed class ReglasPagoTests
{
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid();

    [Theory]
    [InlineData("0.01", true)]
    [InlineData("350.5", true)]
    [InlineData("0", false)]
    [InlineData("-1", false)]
    [InlineData("10.001", false)]
    public void Montos_positivos_con_dos_decimales(string monto, bool valido) =>
        Assert.Equal(valido, Montos.EsValido(decimal.Parse(monto, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Pago_parcial_deja_saldo_y_no_genera_saldo_a_favor()
    {
        var d = DistribuidorPago.Distribuir(100m, [new SaldoFactura(A, 348m, 0m, 0)]);
        var a = Assert.Single(d.Aplicaciones);
        Assert.Equal((100m, 248m, 1, false), (a.Monto, a.SaldoInsoluto, a.NumParcialidad, a.Liquida));
        Assert.Equal(0m, d.SaldoAFavor);
    }

    [Fact]
    public void Pago_en_orden_liquida_la_primera_abona_la_segunda_y_el_excedente_es_saldo_a_favor()
    {
        var d = DistribuidorPago.Distribuir(500m, [new SaldoFactura(A, 300m, 100m, 1), new SaldoFactura(B, 250m, 0m, 0)]);
        Assert.Equal([(A, 200m, 2, true), (B, 250m, 1, true)], d.Aplicaciones.Select(a => (a.FacturaId, a.Monto, a.NumParcialidad, a.Liquida)));
        Assert.Equal(50m, d.SaldoAFavor);
        Assert.Equal(100m, DistribuidorPago.Distribuir(100m, []).SaldoAFavor);
    }

    [Theory]
    [InlineData(-1, "porVencer")]
    [InlineData(0, "0-30")]
    [InlineData(30, "0-30")]
    [InlineData(31, "31-60")]
    [InlineData(61, "61-90")]
    [InlineData(91, "90+")]
    public void Rangos_de_antiguedad(int diasVencida, string rango)
    {
        var hoy = new DateOnly(2026, 11, 27);
        Assert.Equal(rango, Antiguedad.Rango(hoy.AddDays(-diasVencida), hoy));
    }

    [Fact]
    public void Conciliador_encuentra_cada_tipo_de_diferencia()
    {
        var p1 = Guid.NewGuid(); var p2 = Guid.NewGuid(); var p3 = Guid.NewGuid();
        var r = Conciliador.Comparar(
            [new("pi_1", 10m), new("pi_2", 20m), new("pi_x", 5m), new("pi_1", 10m)],
            [new(p1, "pi_1", 10m), new(p2, "pi_2", 21m), new(p3, "pi_3", 30m)]);
        Assert.Equal(1, r.Coincidencias);
        Assert.Equal(
            [(TiposHallazgo.DiferenciaMonto, "pi_2", (Guid?)p2), (TiposHallazgo.FaltanteEnSistema, "pi_x", null), (TiposHallazgo.DuplicadoEnReporte, "pi_1", null), (TiposHallazgo.FaltanteEnPasarela, "pi_3", p3)],
            r.Hallazgos.Select(h => (h.Tipo, h.Referencia, h.PagoId)));
        Assert.Equal((35m, 0m, 35m), (r.Bruto, r.Comisiones, r.Neto));
    }

    [Fact]
    public void Conciliador_suma_comisiones_una_vez_por_linea_y_las_reporta_como_un_hallazgo_neto_contra_bruto()
    {
        var p1 = Guid.NewGuid();
        var r = Conciliador.Comparar(
            [new("ord_1", 100m, 3.90m), new("ord_2", 50m, 1.95m), new("ord_1", 100m, 3.90m)],
            [new(p1, "ord_1", 100m), new(Guid.NewGuid(), "ord_2", 50m)]);
        Assert.Equal(2, r.Coincidencias);
        Assert.Equal((150m, 5.85m, 144.15m), (r.Bruto, r.Comisiones, r.Neto));
        var comision = Assert.Single(r.Hallazgos, h => h.Tipo == TiposHallazgo.Comision);
        Assert.Equal((144.15m, 150m), (comision.MontoPasarela, comision.MontoSistema));
    }
}
