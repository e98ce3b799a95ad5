namespace Telecable.Domain.Pagos;

/// <summary>One line of the gateway's settlement report: the gateway's payment reference, the gross amount it collected
/// and the fee it kept (so it deposits <c>Monto - Comision</c>).</summary>
public sealed record MovimientoLiquidacion(string Referencia, decimal Monto, decimal Comision = 0m);

/// <summary>A payment as this system recorded it.</summary>
public sealed record PagoRegistrado(Guid PagoId, string Referencia, decimal Monto);

public static class TiposHallazgo
{
    public const string FaltanteEnSistema = "faltante_en_sistema";
    public const string FaltanteEnPasarela = "faltante_en_pasarela";
    public const string DiferenciaMonto = "diferencia_monto";
    public const string DuplicadoEnReporte = "duplicado_en_reporte";
    /// <summary>The provider deposited less than it collected: one finding per run, net (deposited) against gross.</summary>
    public const string Comision = "comision";
}

public sealed record Hallazgo(string Tipo, string Referencia, Guid? PagoId, decimal? MontoPasarela, decimal? MontoSistema);

public sealed record ResultadoConciliacion(int Coincidencias, IReadOnlyList<Hallazgo> Hallazgos)
{
    /// <summary>What the report says the provider collected, kept as fees and deposited (every line read once).</summary>
    public decimal Bruto { get; init; }
    public decimal Comisiones { get; init; }
    public decimal Neto => Bruto - Comisiones;

    public int Contar(string tipo) => Hallazgos.Count(h => h.Tipo == tipo);
}

/// <summary>
/// Matches the gateway's settlement report with the recorded payments by reference: equal amounts
/// match; the rest is flagged (missing on either side, amount mismatch, a reference reported twice).
/// It only compares: it never creates or applies a payment.
/// </summary>
public static class Conciliador
{
    public static ResultadoConciliacion Comparar(IEnumerable<MovimientoLiquidacion> reporte, IEnumerable<PagoRegistrado> registrados)
    {
        var porReferencia = new Dictionary<string, PagoRegistrado>(StringComparer.Ordinal);
        foreach (var p in registrados) porReferencia.TryAdd(p.Referencia, p);
        var vistos = new HashSet<string>(StringComparer.Ordinal);
        var hallazgos = new List<Hallazgo>();
        var coincidencias = 0;
        foreach (var m in reporte)
        {
            if (!vistos.Add(m.Referencia))
            {
                hallazgos.Add(new Hallazgo(TiposHallazgo.DuplicadoEnReporte, m.Referencia, null, m.Monto, null));
                continue;
            }
            if (!porReferencia.TryGetValue(m.Referencia, out var p))
                hallazgos.Add(new Hallazgo(TiposHallazgo.FaltanteEnSistema, m.Referencia, null, m.Monto, null));
            else if (p.Monto != m.Monto)
                hallazgos.Add(new Hallazgo(TiposHallazgo.DiferenciaMonto, m.Referencia, p.PagoId, m.Monto, p.Monto));
            else
                coincidencias++;
        }
        foreach (var p in porReferencia.Values)
            if (!vistos.Contains(p.Referencia))
                hallazgos.Add(new Hallazgo(TiposHallazgo.FaltanteEnPasarela, p.Referencia, p.PagoId, null, p.Monto));
        // Fees of the lines read once (a duplicated line is already its own finding).
        var unicos = reporte.DistinctBy(m => m.Referencia, StringComparer.Ordinal).ToList();
        var bruto = unicos.Sum(m => m.Monto);
        var comisiones = unicos.Sum(m => m.Comision);
        if (comisiones != 0)
            hallazgos.Add(new Hallazgo(TiposHallazgo.Comision, "comisiones", null, bruto - comisiones, bruto));
        return new ResultadoConciliacion(coincidencias, hallazgos) { Bruto = bruto, Comisiones = comisiones };
    }
}
