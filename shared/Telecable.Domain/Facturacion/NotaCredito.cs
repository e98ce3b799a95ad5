using Telecable.Domain.Cfdi;
using Telecable.Domain.Comun;

namespace Telecable.Domain.Facturacion;

/// <summary>
/// One concept of a stamped invoice as a credit note needs it: its net amount (Importe - Descuento), its tax
/// rates and how much of that net amount earlier credit notes already credited.
/// </summary>
public sealed record LineaAcreditable(
    int NumeroLinea, string Descripcion, decimal Neto, decimal TasaIeps, bool ObjetoImpuesto, decimal YaAcreditado)
{
    public decimal Disponible => Neto - YaAcreditado;

    /// <summary>Gross factor of one peso of base: IEPS first, then IVA 16 % over base + IEPS (LIVA art. 18).</summary>
    public decimal Factor => ObjetoImpuesto ? (1m + TasaIeps) * 1.16m : 1m;
}

/// <summary>The base (before taxes) credited on one invoice line.</summary>
public sealed record LineaCreditada(int NumeroLinea, decimal Base);

/// <summary>
/// The rules of a CFDI de egreso (type E, nota de crédito) against one invoice (Anexo 20 and its Guía de llenado):
/// <list type="bullet">
/// <item>related to the invoice in <c>CfdiRelacionados</c> with <c>c_TipoRelacion</c> 01 (nota de crédito de los
/// documentos relacionados) or 07 (CFDI por aplicación de anticipo);</item>
/// <item>MetodoPago PUE (the credit is applied when issued) and FormaPago 17 (compensación) for 01 or 30 (aplicación de
/// anticipos) for 07;</item>
/// <item>one concept per credited invoice line, ClaveProdServ 84111506 and ClaveUnidad ACT (the Guía's keys for
/// discounts and bonuses), carrying the same taxes and rates as that line, so that each tax and rate (IVA 16 %,
/// IEPS 3 %, exempt or not object) is credited in proportion to the credited share of its base;</item>
/// <item>UsoCFDI G02 (devoluciones, descuentos o bonificaciones) when the receptor's regime allows it, else S01.</item>
/// </list>
/// The credit never exceeds the invoice's balance (total - payments - earlier credits) nor any line's remaining base.
/// </summary>
public static class ReglasNotaCredito
{
    public const string ClaveProdServ = "84111506";
    public const string ClaveUnidad = "ACT";
    public const string RelacionNotaCredito = "01";
    public const string RelacionAnticipo = "07";
    public const string FormaCompensacion = "17";
    public const string FormaAnticipos = "30";

    public static string FormaPago(string tipoRelacion) => tipoRelacion == RelacionAnticipo ? FormaAnticipos : FormaCompensacion;

    public static string UsoCfdi(string? regimenReceptor) =>
        Identidad.UsoCfdi.Buscar("G02")!.PermiteRegimen(regimenReceptor?.Trim() ?? "") ? "G02" : Identidad.UsoCfdi.SinEfectosFiscales.Clave;

    /// <summary>
    /// Spreads an amount (taxes included) over the lines in proportion to what each can still be credited, and
    /// adjusts the largest line by cents so that the note's Total (as <see cref="CalculadoraCfdi"/> computes it from
    /// the bases) is the amount asked when the rounding allows, never above it.
    /// </summary>
    public static IReadOnlyList<LineaCreditada> RepartirMonto(decimal monto, IReadOnlyList<LineaAcreditable> lineas)
    {
        if (monto <= 0m) throw new ArgumentException("El monto debe ser mayor que cero.", nameof(monto));
        var vivas = lineas.Where(l => l.Disponible > 0m).ToList();
        var brutoDisponible = vivas.Sum(l => l.Disponible * l.Factor);
        if (vivas.Count == 0 || brutoDisponible <= 0m) throw new ArgumentException("La factura ya no tiene importe por acreditar.");
        var proporcion = Math.Min(1m, monto / brutoDisponible);
        var bases = vivas.ToDictionary(l => l.NumeroLinea, l => Math.Min(l.Disponible, CalculadoraCfdi.Redondear(l.Disponible * proporcion)));
        var mayor = vivas.OrderByDescending(l => l.Disponible * l.Factor).ThenBy(l => l.NumeroLinea).First();
        // Each cent of base moves the total by about Factor cents: a few passes settle on the closest total not above.
        for (var i = 0; i < 6; i++)
        {
            var diferencia = monto - Total(bases, vivas);
            if (diferencia == 0m) break;
            var paso = CalculadoraCfdi.Redondear(diferencia / mayor.Factor);
            if (paso == 0m) paso = diferencia > 0m ? 0.01m : -0.01m;
            var nueva = Math.Clamp(bases[mayor.NumeroLinea] + paso, 0m, mayor.Disponible);
            if (nueva == bases[mayor.NumeroLinea]) break;
            bases[mayor.NumeroLinea] = nueva;
            if (diferencia > 0m && Total(bases, vivas) > monto)
            {
                bases[mayor.NumeroLinea] -= 0.01m;
                break;
            }
        }
        while (Total(bases, vivas) > monto && bases[mayor.NumeroLinea] >= 0.01m) bases[mayor.NumeroLinea] -= 0.01m;
        // A cent short: another line's cent may land exactly on the amount (its taxes round differently).
        foreach (var l in vivas.OrderByDescending(l => l.Disponible * l.Factor).ThenBy(l => l.NumeroLinea))
        {
            for (var i = 0; i < 3 && Total(bases, vivas) < monto && bases[l.NumeroLinea] + 0.01m <= l.Disponible; i++)
            {
                bases[l.NumeroLinea] += 0.01m;
                if (Total(bases, vivas) > monto)
                {
                    bases[l.NumeroLinea] -= 0.01m;
                    break;
                }
            }
        }
        return vivas.Where(l => bases[l.NumeroLinea] > 0m).Select(l => new LineaCreditada(l.NumeroLinea, bases[l.NumeroLinea])).ToList();
    }

    /// <summary>Checks explicit lines: each names an invoice line once, with a base above zero and within what it has left.</summary>
    public static IReadOnlyList<ErrorCampo> ValidarLineas(IReadOnlyList<LineaCreditada> pedidas, IReadOnlyList<LineaAcreditable> lineas)
    {
        var errores = new List<ErrorCampo>();
        var porNumero = lineas.ToDictionary(l => l.NumeroLinea);
        for (var i = 0; i < pedidas.Count; i++)
        {
            var p = pedidas[i];
            var campo = $"lineas[{i}]";
            if (!porNumero.TryGetValue(p.NumeroLinea, out var l)) errores.Add(new ErrorCampo($"{campo}.linea", $"La factura no tiene la línea {p.NumeroLinea}."));
            else if (p.Base <= 0m || decimal.Round(p.Base, 2) != p.Base) errores.Add(new ErrorCampo($"{campo}.importe", "Debe ser mayor que cero, con dos decimales a lo más."));
            else if (p.Base > l.Disponible) errores.Add(new ErrorCampo($"{campo}.importe", $"La línea {p.NumeroLinea} tiene {l.Disponible:0.00} por acreditar."));
            if (pedidas.Take(i).Any(o => o.NumeroLinea == p.NumeroLinea)) errores.Add(new ErrorCampo($"{campo}.linea", "Línea repetida."));
        }
        return errores;
    }

    /// <summary>The CFDI E: one concept per credited line with the line's own taxes, related to the invoice.</summary>
    public static Comprobante Armar(DatosComprobante datos, string uuidFactura, string tipoRelacion, string motivo,
        IReadOnlyList<LineaCreditada> creditadas, IReadOnlyList<LineaAcreditable> lineas)
    {
        if (tipoRelacion is not (RelacionNotaCredito or RelacionAnticipo))
            throw new ArgumentException($"TipoRelacion {tipoRelacion} no aplica a una nota de crédito.", nameof(tipoRelacion));
        var porNumero = lineas.ToDictionary(l => l.NumeroLinea);
        var conceptos = creditadas.Select(c => Linea(porNumero[c.NumeroLinea], c.Base, motivo, tipoRelacion)).ToList();
        return CalculadoraCfdi.Calcular(datos with
        {
            TipoDeComprobante = CatalogoSat.TipoEgreso,
            MetodoPago = CatalogoSat.MetodoPue,
            FormaPago = FormaPago(tipoRelacion),
            CfdiRelacionados = [new CfdiRelacionados(tipoRelacion, [uuidFactura.ToUpperInvariant()])],
        }, conceptos);
    }

    private static LineaFactura Linea(LineaAcreditable l, decimal baseCredito, string motivo, string tipoRelacion)
    {
        var que = tipoRelacion == RelacionAnticipo ? "Aplicación de anticipo" : "Bonificación";
        var descripcion = $"{que}: {l.Descripcion} ({motivo})";
        return new LineaFactura
        {
            ClaveProdServ = ClaveProdServ,
            ClaveUnidad = ClaveUnidad,
            NoIdentificacion = l.NumeroLinea.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Descripcion = descripcion.Length > 1000 ? descripcion[..1000] : descripcion,
            Cantidad = 1m,
            ValorUnitario = baseCredito,
            Impuestos = !l.ObjetoImpuesto ? []
                : l.TasaIeps > 0m ? [new ImpuestoLinea(CatalogoSat.ImpuestoIeps, CatalogoSat.FactorTasa, l.TasaIeps), ImpuestoLinea.Iva16]
                : [ImpuestoLinea.Iva16],
        };
    }

    private static decimal Total(Dictionary<int, decimal> bases, IReadOnlyList<LineaAcreditable> lineas) =>
        lineas.Sum(l =>
        {
            var b = bases[l.NumeroLinea];
            if (!l.ObjetoImpuesto) return b;
            var ieps = CalculadoraCfdi.Redondear(b * l.TasaIeps);
            return b + ieps + CalculadoraCfdi.Redondear((b + ieps) * 0.16m);
        });
}
