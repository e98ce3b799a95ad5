using Telecable.Domain.Comun;
using Telecable.Domain.Routers;

namespace Telecable.Domain.Tests.Routers;

public sealed class ReglasTelemetriaTests
{
    private static ReporteRouter R(decimal senal, decimal? snr = null, long? errores = null, string serial = "HWTC00000001", long uptime = 10) =>
        new(serial, "V1", uptime, senal, snr, 100m, 20m, 3, errores, null);

    [Theory]
    [InlineData(-19.5, "en_linea")]
    [InlineData(-8, "en_linea")]
    [InlineData(-27, "en_linea")]
    [InlineData(-27.01, "degradado")]
    [InlineData(-7.5, "degradado")]
    public void Ftth_sana_entre_menos_27_y_menos_8_dbm(double senal, string esperado) =>
        Assert.Equal(esperado, ReglasTelemetria.Clasificar(R((decimal)senal), TecnologiasRouter.Ftth));

    [Theory]
    [InlineData(3.2, 38.5, "en_linea")]
    [InlineData(3.2, 32.9, "degradado")]
    [InlineData(11, 38.5, "degradado")]
    [InlineData(-10, 33, "en_linea")]
    public void Docsis_por_potencia_y_snr(double senal, double snr, string esperado) =>
        Assert.Equal(esperado, ReglasTelemetria.Clasificar(R((decimal)senal, (decimal)snr), TecnologiasRouter.Docsis));

    [Fact]
    public void Muchos_errores_degradan_aun_con_buena_senal()
    {
        Assert.Equal("degradado", ReglasTelemetria.Clasificar(R(-19m, errores: 101), TecnologiasRouter.Ftth, 100));
        Assert.Equal("en_linea", ReglasTelemetria.Clasificar(R(-19m, errores: 100), TecnologiasRouter.Ftth, 100));
    }

    [Fact]
    public void Validar_reune_todos_los_campos_y_exige_snr_en_docsis()
    {
        var e = Assert.Throws<ErrorValidacion>(() => ReglasTelemetria.Validar(
            new ReporteRouter("OTRO0001", "", -1, -70m, 80m, -1m, 1e6m, -2, -5, null), "HWTC00000001", TecnologiasRouter.Ftth));
        var campos = e.Errores.Select(x => x.Campo).ToHashSet();
        foreach (var c in new[] { "serial", "firmware", "uptimeSegundos", "senalDbm", "snrDb", "bajadaMbps", "subidaMbps", "clientesConectados", "errores" })
            Assert.Contains(c, campos);

        var d = Assert.Throws<ErrorValidacion>(() => ReglasTelemetria.Validar(R(3m), "HWTC00000001", TecnologiasRouter.Docsis));
        Assert.Equal("snrDb", Assert.Single(d.Errores).Campo);
        ReglasTelemetria.Validar(R(-19m), "HWTC00000001", TecnologiasRouter.Ftth);
    }
}
