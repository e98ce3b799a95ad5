using Telecable.Domain.Altas;
using Telecable.Domain.Comun;
using Telecable.Domain.Tickets;
using Xunit;

namespace Telecable.Domain.Tests.Tickets;

public sealed class EstadosTicketTests
{
    [Theory]
    [InlineData("instalacion", "abierto", "asignado")]
    [InlineData("instalacion", "asignado", "en_camino")]
    [InlineData("instalacion", "en_camino", "en_sitio")]
    [InlineData("instalacion", "en_sitio", "instalado")]
    [InlineData("instalacion", "instalado", "cerrado")]
    [InlineData("soporte", "en_sitio", "cerrado")]
    [InlineData("soporte", "abierto", "cancelado")]
    [InlineData("instalacion", "en_camino", "cancelado")]
    public void Transiciones_permitidas(string tipo, string desde, string hacia) =>
        Assert.Equal(hacia, EstadosTicket.Validar(tipo, desde, hacia));

    [Theory]
    [InlineData("instalacion", "abierto", "instalado")]
    [InlineData("instalacion", "asignado", "en_sitio")]
    [InlineData("soporte", "en_sitio", "instalado")]
    [InlineData("instalacion", "en_sitio", "cerrado")]
    [InlineData("instalacion", "cerrado", "abierto")]
    [InlineData("soporte", "cancelado", "asignado")]
    [InlineData("instalacion", "en_sitio", "cancelado")]
    [InlineData("instalacion", "instalado", "en_sitio")]
    public void Transiciones_prohibidas_son_422(string tipo, string desde, string hacia)
    {
        Assert.False(EstadosTicket.Permitida(tipo, desde, hacia));
        var e = Assert.Throws<ErrorRegla>(() => EstadosTicket.Validar(tipo, desde, hacia));
        Assert.Contains(desde, e.Message);
    }

    [Fact]
    public void Estado_desconocido_es_400() =>
        Assert.Throws<ErrorValidacion>(() => EstadosTicket.Validar("soporte", "abierto", "inexistente"));

    [Fact]
    public void Estados_finales_no_tienen_salida()
    {
        foreach (var final in new[] { "cerrado", "cancelado" })
            Assert.All(EstadosTicket.Todos, h => Assert.False(EstadosTicket.Permitida("instalacion", final, h)));
    }
}

public sealed class ProrrateoTests
{
    // Activated 2026-11-17, cut day 1, 499.00 a month: 17..30 Nov = 14 of 30 days: 499 * 14 / 30 = 232.8666.. -> 232.87
    [Fact]
    public void Ejemplo_noviembre_corte_dia_1()
    {
        var r = Prorrateo.PrimerPeriodo(new DateOnly(2026, 11, 17), 1, 499.00m);
        Assert.Equal(new DateOnly(2026, 11, 30), r.Hasta);
        Assert.Equal(14, r.DiasCobrados);
        Assert.Equal(30, r.DiasDelMes);
        Assert.Equal(232.87m, r.Importe);
    }

    // Activated 2027-02-10, cut day 20, 430.00: 10..19 Feb = 10 of the 31 days of the cycle 20 Jan..19 Feb:
    // 430 * 10 / 31 = 138.709.. -> 138.71 (the denominator is the cycle's days, not the calendar month's)
    [Fact]
    public void Ejemplo_febrero_corte_el_mismo_mes() =>
        Assert.Equal(138.71m, Prorrateo.PrimerPeriodo(new DateOnly(2027, 2, 10), 20, 430.00m).Importe);

    // Activated 2026-01-31, cut day 1, 350.00: 1 of 31 days: 11.2903.. -> 11.29
    [Fact]
    public void Ejemplo_ultimo_dia_del_mes() =>
        Assert.Equal(11.29m, Prorrateo.PrimerPeriodo(new DateOnly(2026, 1, 31), 1, 350.00m).Importe);

    // Half a cent rounds away from zero: 100.10 * 15 / 30 = 50.05; 0.15 * 15 / 30 = 0.075 -> 0.08
    [Fact]
    public void Redondeo_sat_medio_centavo_hacia_arriba() =>
        Assert.Equal(0.08m, Prorrateo.PrimerPeriodo(new DateOnly(2026, 11, 16), 1, 0.15m).Importe);

    // Activated on the cut day: the whole month, exactly the monthly price.
    [Fact]
    public void Activado_el_dia_de_corte_cobra_el_mes_completo() =>
        Assert.Equal(499.00m, Prorrateo.PrimerPeriodo(new DateOnly(2026, 3, 5), 5, 499.00m).Importe);
}
