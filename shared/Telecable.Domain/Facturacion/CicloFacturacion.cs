using Telecable.Domain.Catalogo;

namespace Telecable.Domain.Facturacion;

/// <summary>The days of a cycle an invoice covers: <see cref="Desde"/>..<see cref="Hasta"/> both included, out of
/// <see cref="DiasCiclo"/> (the days from the cycle's cut-off <see cref="Corte"/> to the next).</summary>
public sealed record Cobertura(DateOnly Periodo, DateOnly Corte, DateOnly Desde, DateOnly Hasta, int DiasCiclo)
{
    public int Dias => Hasta.DayNumber - Desde.DayNumber + 1;
    public bool Completa => Dias >= DiasCiclo;
    /// <summary>Invoice line text: "del 17/11/2026 al 30/11/2026".</summary>
    public string Texto => $"del {Desde:dd/MM/yyyy} al {Hasta:dd/MM/yyyy}";
}

/// <summary>
/// Billing cycles and proration to the day (issue 18). Pure; dates are Mexico City business days.
///
/// <para><b>The cycle.</b> A contract with cut-off day <c>d</c> (1..28, so every month has it) bills in advance:
/// the cycle of period <c>P</c> (a month, stored as its first day) runs from the cut-off <c>P-d</c> through the day
/// before the next cut-off (<c>(P+1)-d</c> minus one day). The invoice of period P is generated on its cut-off day and
/// is due <c>dias_pago</c> days (per plan) later. One invoice per contract and period (the index
/// <c>ux_facturas_contrato_periodo</c>).</para>
///
/// <para><b>Proration.</b> A part of a cycle costs <c>monthly price x days used / days of the cycle</c> (28..31),
/// rounded to the cent half away from zero (SAT's rounding of CFDI amounts); a whole cycle costs exactly the
/// monthly price. Days are counted inclusive: installation day is charged, cancellation day is charged.</para>
/// <list type="bullet">
/// <item>First invoice: from the activation day to the day before the next cut-off (the period the activation falls
/// in; activated on the cut-off day it is a whole cycle).</item>
/// <item>Cancellation: the last invoice covers up to the cancellation date.</item>
/// <item>Promotion ending mid-cycle (it lasts <c>meses</c> months from activation): its discount applies to the days of
/// the cycle before it ends, in the same proportion.</item>
/// <item>Plan change, immediate: the unused days of the current cycle (today through the cycle's end) of the old plan
/// are credited and the same days of the new plan charged; the difference travels on the next invoice (a charge) or
/// on the credit ledger (a credit). Deferred: the new plan applies from the next cut-off, nothing is prorated.</item>
/// </list>
/// </summary>
public static class CicloFacturacion
{
    public static void ValidarDia(int diaCorte)
    {
        if (diaCorte is < 1 or > 28) throw new ArgumentOutOfRangeException(nameof(diaCorte), "Entre 1 y 28.");
    }

    /// <summary>A contract's cut-off day when the customer did not choose one: the allowed day on or after the start day,
    /// else the first allowed day (next month's); with no catalog list, the start day (28 at most).</summary>
    public static int DiaPorDefecto(DateOnly inicio, IReadOnlyList<int> permitidos)
    {
        if (permitidos.Count == 0) return Math.Min(inicio.Day, 28);
        var ordenados = permitidos.Order().ToList();
        return ordenados.FirstOrDefault(d => d >= inicio.Day, ordenados[0]);
    }

    /// <summary>The cut-off date of a period.</summary>
    public static DateOnly Corte(DateOnly periodo, int diaCorte)
    {
        ValidarDia(diaCorte);
        return new DateOnly(periodo.Year, periodo.Month, diaCorte);
    }

    /// <summary>The period whose cycle contains <paramref name="fecha"/>.</summary>
    public static DateOnly PeriodoDe(DateOnly fecha, int diaCorte)
    {
        ValidarDia(diaCorte);
        var mes = new DateOnly(fecha.Year, fecha.Month, 1);
        return fecha.Day >= diaCorte ? mes : mes.AddMonths(-1);
    }

    /// <summary>The whole cycle of a period.</summary>
    public static Cobertura Ciclo(DateOnly periodo, int diaCorte)
    {
        var desde = Corte(periodo, diaCorte);
        var siguiente = Corte(periodo.AddMonths(1), diaCorte);
        return new Cobertura(periodo, desde, desde, siguiente.AddDays(-1), siguiente.DayNumber - desde.DayNumber);
    }

    /// <summary>What a contract uses of a period's cycle: from its activation (if later than the cut-off) to its
    /// cancellation (if earlier than the cycle's end); null when it did not have service in that cycle.</summary>
    public static Cobertura? Cubierta(DateOnly periodo, int diaCorte, DateOnly activacion, DateOnly? cancelacion)
    {
        var c = Ciclo(periodo, diaCorte);
        var desde = activacion > c.Desde ? activacion : c.Desde;
        var hasta = cancelacion is { } b && b < c.Hasta ? b : c.Hasta;
        return hasta < desde ? null : c with { Desde = desde, Hasta = hasta };
    }

    /// <summary>monthly x dias / diasCiclo, rounded to cents half away from zero; exactly the monthly price for a whole cycle.</summary>
    public static decimal Prorratear(decimal mensual, int dias, int diasCiclo)
    {
        if (mensual < 0) throw new ArgumentOutOfRangeException(nameof(mensual), "No puede ser negativo.");
        if (diasCiclo <= 0 || dias < 0) throw new ArgumentOutOfRangeException(nameof(dias));
        return dias >= diasCiclo ? mensual : ReglasFiscalesTelecom.Redondear(mensual * dias / diasCiclo);
    }

    public static decimal Prorratear(decimal mensual, Cobertura c) => Prorratear(mensual, c.Dias, c.DiasCiclo);

    /// <summary>Due date: the cut-off (or the day it is issued, when later: a late first invoice) plus the plan's payment days.</summary>
    public static DateOnly Vencimiento(Cobertura c, DateOnly emision, int diasPago)
    {
        if (diasPago < 0) throw new ArgumentOutOfRangeException(nameof(diasPago));
        return (emision > c.Corte ? emision : c.Corte).AddDays(diasPago);
    }

    /// <summary>
    /// The share of a promotion's monthly discount that applies to the covered days: the promotion lasts
    /// <paramref name="meses"/> months from activation (it ends the day before activation + meses months). Returns the
    /// fraction of <paramref name="c"/>'s days the promotion covers (0..1).
    /// </summary>
    public static decimal FraccionPromocion(Cobertura c, DateOnly activacion, int meses)
    {
        var fin = activacion.AddMonths(meses).AddDays(-1);
        if (fin < c.Desde) return 0m;
        if (fin >= c.Hasta) return 1m;
        return (decimal)(fin.DayNumber - c.Desde.DayNumber + 1) / c.Dias;
    }

    /// <summary>An immediate plan change on <paramref name="hoy"/>: the old plan's unused days credited, the new plan's
    /// same days charged (both before taxes), over the current cycle; the difference is what moves.</summary>
    public static CambioProrrateado CambioInmediato(DateOnly hoy, int diaCorte, decimal mensualAnterior, decimal mensualNuevo)
    {
        var ciclo = Ciclo(PeriodoDe(hoy, diaCorte), diaCorte);
        var resto = ciclo with { Desde = hoy };
        var credito = Prorratear(mensualAnterior, resto);
        var cargo = Prorratear(mensualNuevo, resto);
        return new CambioProrrateado(resto, credito, cargo);
    }

    /// <summary>When a deferred change (downgrade at the next cut-off) takes effect.</summary>
    public static DateOnly SiguienteCorte(DateOnly hoy, int diaCorte) => Corte(PeriodoDe(hoy, diaCorte).AddMonths(1), diaCorte);
}

/// <summary>An immediate plan change priced over the rest of the cycle: <see cref="Credito"/> for the old plan's unused
/// days, <see cref="Cargo"/> for the new plan's; <see cref="Neto"/> &gt; 0 is charged on the next invoice, &lt; 0 credited.</summary>
public sealed record CambioProrrateado(Cobertura Resto, decimal Credito, decimal Cargo)
{
    public decimal Neto => Cargo - Credito;
}

/// <summary>
/// Optional late fee per plan (<c>planes.recargo_mora</c>, before taxes; null = none): an invoice not fully paid by the
/// end of its due date earns one fee, charged as a line of the contract's next invoice (never a separate CFDI, never
/// twice for the same invoice). The fee is part of the value of the service (LIVA art. 18: "intereses moratorios, penas
/// convencionales"), so it carries the service's SAT keys and its taxes.
/// </summary>
public static class RecargoMora
{
    public const string Concepto = "Recargo por pago tardío";

    /// <summary>Whether an invoice due on <paramref name="vencimiento"/> earns the fee, seen on <paramref name="hoy"/>:
    /// paid in full on <paramref name="liquidadaEl"/> (a Mexico date) or still open.</summary>
    public static bool Aplica(decimal? recargo, DateOnly vencimiento, DateOnly? liquidadaEl, DateOnly hoy) =>
        recargo is > 0m && (liquidadaEl is { } l ? l > vencimiento : hoy > vencimiento);
}

/// <summary>The customer portal's warning about suspension (Spanish, one place), from the oldest open invoice.</summary>
public static class AvisoCuenta
{
    /// <summary>The day the service is suspended if the invoice due on <paramref name="vencimiento"/> stays unpaid.</summary>
    public static DateOnly DiaSuspension(DateOnly vencimiento, int diasGracia, DateOnly? promesaHasta)
    {
        var dia = vencimiento.AddDays(diasGracia + 1);
        return promesaHasta is { } p && p >= dia ? p.AddDays(1) : dia;
    }

    public static string? Texto(bool suspendido, decimal porPagar, DateOnly? vencimiento, int diasGracia, DateOnly? promesaHasta, DateOnly hoy)
    {
        var monto = porPagar.ToString("N2", System.Globalization.CultureInfo.GetCultureInfo("es-MX"));
        if (suspendido && porPagar > 0)
            return $"Tu servicio está suspendido por falta de pago. Paga ${monto} y se reactiva en segundos.";
        if (porPagar <= 0 || vencimiento is not { } v) return null;
        var dia = DiaSuspension(v, diasGracia, promesaHasta);
        if (hoy > v)
            return $"Tu pago venció el {v:dd/MM/yyyy}. Paga ${monto} antes del {dia:dd/MM/yyyy} para evitar la suspensión del servicio.";
        if (hoy >= v.AddDays(-3))
            return $"Tu pago de ${monto} vence el {v:dd/MM/yyyy}.";
        return null;
    }
}
