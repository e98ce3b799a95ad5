namespace Telecable.Domain.Pagos;

public static class MetodosPago
{
    public const string Efectivo = "efectivo";
    public const string Tarjeta = "tarjeta";
    public const string Spei = "spei";
    public const string Oxxo = "oxxo";
    public static readonly IReadOnlySet<string> Todos = new HashSet<string> { Efectivo, Tarjeta, Spei, Oxxo };

    /// <summary>SAT c_FormaPago for the payment complement: 01 efectivo (also OXXO cash), 03 transferencia, 04 tarjeta.</summary>
    public static string FormaPagoSat(string metodo) => metodo switch
    {
        Efectivo or Oxxo => "01",
        Spei => "03",
        Tarjeta => "04",
        _ => "99",
    };
}

/// <summary>Money rules: MXN amounts are positive with at most two decimals.</summary>
public static class Montos
{
    public static bool EsValido(decimal monto) => monto > 0m && monto <= 9_999_999_999.99m && decimal.Round(monto, 2) == monto;
}

/// <summary>What is still owed on an invoice before this payment.</summary>
public sealed record SaldoFactura(Guid FacturaId, decimal Total, decimal Pagado, int Parcialidades)
{
    public decimal Saldo => Total - Pagado;
}

public sealed record AplicacionCalculada(Guid FacturaId, int NumParcialidad, decimal SaldoAnterior, decimal Monto)
{
    public decimal SaldoInsoluto => SaldoAnterior - Monto;
    public bool Liquida => SaldoInsoluto == 0m;
}

public sealed record DistribucionPago(IReadOnlyList<AplicacionCalculada> Aplicaciones, decimal SaldoAFavor);

/// <summary>
/// Spreads a payment over invoices in the given order (the customer's choice, or oldest first): each
/// gets up to its balance; what is left becomes credit (saldo a favor). A partial payment leaves the rest due.
/// </summary>
public static class DistribuidorPago
{
    public static DistribucionPago Distribuir(decimal monto, IEnumerable<SaldoFactura> facturas)
    {
        if (!Montos.EsValido(monto)) throw new ArgumentOutOfRangeException(nameof(monto));
        var restante = monto;
        var aplicaciones = new List<AplicacionCalculada>();
        foreach (var f in facturas)
        {
            if (restante == 0m) break;
            if (f.Saldo <= 0m) continue;
            var aplicar = Math.Min(restante, f.Saldo);
            aplicaciones.Add(new AplicacionCalculada(f.FacturaId, f.Parcialidades + 1, f.Saldo, aplicar));
            restante -= aplicar;
        }
        return new DistribucionPago(aplicaciones, restante);
    }
}

/// <summary>Age buckets of what is owed, by days past the due date.</summary>
public static class Antiguedad
{
    public const string PorVencer = "porVencer";
    public static readonly string[] Rangos = ["0-30", "31-60", "61-90", "90+"];

    public static string Rango(DateOnly vencimiento, DateOnly hoy)
    {
        var dias = hoy.DayNumber - vencimiento.DayNumber;
        return dias switch { < 0 => PorVencer, <= 30 => "0-30", <= 60 => "31-60", <= 90 => "61-90", _ => "90+" };
    }
}
