using Telecable.Domain.Cobranza;
using Telecable.Domain.Routers;

namespace Telecable.Domain.Tests.Cobranza;

public sealed class ReglasCobranzaTests
{
    private static readonly DateOnly Vence = new(2026, 12, 10);

    private static IReadOnlyList<string> Pendientes(DateOnly hoy, int gracia = 5, DateOnly? promesa = null, params string[] hechas) =>
        ReglasCobranza.Pendientes(new FacturaAbierta(Vence, gracia, promesa, hechas.ToHashSet()), hoy);

    [Theory]
    [InlineData("2026-12-06", "")]
    [InlineData("2026-12-07", "recordatorio_previo")]
    [InlineData("2026-12-09", "recordatorio_previo")]
    [InlineData("2026-12-10", "recordatorio_vencimiento")]
    [InlineData("2026-12-11", "recordatorio_vencida")]
    [InlineData("2026-12-15", "recordatorio_vencida")]
    [InlineData("2026-12-16", "recordatorio_vencida,suspension")]
    public void Cada_etapa_llega_en_su_dia(string hoy, string esperadas) =>
        Assert.Equal(esperadas, string.Join(",", Pendientes(DateOnly.Parse(hoy))));

    [Fact]
    public void Una_etapa_hecha_no_se_repite_y_un_aviso_posterior_cubre_los_anteriores()
    {
        Assert.Empty(Pendientes(new DateOnly(2026, 12, 8), hechas: EtapasCobranza.RecordatorioPrevio));
        Assert.Equal([EtapasCobranza.RecordatorioVencimiento], Pendientes(Vence, hechas: EtapasCobranza.RecordatorioPrevio));
        Assert.Empty(Pendientes(new DateOnly(2026, 12, 9), hechas: EtapasCobranza.RecordatorioVencida));
        Assert.Empty(Pendientes(new DateOnly(2026, 12, 20), hechas: [EtapasCobranza.RecordatorioVencida, EtapasCobranza.Suspension]));
    }

    [Fact]
    public void La_gracia_es_del_plan_y_la_promesa_detiene_la_suspension_hasta_su_dia_inclusive()
    {
        Assert.DoesNotContain(EtapasCobranza.Suspension, Pendientes(new DateOnly(2026, 12, 16), gracia: 10));
        Assert.Contains(EtapasCobranza.Suspension, Pendientes(new DateOnly(2026, 12, 11), gracia: 0));
        Assert.DoesNotContain(EtapasCobranza.Suspension, Pendientes(new DateOnly(2026, 12, 18), promesa: new DateOnly(2026, 12, 18)));
        Assert.Contains(EtapasCobranza.Suspension, Pendientes(new DateOnly(2026, 12, 19), promesa: new DateOnly(2026, 12, 18)));
    }

    [Fact]
    public void Las_plantillas_dicen_folio_monto_en_pesos_y_como_pagar()
    {
        var (asunto, cuerpo) = PlantillasCobranza.Mensaje(EtapasCobranza.Suspension, "Ana", "A123", 1234.5m, Vence, PlantillasCobranza.ComoPagar);
        Assert.Equal("Servicio suspendido por falta de pago", asunto);
        Assert.Contains("A123", cuerpo);
        Assert.Contains("$1,234.50 MXN", cuerpo);
        Assert.Contains("10 de diciembre", cuerpo);
        Assert.Contains("Paga en línea", cuerpo);
        Assert.Throws<ArgumentOutOfRangeException>(() => PlantillasCobranza.Mensaje("otra", "Ana", "A1", 1m, Vence, ""));
    }

    [Fact]
    public void Un_router_que_se_reporta_suspendido_queda_suspendido_aunque_su_senal_sea_buena()
    {
        var r = new ReporteRouter("S1", "1.0", 10, -19m, null, 0m, 0m, 0, 0, null, Suspendido: true);
        Assert.Equal(EstadosRouter.Suspendido, ReglasTelemetria.Clasificar(r, "FTTH_GPON"));
        Assert.Equal(EstadosRouter.EnLinea, ReglasTelemetria.Clasificar(r with { Suspendido = null }, "FTTH_GPON"));
    }
}
