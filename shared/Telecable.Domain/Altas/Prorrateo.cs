using Telecable.Domain.Catalogo;

namespace Telecable.Domain.Altas;

/// <summary>
/// The first invoice of a contract activated mid-period. Billing (issue 4) uses
/// <see cref="PrimerPeriodo"/> for the first charge of a contract instead of the full monthly price:
/// days from the activation date to the day before the next cut day (inclusive), over the days of the
/// activation month, times the monthly price; rounded to cents half away from zero, as SAT's rounding
/// of CFDI amounts (the same rule as <see cref="ReglasFiscalesTelecom.Redondear"/>). Taxes are then
/// computed on that amount by <see cref="ReglasFiscalesTelecom"/>.
/// </summary>
public static class Prorrateo
{
    public sealed record Resultado(DateOnly Desde, DateOnly Hasta, int DiasCobrados, int DiasDelMes, decimal Importe);

    /// <summary>The next cut date strictly after the activation: the cut day of this month if it is later, else of next month.</summary>
    public static DateOnly SiguienteCorte(DateOnly activacion, int diaCorte)
    {
        if (diaCorte is < 1 or > 28) throw new ArgumentOutOfRangeException(nameof(diaCorte), "Entre 1 y 28.");
        var esteMes = new DateOnly(activacion.Year, activacion.Month, diaCorte);
        return esteMes > activacion ? esteMes : esteMes.AddMonths(1);
    }

    /// <summary>Amount of the first (partial) period: activation day through the day before the next cut, both included.</summary>
    public static Resultado PrimerPeriodo(DateOnly activacion, int diaCorte, decimal precioMensual)
    {
        if (precioMensual < 0) throw new ArgumentOutOfRangeException(nameof(precioMensual), "No puede ser negativo.");
        var corte = SiguienteCorte(activacion, diaCorte);
        var dias = corte.DayNumber - activacion.DayNumber;
        var diasMes = DateTime.DaysInMonth(activacion.Year, activacion.Month);
        var importe = dias >= diasMes ? precioMensual : ReglasFiscalesTelecom.Redondear(precioMensual * dias / diasMes);
        return new Resultado(activacion, corte.AddDays(-1), dias, diasMes, importe);
    }
}
