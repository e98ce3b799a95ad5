using Telecable.Domain.Facturacion;

namespace Telecable.Domain.Altas;

/// <summary>
/// The first invoice of a contract activated mid-cycle: the rule of <see cref="CicloFacturacion"/> (activation day
/// through the day before the next cut-off, both included, over the days of that cycle, times the monthly price;
/// rounded to cents half away from zero). Billing generates it from <see cref="CicloFacturacion.Cubierta"/>.
/// </summary>
public static class Prorrateo
{
    /// <param name="DiasDelMes">Days of the cycle the activation falls in (cut-off to cut-off).</param>
    public sealed record Resultado(DateOnly Desde, DateOnly Hasta, int DiasCobrados, int DiasDelMes, decimal Importe);

    /// <summary>The next cut date strictly after the activation: the cut day of this month if it is later, else of next month.</summary>
    public static DateOnly SiguienteCorte(DateOnly activacion, int diaCorte)
    {
        CicloFacturacion.ValidarDia(diaCorte);
        var esteMes = new DateOnly(activacion.Year, activacion.Month, diaCorte);
        return esteMes > activacion ? esteMes : esteMes.AddMonths(1);
    }

    /// <summary>Amount of the first (partial) period: activation day through the day before the next cut, both included.</summary>
    public static Resultado PrimerPeriodo(DateOnly activacion, int diaCorte, decimal precioMensual)
    {
        var c = CicloFacturacion.Cubierta(CicloFacturacion.PeriodoDe(activacion, diaCorte), diaCorte, activacion, null)!;
        return new Resultado(c.Desde, c.Hasta, c.Dias, c.DiasCiclo, CicloFacturacion.Prorratear(precioMensual, c));
    }
}
