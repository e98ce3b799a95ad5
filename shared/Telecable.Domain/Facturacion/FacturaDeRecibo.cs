using System.Globalization;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Identidad;

namespace Telecable.Domain.Facturacion;

/// <summary>One stored line of a receipt (factura_conceptos), as its individual CFDI needs it.</summary>
public sealed record ConceptoRecibo(string ClaveProdServ, string ClaveUnidad, string? Unidad, string? NoIdentificacion, string Descripcion,
    decimal Cantidad, decimal ValorUnitario, decimal Importe, decimal Descuento, decimal TasaIeps);

/// <summary>
/// The individual CFDI a customer asks for a receipt of theirs (the "factura de un recibo"), while no global CFDI reports it
/// (<see cref="ReglasCfdiGlobal.MotivoNoFacturable"/>). RMF rule on operations with the general public (2.7.1.21 in the 2022-2024
/// RMFs) and the Guía de llenado's "CFDI global": the global CFDI covers the operations for which no CFDI was issued to the
/// buyer, so an operation invoiced on its own simply stays out of it. The receipt is no CFDI, so there is nothing to relate:
/// no <c>CfdiRelacionados</c> (c_TipoRelacion has no key for a sales note). It is a type I CFDI to the customer's own fiscal data
/// with the receipt's lines (their SAT keys, amounts and discounts), MetodoPago PUE as the receipt, and the receipt's exact
/// taxes: the receipt computed IVA and IEPS once over its whole base, so each concept gets its share (the floor or the ceiling
/// of its own Base x TasaOCuota, both within SAT's limits for a concept's traslado) adding up to the receipt's tax to the cent.
/// Pure.
/// </summary>
public static class ReglasFacturaDeRecibo
{
    /// <summary>Why these fiscal data cannot receive the CFDI (field, reason), or null. The generic RFCs are the general public:
    /// that is what the global CFDI is for.</summary>
    public static (string Campo, string Motivo)? MotivoReceptor(string? rfc) =>
        ReglasCfdiGlobal.FacturaConRecibo(rfc)
            ? ("rfc", "Para facturar un recibo se necesita el RFC propio del cliente, no el genérico del público en general.")
            : null;

    /// <summary>The CFDI I of a receipt: its lines as concepts, taxes split so that they add up to the receipt's.</summary>
    public static Comprobante Armar(string serie, long folio, DateTime fecha, string lugarExpedicion, Emisor emisor, Receptor receptor,
        string formaPago, IReadOnlyList<ConceptoRecibo> lineas)
    {
        if (lineas.Count == 0) throw new ArgumentException("Un recibo necesita al menos una línea.", nameof(lineas));
        if (formaPago == CatalogoSat.FormaPorDefinir) throw new ArgumentException("La factura de un recibo es PUE: su forma de pago no puede ser 99.", nameof(formaPago));
        var importes = ReglasCfdiGlobal.Importes(lineas.Select(l => new LineaRecibo(l.Importe, l.Descuento, l.TasaIeps)).ToList());
        var netos = lineas.Select(l => CalculadoraCfdi.Redondear(l.Importe) - CalculadoraCfdi.Redondear(l.Descuento)).ToList();

        var ieps = new decimal[lineas.Count];
        foreach (var (tasa, _, total) in importes.Ieps)
        {
            var indices = Enumerable.Range(0, lineas.Count).Where(i => lineas[i].TasaIeps == tasa).ToList();
            var partes = Repartir(total, indices.Select(i => netos[i] * tasa).ToList());
            for (var k = 0; k < indices.Count; k++) ieps[indices[k]] = partes[k];
        }
        var basesIva = netos.Select((n, i) => n + ieps[i]).ToList();
        var iva = Repartir(importes.Iva, basesIva.Select(b => b * ImpuestoLinea.Iva16.Tasa!.Value).ToList());

        var conceptos = lineas.Select((l, i) =>
        {
            var traslados = new List<Traslado> { new(basesIva[i], CatalogoSat.ImpuestoIva, CatalogoSat.FactorTasa, ImpuestoLinea.Iva16.Tasa, iva[i]) };
            if (l.TasaIeps > 0m) traslados.Add(new Traslado(netos[i], CatalogoSat.ImpuestoIeps, CatalogoSat.FactorTasa, l.TasaIeps, ieps[i]));
            return new Concepto
            {
                ClaveProdServ = l.ClaveProdServ.Trim(),
                NoIdentificacion = l.NoIdentificacion,
                Cantidad = l.Cantidad,
                ClaveUnidad = l.ClaveUnidad.Trim(),
                Unidad = l.Unidad,
                Descripcion = l.Descripcion,
                ValorUnitario = l.ValorUnitario,
                Importe = CalculadoraCfdi.Redondear(l.Importe),
                Descuento = l.Descuento > 0m ? CalculadoraCfdi.Redondear(l.Descuento) : null,
                ObjetoImp = CatalogoSat.ObjetoSiObjeto,
                Traslados = traslados,
            };
        }).ToList();
        return ComprobantePue.Armar(serie, folio, fecha, formaPago, lugarExpedicion, emisor, receptor, conceptos);
    }

    /// <summary>Splits <paramref name="total"/> (the receipt's tax, rounded once) over exact per-concept amounts: each gets its
    /// floor to the cent, and the cents left go to the largest remainders, so each is its floor or its ceiling and they add up to
    /// the total. Possible because total = round(sum of exacts) lies between the sum of floors and the sum of ceilings.</summary>
    public static IReadOnlyList<decimal> Repartir(decimal total, IReadOnlyList<decimal> exactos)
    {
        var pisos = exactos.Select(e => Math.Floor(e * 100m) / 100m).ToArray();
        var centavos = (int)Math.Round((total - pisos.Sum()) * 100m);
        var orden = Enumerable.Range(0, exactos.Count).OrderByDescending(i => exactos[i] - pisos[i]).ThenBy(i => i).ToList();
        if (centavos < 0 || centavos > orden.Count(i => exactos[i] > pisos[i]))
            throw new ArgumentException($"El impuesto {total} no se puede repartir entre {exactos.Count} conceptos.", nameof(total));
        foreach (var i in orden.Take(centavos)) pisos[i] += 0.01m;
        return pisos;
    }
}
