using System.Globalization;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Identidad;

namespace Telecable.Domain.Facturacion;

/// <summary>A billed month, written "yyyy-MM" in the API and stored as its first day.</summary>
public static class Periodo
{
    public static bool TryParse(string? texto, out DateOnly periodo)
    {
        periodo = default;
        if (texto is null || !DateOnly.TryParseExact(texto + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return false;
        }
        periodo = d;
        return d.Year is >= 2020 and <= 2100;
    }

    public static string Texto(DateOnly periodo) => periodo.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string Nombre(DateOnly periodo) =>
        periodo.ToString("MMMM yyyy", CultureInfo.GetCultureInfo("es-MX"));
}

/// <summary>One priced service line of a contract for a period (a plan, or one part of a combo). <paramref name="Tipo"/> is the
/// plan's catalog type (internet, tv, telefonia) and <paramref name="PrecioIndependiente"/> its standalone catalog price in the
/// contract's zone, both used by <see cref="ReglasFiscalesTelecom"/> to split a bundle.</summary>
public sealed record LineaContrato(
    Guid PlanId, string ClavePlan, string NombrePlan, string ClaveProdServ, string ClaveUnidad, decimal TasaIeps, decimal Precio,
    string Tipo = "", decimal? PrecioIndependiente = null);

/// <summary>A promotion in force for the period: a percentage or a fixed monthly amount off the lines.</summary>
public sealed record PromocionVigente(string Clave, string TipoDescuento, decimal Valor)
{
    public const string Porcentaje = "porcentaje";
    public const string MontoFijo = "monto_fijo";
}

/// <summary>
/// Turns a contract's lines into CFDI concepts: IVA 16 % on every line, IEPS (3 % telecom) on the lines whose
/// plan carries it (TV, telephony; internet access is exempt), the promotion as per-line discounts. Pure.
/// </summary>
public static class ArmadoFactura
{
    public static IReadOnlyList<LineaFactura> Lineas(IReadOnlyList<LineaContrato> lineas, PromocionVigente? promocion, DateOnly periodo)
    {
        if (lineas.Count == 0) throw new ArgumentException("Un contrato sin líneas no se factura.", nameof(lineas));
        var descuentos = Descuentos(lineas, promocion);
        var mes = Periodo.Nombre(periodo);
        return lineas.Select((l, i) => new LineaFactura
        {
            ClaveProdServ = l.ClaveProdServ,
            ClaveUnidad = l.ClaveUnidad,
            Unidad = "Servicio",
            NoIdentificacion = l.ClavePlan,
            Descripcion = $"{l.NombrePlan} - {mes}",
            Cantidad = 1m,
            ValorUnitario = l.Precio,
            Descuento = descuentos[i],
            Impuestos = l.TasaIeps > 0m
                ? [new ImpuestoLinea(CatalogoSat.ImpuestoIeps, CatalogoSat.FactorTasa, l.TasaIeps), ImpuestoLinea.Iva16]
                : [ImpuestoLinea.Iva16],
        }).ToList();
    }

    /// <summary>Percentages apply line by line; a fixed amount is spread in proportion to each line's price
    /// (the last line takes the rounding remainder), never more than the line itself.</summary>
    public static decimal[] Descuentos(IReadOnlyList<LineaContrato> lineas, PromocionVigente? promocion)
    {
        var d = new decimal[lineas.Count];
        if (promocion is null) return d;
        var total = lineas.Sum(l => l.Precio);
        if (total <= 0m) return d;
        if (promocion.TipoDescuento == PromocionVigente.Porcentaje)
        {
            for (var i = 0; i < lineas.Count; i++) d[i] = CalculadoraCfdi.Redondear(lineas[i].Precio * promocion.Valor / 100m);
            return d;
        }
        var monto = Math.Min(promocion.Valor, total);
        var restante = monto;
        for (var i = 0; i < lineas.Count; i++)
        {
            var parte = i == lineas.Count - 1 ? restante : CalculadoraCfdi.Redondear(monto * lineas[i].Precio / total);
            d[i] = Math.Min(parte, lineas[i].Precio);
            restante -= d[i];
        }
        return d;
    }

    /// <summary>Combo parts priced so that they add up to the price agreed in the contract (the last part
    /// takes the rounding remainder); a plan contract is one line at its agreed price.</summary>
    public static IReadOnlyList<LineaContrato> AjustarAlPactado(IReadOnlyList<LineaContrato> partes, decimal pactado)
    {
        var lista = partes.ToList();
        var suma = lista.Sum(p => p.Precio);
        if (lista.Count == 0 || suma == pactado) return lista;
        var restante = pactado;
        for (var i = 0; i < lista.Count; i++)
        {
            var precio = i == lista.Count - 1 || suma == 0m ? restante : CalculadoraCfdi.Redondear(pactado * lista[i].Precio / suma);
            lista[i] = lista[i] with { Precio = precio };
            restante -= precio;
        }
        return lista;
    }

    /// <summary>The customer's fiscal data as a CFDI 4.0 Receptor, or why it cannot be one. A customer on the
    /// generic RFC has no fiscal data of their own: they go in a global invoice (out of this run).</summary>
    public static (Receptor? Receptor, string? Codigo, string? Motivo) Receptor(
        string? rfc, string? nombre, string? regimen, string? uso, string? cp)
    {
        if (string.IsNullOrWhiteSpace(rfc) || rfc is Rfc.GenericoNacional or Rfc.GenericoExtranjero)
        {
            return (null, CodigosFactura.SinDatosFiscales, "El cliente no tiene datos fiscales propios (RFC genérico o vacío).");
        }
        var v = DatosFiscales.Validar(rfc, nombre, regimen, uso, cp);
        if (!v.EsValido)
        {
            var codigo = v.Errores.Any(e => e.Campo == "rfc") ? CodigosFactura.RfcInvalido : CodigosFactura.DatosFiscalesInvalidos;
            return (null, codigo, string.Join("; ", v.Errores.Select(e => $"{e.Campo}: {e.Mensaje}")));
        }
        var d = v.Valor!;
        return (new Receptor(d.Rfc.Valor, d.Nombre, d.CpFiscal.Valor, d.RegimenFiscal.Clave, d.UsoCfdi.Clave), null, null);
    }
}

/// <summary>Error codes an invoice of a run can end with (besides the PAC's own numeric codes).</summary>
public static class CodigosFactura
{
    public const string SinDatosFiscales = "SIN_DATOS_FISCALES";
    public const string RfcInvalido = "RFC_INVALIDO";
    public const string DatosFiscalesInvalidos = "DATOS_FISCALES_INVALIDOS";
    public const string CfdiInvalido = "CFDI_INVALIDO";
    public const string PacNoDisponible = "PAC_NO_DISPONIBLE";
}

/// <summary>
/// Life of an invoice: borrador (generated) -> timbrada (stamped) -> pagada; borrador -> error (reintentar
/// puts it back to borrador); timbrada -> cancelada. Cancelada is terminal. A paid invoice is not cancelled
/// here: its payment has to be reversed first (Pagos), since SAT requires cancelling the payment complement too.
/// timbrada -> cancelacion_pendiente -> cancelada | timbrada when the receptor must accept the cancellation.
/// </summary>
public static class EstadosFactura
{
    public const string Borrador = "borrador";
    public const string Timbrada = "timbrada";
    public const string Error = "error";
    public const string Cancelada = "cancelada";
    public const string Pagada = "pagada";
    /// <summary>Cancellation requested and waiting for the receptor's acceptance (<see cref="ReglasCancelacion.RequiereAceptacion"/>):
    /// still in force (neither payable nor cancelled) until the PAC reports acceptance (cancelada) or rejection (timbrada).</summary>
    public const string CancelacionPendiente = "cancelacion_pendiente";

    public static bool PuedeCancelarse(string estado) => estado == Timbrada;
    public static bool PuedePagarse(string estado) => estado == Timbrada;
}

/// <summary>SAT's public verification URL encoded in a CFDI's QR (Anexo 20 4.0, "Estándar del código de barras
/// bidimensional"): id = UUID, re / rr = issuer's and receptor's RFC, tt = Total, fe = last 8 characters of the Sello.</summary>
public static class VerificacionSat
{
    public const string Base = "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx";

    /// <summary>RFCs and fe are URL-encoded (an RFC may hold '&amp;' or 'Ñ'; a Sello '+', '/', '=').</summary>
    public static string Url(string uuid, string rfcEmisor, string rfcReceptor, decimal total, string sello) =>
        $"{Base}?id={uuid}&re={Uri.EscapeDataString(rfcEmisor)}&rr={Uri.EscapeDataString(rfcReceptor)}" +
        $"&tt={Total(total)}&fe={Uri.EscapeDataString(sello[^Math.Min(8, sello.Length)..])}";

    /// <summary>tt for CFDI 4.0: up to 18 integers and 6 decimals "omitiendo los ceros no significativos" (3.3 padded it
    /// to 25 positions): 1234.50 is 1234.5; one decimal digit always stays (100.0, and 0.0 for a type P).</summary>
    public static string Total(decimal total) =>
        Math.Round(total, 6, MidpointRounding.AwayFromZero).ToString("0.0#####", CultureInfo.InvariantCulture);
}
