using Telecable.Domain.Cfdi;
using Telecable.Domain.Comun;

namespace Telecable.Domain.Facturacion;

/// <summary>
/// A plan's service-level rule (catalog columns <c>planes.sla_umbral_horas</c> and <c>planes.sla_factor</c>): an outage
/// longer than <see cref="UmbralHoras"/> earns a credit of <see cref="Factor"/> times the share of the month it lasted.
/// A combo (no single plan) uses <see cref="PorDefecto"/>.
/// </summary>
public sealed record ReglaSla(decimal UmbralHoras, decimal Factor)
{
    public static readonly ReglaSla PorDefecto = new(4m, 1m);
}

/// <summary>What an outage earned: the hours lost, the share of the month's bill it is worth (0 when below the threshold)
/// and the month (Mexico City time) it started in, whose invoice it credits.</summary>
public sealed record EvaluacionSla(decimal Horas, decimal Fraccion, DateOnly Periodo)
{
    public bool GeneraCredito => Fraccion > 0m;
}

/// <summary>
/// SLA credits, pure: the hours lost run from the router's last report to the moment it reported again (the
/// outage as detected); a credit is earned only when they exceed the plan's threshold, and it is then proportional to
/// all the hours lost: hours / hours of that month x factor, at most the whole month. Applied to the period's
/// invoice total, taxes included, so the credit note carries each tax in the same share.
/// </summary>
public static class CreditoSla
{
    public static EvaluacionSla Evaluar(DateTimeOffset ultimoReporte, DateTimeOffset terminada, ReglaSla regla)
    {
        if (terminada < ultimoReporte) throw new ArgumentException("Una desconexión no termina antes de empezar.", nameof(terminada));
        var horas = decimal.Round((decimal)(terminada - ultimoReporte).TotalHours, 2, MidpointRounding.AwayFromZero);
        var inicio = RelojMexico.Hoy(ultimoReporte);
        var periodo = new DateOnly(inicio.Year, inicio.Month, 1);
        if (horas <= regla.UmbralHoras || regla.Factor <= 0m) return new EvaluacionSla(horas, 0m, periodo);
        var horasMes = DateTime.DaysInMonth(periodo.Year, periodo.Month) * 24m;
        return new EvaluacionSla(horas, Math.Min(1m, decimal.Round(horas / horasMes * regla.Factor, 6, MidpointRounding.AwayFromZero)), periodo);
    }

    /// <summary>The credit on an invoice of that total, to the cent (never less than one cent when earned).</summary>
    public static decimal Monto(decimal totalFactura, decimal fraccion) =>
        fraccion <= 0m ? 0m : Math.Max(0.01m, CalculadoraCfdi.Redondear(totalFactura * fraccion));
}
