using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;

namespace Telecable.Domain.Catalogo;

/// <summary>
/// The IEPS rules of telecom billing (this part of the class: bundles and itemization), each with the article it comes from and a worked example (pure; tests in
/// Telecable.Domain.Tests/Facturacion/ReglasFiscalesTelecomTests). Billing runs apply them to each contract's lines
/// (<c>TarifasContratos</c>) before <see cref="ArmadoFactura"/> turns lines into CFDI concepts.
/// <list type="number">
/// <item><b>LIEPS art. 2 fr. II inciso C)</b>: telecom services (TV, telephony) pay IEPS at 3 % of the consideration.
/// The rate is the plan's <c>tasa_ieps</c> in the catalog.</item>
/// <item><b>LIEPS art. 8 fr. IV inciso c)</b>: internet access on its own is exempt (the catalog's internet plans carry
/// 0 %).</item>
/// <item><b>LIEPS art. 8 fr. IV inciso d)</b> (<see cref="DividirPaquete"/>): internet sold in a bundle with other telecom
/// services is exempt only when the CFDI shows its consideration at the price charged for it on its own, and only up to
/// 30 % of the bundle's total consideration; the part above 30 % pays IEPS like the rest of the bundle. The bundle is
/// split from the catalog: internet at its standalone price in the contract's zone (<c>precios_plan_zona</c>), the other
/// parts share the rest in proportion to their combo prices. Without a standalone price the exemption cannot be shown,
/// and internet is taxed in full.
/// Example: combo agreed at 599.00 = TV (combo price 200) + internet (standalone 449.00). Internet 449.00, TV 150.00;
/// 30 % of 599.00 = 179.70 exempt; 269.30 taxed at 3 % (8.08); TV 150.00 taxed (4.50).</item>
/// <item><b>LIEPS art. 19 fr. II</b> (<see cref="IepsEnPrecio"/>): the IEPS is itemized (a separate traslado) only when the
/// receptor is itself an IEPS taxpayer for the service and asks for it (<see cref="DesglosaIeps"/>, customer columns
/// <c>contribuyente_ieps_telecom</c> and <c>solicita_desglose_ieps</c>); otherwise it is included in the price, and the
/// concept carries only the IVA (whose base, LIVA art. 18, includes the IEPS either way).
/// Example: TV at 150.00 with IEPS 3 %: itemized, ValorUnitario 150.00 + IEPS 4.50 + IVA 24.72 = 179.22; included,
/// ValorUnitario 154.50 + IVA 24.72 = 179.22.</item>
/// </list>
/// </summary>
public static partial class ReglasFiscalesTelecom
{

    /// <summary>LIEPS art. 8 fr. IV d): at most 30 % of a bundle's consideration may be exempt internet.</summary>
    public const decimal TopeInternetEnPaquete = 0.30m;

    /// <summary>The lines a contract bills, after both rules: a bundle split per art. 8 IV d), then the IEPS folded into the
    /// price unless <paramref name="desglosaIeps"/> (art. 19 II).</summary>
    public static IReadOnlyList<LineaContrato> Aplicar(IReadOnlyList<LineaContrato> partes, decimal pactado, bool esPaquete, bool desglosaIeps)
    {
        var lineas = esPaquete ? DividirPaquete(partes, pactado) : partes;
        return desglosaIeps ? lineas : IepsEnPrecio(lineas);
    }

    /// <summary>Art. 19 fr. II: itemize only for an IEPS taxpayer of the service who asks for it.</summary>
    public static bool DesglosaIeps(bool contribuyenteIeps, bool solicitaDesglose) => contribuyenteIeps && solicitaDesglose;

    /// <summary>
    /// Art. 8 fr. IV d): splits a bundle agreed at <paramref name="pactado"/> (before taxes) into its parts. Internet takes
    /// its standalone catalog price (never more than the bundle); its exempt share is capped at 30 % of the bundle and the
    /// excess becomes a line of its own taxed at 3 %; the other parts share what is left in proportion to their combo
    /// prices (<see cref="ArmadoFactura.AjustarAlPactado"/>). A bundle without internet is only scaled to the agreed price.
    /// Lines left at 0.00 are dropped (a CFDI traslado needs a base above zero).
    /// </summary>
    public static IReadOnlyList<LineaContrato> DividirPaquete(IReadOnlyList<LineaContrato> partes, decimal pactado)
    {
        var internet = partes.Where(p => p.Tipo == TiposServicio.Internet).ToList();
        if (internet.Count == 0) return ArmadoFactura.AjustarAlPactado(partes, pactado).Where(l => l.Precio > 0m).ToList();
        if (internet.Count > 1 || internet[0].PrecioIndependiente is null)
        {
            // No single standalone price to show: the exemption does not apply, every part pays IEPS.
            return ArmadoFactura.AjustarAlPactado(partes, pactado)
                .Select(l => l.Tipo == TiposServicio.Internet ? l with { TasaIeps = ReglasFiscalesTelecom.TasaIeps } : l)
                .Where(l => l.Precio > 0m).ToList();
        }
        var net = internet[0];
        var precioInternet = Math.Min(net.PrecioIndependiente!.Value, pactado);
        var otras = ArmadoFactura.AjustarAlPactado(partes.Where(p => p.Tipo != TiposServicio.Internet).ToList(), pactado - precioInternet);
        var tope = CalculadoraCfdi.Redondear(pactado * TopeInternetEnPaquete);
        var exento = Math.Min(precioInternet, tope);
        var excedente = precioInternet - exento;
        var lineas = new List<LineaContrato>(otras)
        {
            net with { Precio = exento, TasaIeps = 0m, NombrePlan = $"{net.NombrePlan} (exento IEPS hasta 30 % del paquete)" },
        };
        if (excedente > 0m)
        {
            lineas.Add(net with { Precio = excedente, TasaIeps = ReglasFiscalesTelecom.TasaIeps, NombrePlan = $"{net.NombrePlan} (excedente del 30 % del paquete)" });
        }
        return lineas.Where(l => l.Precio > 0m).ToList();
    }

    /// <summary>Art. 19 fr. II: the IEPS included in the price. A line with IEPS bills price × (1 + rate), rounded to the
    /// cent, with no IEPS traslado of its own.</summary>
    public static IReadOnlyList<LineaContrato> IepsEnPrecio(IReadOnlyList<LineaContrato> lineas) =>
        lineas.Select(l => l.TasaIeps > 0m
            ? l with { Precio = l.Precio + CalculadoraCfdi.Redondear(l.Precio * l.TasaIeps), TasaIeps = 0m }
            : l).ToList();

    /// <summary>Exempt share of internet in a bundle as a fraction of the bundle (for reports and tests).</summary>
    public static decimal ParteExentaInternet(IReadOnlyList<LineaContrato> lineas)
    {
        var total = lineas.Sum(l => l.Precio);
        return total == 0m ? 0m : lineas.Where(l => l.Tipo == TiposServicio.Internet && l.TasaIeps == 0m).Sum(l => l.Precio) / total;
    }
}
