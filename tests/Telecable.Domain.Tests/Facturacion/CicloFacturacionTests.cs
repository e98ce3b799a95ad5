using Telecable.Domain.Facturacion;
using Xunit;

namespace Telecable.Domain.Tests.Facturacion;

/// <summary>The cycle and proration rules of issue 18 (docs/facturacion.md, "Ciclos"). Monthly price 500.00, cut-off day 10
/// unless a case says otherwise.</summary>
public sealed class CicloFacturacionTests
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static Cobertura Primera(DateOnly activacion, int corte = 10) =>
        CicloFacturacion.Cubierta(CicloFacturacion.PeriodoDe(activacion, corte), corte, activacion, null)!;

    /// <summary>The worked examples of docs/facturacion.md ("Proration to the day"), monthly 430.00: the table there is this test.</summary>
    [Theory]
    [InlineData("2026-12-20", null, 10, "2026-12-10", "2027-01-09", 21, 31, "291.29")]
    [InlineData("2026-12-01", null, 1, "2026-12-01", "2026-12-31", 31, 31, "430.00")]
    [InlineData("2026-12-14", null, 15, "2026-11-15", "2026-12-14", 1, 30, "14.33")]
    [InlineData("2028-02-29", null, 1, "2028-02-01", "2028-02-29", 1, 29, "14.83")]
    [InlineData("2025-06-01", "2027-01-05", 10, "2026-12-10", "2027-01-09", 27, 31, "374.52")]
    public void Los_ejemplos_de_la_documentacion(string activacion, string? cancelacion, int corte, string cicloDesde, string cicloHasta,
        int dias, int diasCiclo, string monto)
    {
        var inicio = DateOnly.Parse(cancelacion ?? activacion, System.Globalization.CultureInfo.InvariantCulture);
        var c = CicloFacturacion.Cubierta(CicloFacturacion.PeriodoDe(inicio, corte), corte, DateOnly.Parse(activacion, System.Globalization.CultureInfo.InvariantCulture),
            cancelacion is null ? null : DateOnly.Parse(cancelacion, System.Globalization.CultureInfo.InvariantCulture))!;
        var ciclo = CicloFacturacion.Ciclo(c.Periodo, corte);
        Assert.Equal((cicloDesde, cicloHasta, dias, diasCiclo), (ciclo.Desde.ToString("yyyy-MM-dd"), ciclo.Hasta.ToString("yyyy-MM-dd"), c.Dias, c.DiasCiclo));
        Assert.Equal(decimal.Parse(monto, System.Globalization.CultureInfo.InvariantCulture), CicloFacturacion.Prorratear(430m, c));
    }

    [Fact]
    public void El_ciclo_va_del_corte_al_dia_anterior_al_siguiente_corte()
    {
        var c = CicloFacturacion.Ciclo(D(2026, 11, 1), 10);
        Assert.Equal((D(2026, 11, 10), D(2026, 12, 9), 30), (c.Desde, c.Hasta, c.DiasCiclo));
        Assert.True(c.Completa);
        Assert.Equal(500.00m, CicloFacturacion.Prorratear(500m, c));
    }

    // Installed on the 1st, cut-off 10: cycle 10 Oct..9 Nov (31 days), covers 1..9 Nov = 9 days: 500 * 9 / 31 = 145.16
    [Fact]
    public void Instalado_el_dia_1()
    {
        var c = Primera(D(2026, 11, 1));
        Assert.Equal((D(2026, 10, 1), D(2026, 11, 1), D(2026, 11, 9), 9, 31), (c.Periodo, c.Desde, c.Hasta, c.Dias, c.DiasCiclo));
        Assert.Equal(145.16m, CicloFacturacion.Prorratear(500m, c));
    }

    // Installed on the 15th: cycle 10 Nov..9 Dec (30 days), 15 Nov..9 Dec = 25 days: 500 * 25 / 30 = 416.666.. -> 416.67
    [Fact]
    public void Instalado_el_dia_15()
    {
        var c = Primera(D(2026, 11, 15));
        Assert.Equal((D(2026, 11, 1), 25, 30), (c.Periodo, c.Dias, c.DiasCiclo));
        Assert.Equal(416.67m, CicloFacturacion.Prorratear(500m, c));
    }

    // The day before the cut-off: one day of a 31-day cycle: 16.129.. -> 16.13; the next invoice is the whole cycle.
    [Fact]
    public void Instalado_el_dia_anterior_al_corte()
    {
        var c = Primera(D(2026, 11, 9));
        Assert.Equal((D(2026, 11, 9), D(2026, 11, 9), 1, 31), (c.Desde, c.Hasta, c.Dias, c.DiasCiclo));
        Assert.Equal(16.13m, CicloFacturacion.Prorratear(500m, c));
        Assert.Equal(500m, CicloFacturacion.Prorratear(500m, CicloFacturacion.Cubierta(D(2026, 11, 1), 10, D(2026, 11, 9), null)!));
    }

    [Fact]
    public void Instalado_el_dia_de_corte_es_el_ciclo_completo() =>
        Assert.Equal(500m, CicloFacturacion.Prorratear(500m, Primera(D(2026, 11, 10))));

    // 29 Feb 2028 (leap year). Cut-off 1: cycle 1..29 Feb (29 days), one day: 17.24.
    // Cut-off 15: cycle 15 Feb..14 Mar (29 days), 29 Feb..14 Mar = 15 days: 500 * 15 / 29 = 258.62
    [Fact]
    public void Instalado_el_29_de_febrero()
    {
        var c1 = Primera(D(2028, 2, 29), 1);
        Assert.Equal((1, 29), (c1.Dias, c1.DiasCiclo));
        Assert.Equal(17.24m, CicloFacturacion.Prorratear(500m, c1));
        var c15 = Primera(D(2028, 2, 29), 15);
        Assert.Equal((D(2028, 3, 14), 15, 29), (c15.Hasta, c15.Dias, c15.DiasCiclo));
        Assert.Equal(258.62m, CicloFacturacion.Prorratear(500m, c15));
    }

    // Upgrade on 25 Nov (cycle 10 Nov..9 Dec, 30 days): 15 days left: credit 400 * 15/30 = 200, charge 600 * 15/30 = 300.
    [Fact]
    public void Cambio_de_plan_inmediato_hacia_arriba()
    {
        var c = CicloFacturacion.CambioInmediato(D(2026, 11, 25), 10, 400m, 600m);
        Assert.Equal((D(2026, 11, 25), D(2026, 12, 9), 15), (c.Resto.Desde, c.Resto.Hasta, c.Resto.Dias));
        Assert.Equal((200m, 300m, 100m), (c.Credito, c.Cargo, c.Neto));
    }

    [Fact]
    public void Cambio_de_plan_inmediato_hacia_abajo_deja_credito()
    {
        var c = CicloFacturacion.CambioInmediato(D(2026, 11, 25), 10, 600m, 400m);
        Assert.Equal(-100m, c.Neto);
    }

    [Fact]
    public void Cambio_de_plan_al_siguiente_corte()
    {
        Assert.Equal(D(2026, 12, 10), CicloFacturacion.SiguienteCorte(D(2026, 11, 25), 10));
        Assert.Equal(D(2026, 12, 10), CicloFacturacion.SiguienteCorte(D(2026, 11, 10), 10));
        Assert.Equal(D(2026, 11, 10), CicloFacturacion.SiguienteCorte(D(2026, 11, 9), 10));
    }

    // Cancelled on 20 Nov: the last invoice covers 10..20 Nov (the cancellation day included) = 11 of 30 days: 183.33.
    [Fact]
    public void Cancelacion_factura_hasta_la_fecha_de_cancelacion()
    {
        var c = CicloFacturacion.Cubierta(D(2026, 11, 1), 10, D(2025, 1, 10), D(2026, 11, 20))!;
        Assert.Equal((D(2026, 11, 10), D(2026, 11, 20), 11), (c.Desde, c.Hasta, c.Dias));
        Assert.Equal(183.33m, CicloFacturacion.Prorratear(500m, c));
        Assert.Null(CicloFacturacion.Cubierta(D(2026, 12, 1), 10, D(2025, 1, 10), D(2026, 11, 20)));
    }

    // Activated 15 Jun with a 3-month promotion: it ends 14 Sep. Cycle 10 Sep..9 Oct: 5 of 30 days discounted.
    [Fact]
    public void Promocion_que_vence_a_mitad_de_ciclo_se_prorratea()
    {
        var c = CicloFacturacion.Ciclo(D(2026, 9, 1), 10);
        Assert.Equal(5m / 30m, CicloFacturacion.FraccionPromocion(c, D(2026, 6, 15), 3));
        Assert.Equal(1m, CicloFacturacion.FraccionPromocion(CicloFacturacion.Ciclo(D(2026, 8, 1), 10), D(2026, 6, 15), 3));
        Assert.Equal(0m, CicloFacturacion.FraccionPromocion(CicloFacturacion.Ciclo(D(2026, 10, 1), 10), D(2026, 6, 15), 3));
    }

    [Fact]
    public void Vence_dias_de_pago_despues_del_corte_o_de_la_emision_si_es_posterior()
    {
        var c = CicloFacturacion.Ciclo(D(2026, 11, 1), 10);
        Assert.Equal(D(2026, 11, 20), CicloFacturacion.Vencimiento(c, D(2026, 11, 10), 10));
        Assert.Equal(D(2026, 11, 25), CicloFacturacion.Vencimiento(c, D(2026, 11, 15), 10));
        Assert.Equal(D(2026, 11, 20), CicloFacturacion.Vencimiento(c, D(2026, 11, 3), 10));
    }

    [Fact]
    public void Periodo_de_una_fecha()
    {
        Assert.Equal(D(2026, 11, 1), CicloFacturacion.PeriodoDe(D(2026, 11, 10), 10));
        Assert.Equal(D(2026, 10, 1), CicloFacturacion.PeriodoDe(D(2026, 11, 9), 10));
        Assert.Equal(D(2025, 12, 1), CicloFacturacion.PeriodoDe(D(2026, 1, 9), 10));
    }
}

public sealed class RecargoMoraTests
{
    private static readonly DateOnly Vence = new(2026, 11, 20);

    [Fact]
    public void Pagada_a_tiempo_no_genera_recargo() =>
        Assert.False(RecargoMora.Aplica(50m, Vence, Vence, new DateOnly(2026, 12, 10)));

    [Fact]
    public void Pagada_tarde_o_abierta_tras_vencer_genera_recargo()
    {
        Assert.True(RecargoMora.Aplica(50m, Vence, Vence.AddDays(1), new DateOnly(2026, 12, 10)));
        Assert.True(RecargoMora.Aplica(50m, Vence, null, Vence.AddDays(1)));
        Assert.False(RecargoMora.Aplica(50m, Vence, null, Vence));
    }

    [Fact]
    public void Plan_sin_recargo_nunca_lo_genera() =>
        Assert.False(RecargoMora.Aplica(null, Vence, null, Vence.AddDays(30)));
}

public sealed class AvisoCuentaTests
{
    private static readonly DateOnly Vence = new(2026, 11, 20);

    [Fact]
    public void Vencida_avisa_el_dia_de_suspension_y_una_promesa_lo_mueve()
    {
        Assert.Equal(new DateOnly(2026, 11, 26), AvisoCuenta.DiaSuspension(Vence, 5, null));
        Assert.Equal(new DateOnly(2026, 12, 1), AvisoCuenta.DiaSuspension(Vence, 5, new DateOnly(2026, 11, 30)));
        Assert.Contains("26/11/2026", AvisoCuenta.Texto(false, 580m, Vence, 5, null, Vence.AddDays(1)));
    }

    [Fact]
    public void Suspendido_dice_como_reactivar_y_al_corriente_no_avisa()
    {
        Assert.Contains("suspendido", AvisoCuenta.Texto(true, 580m, Vence, 5, null, Vence.AddDays(9)));
        Assert.Null(AvisoCuenta.Texto(false, 0m, null, 5, null, Vence));
        Assert.Null(AvisoCuenta.Texto(false, 580m, Vence, 5, null, Vence.AddDays(-10)));
    }
}

public sealed class DiaCorteTests
{
    [Fact]
    public void Por_defecto_el_dia_permitido_siguiente_al_inicio()
    {
        int[] permitidos = [1, 5, 10, 15, 20, 25];
        Assert.Equal(15, CicloFacturacion.DiaPorDefecto(new DateOnly(2026, 6, 15), permitidos));
        Assert.Equal(20, CicloFacturacion.DiaPorDefecto(new DateOnly(2026, 6, 16), permitidos));
        Assert.Equal(1, CicloFacturacion.DiaPorDefecto(new DateOnly(2026, 6, 27), permitidos));
        Assert.Equal(28, CicloFacturacion.DiaPorDefecto(new DateOnly(2026, 1, 31), []));
    }
}
