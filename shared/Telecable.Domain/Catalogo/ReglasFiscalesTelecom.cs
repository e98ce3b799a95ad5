namespace Telecable.Domain.Catalogo;

/// <summary>The kind of service a plan sells. In SQL and JSON: 'internet', 'tv', 'telefonia'.</summary>
public static class TiposServicio
{
    public const string Internet = "internet";
    public const string Tv = "tv";
    public const string Telefonia = "telefonia";

    public static readonly IReadOnlySet<string> Todos = new HashSet<string>(StringComparer.Ordinal) { Internet, Tv, Telefonia };
}

/// <summary>
/// The one place that says how a telecom service is taxed, used by catalog prices, quotes and
/// billing alike:
/// <list type="bullet">
/// <item>IEPS 3% (LIEPS art. 2-I-C) on TV and telephony; internet access on its own is exempt (art. 8-IV-c); inside a
/// bundle only at its standalone price and up to 30 % of the bundle (art. 8-IV-d), and the IEPS is itemized only for a
/// receptor who is an IEPS taxpayer of the service and asks (art. 19-II): see ReglasFiscalesTelecom.Paquetes.cs;</item>
/// <item>IVA 16% (LIVA art. 1) on the net amount plus the IEPS of the same line (LIVA art. 18);</item>
/// <item>each tax rounded per line to cents, half away from zero (as <c>CalculadoraCfdi</c> does).</item>
/// </list>
/// </summary>
public static partial class ReglasFiscalesTelecom
{
    public const decimal TasaIva = 0.160000m;
    public const decimal TasaIeps = 0.030000m;
    public const string Moneda = "MXN";

    /// <summary>IEPS rate for a kind of service: 3% TV and telephony, 0 internet access.</summary>
    public static decimal TasaIepsPara(string tipoServicio) => tipoServicio switch
    {
        TiposServicio.Internet => 0m,
        TiposServicio.Tv or TiposServicio.Telefonia => TasaIeps,
        _ => throw new ArgumentOutOfRangeException(nameof(tipoServicio), tipoServicio, "Tipo de servicio desconocido."),
    };

    public static decimal Redondear(decimal valor) => Math.Round(valor, 2, MidpointRounding.AwayFromZero);

    /// <summary>Taxes of one line: price before taxes, minus its discount, then IEPS, then IVA over (net + IEPS).</summary>
    public static ImpuestosLinea Calcular(string tipoServicio, decimal precio, decimal descuento = 0m) =>
        Calcular(TasaIepsPara(tipoServicio), precio, descuento);

    /// <summary>The same at an explicit IEPS rate: a bundle's internet above the 30 % cap pays 3 % although its plan is
    /// exempt on its own (art. 8-IV-d).</summary>
    public static ImpuestosLinea Calcular(decimal tasaIeps, decimal precio, decimal descuento = 0m)
    {
        if (precio < 0) throw new ArgumentOutOfRangeException(nameof(precio), "El precio no puede ser negativo.");
        if (descuento < 0 || descuento > precio) throw new ArgumentOutOfRangeException(nameof(descuento), "El descuento debe estar entre 0 y el precio.");
        precio = Redondear(precio);
        descuento = Redondear(descuento);
        var neto = precio - descuento;
        var ieps = Redondear(neto * tasaIeps);
        var iva = Redondear((neto + ieps) * TasaIva);
        return new ImpuestosLinea(precio, descuento, neto, tasaIeps, ieps, TasaIva, iva, neto + ieps + iva);
    }
}

/// <summary>One priced line with its taxes (amounts in MXN, 2 decimals).</summary>
public sealed record ImpuestosLinea(decimal Precio, decimal Descuento, decimal Neto, decimal TasaIeps, decimal Ieps, decimal TasaIva, decimal Iva, decimal Total);
