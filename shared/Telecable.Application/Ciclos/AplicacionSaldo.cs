using Telecable.Application.Facturacion;
using Telecable.Domain.Comun;

namespace Telecable.Application.Ciclos;

/// <summary>
/// A credit balance earmarked for a stamped invoice, with the split fixed at the first attempt: <see cref="Anticipo"/> came
/// from money the customer paid (an overpayment), the rest from bonuses (a downgrade's unused days).
/// </summary>
public sealed record AplicacionSaldoFijada(Guid FacturaId, Guid FacturaUuid, Guid ClienteId, decimal Monto, decimal Anticipo)
{
    public decimal Bonificacion => Monto - Anticipo;
}

/// <summary>A credit note issued for an earmark, as the ledger records it.</summary>
public sealed record NotaAplicada(Guid NotaId, string TipoRelacion, decimal Total);

/// <summary>Port: the earmarks and the ledger (adapter: Infrastructure/Facturacion/RepositorioAplicacionSaldo).</summary>
public interface IRepositorioAplicacionSaldo
{
    /// <summary>Earmarks still 'pendiente_cfdi' whose invoice is stamped or settled, oldest first.</summary>
    Task<IReadOnlyList<Guid>> PendientesAsync(int limite, CancellationToken ct);

    /// <summary>Fixes the split (once; later calls return what was fixed). An invoice that owes nothing any more, or credit
    /// that is gone, releases the earmark ('liberada') and returns null.</summary>
    Task<AplicacionSaldoFijada?> FijarAsync(Guid facturaId, CancellationToken ct);

    /// <summary>Releases an earmark (the invoice owes less than it, or nothing): its credit stays for the next invoice.</summary>
    Task LiberarAsync(Guid facturaId, CancellationToken ct);

    /// <summary>Debits the ledger once per note and marks the earmark 'aplicada', with its outbox event, in one transaction.</summary>
    Task RegistrarAsync(AplicacionSaldoFijada aplicacion, IReadOnlyList<NotaAplicada> notas, string cid, CancellationToken ct);
}

public sealed record ResultadoAplicacionSaldo(int Aplicadas, int Liberadas, int EnEspera);

/// <summary>
/// Applies earmarked credit balance (saldo a favor) to the invoice it was earmarked for, in the way SAT allows: the income
/// invoice keeps the full price, and a CFDI de egreso related to it takes the credit off: TipoRelacion 07 ("aplicación de
/// anticipo", FormaPago 30) for the part the customer had paid in advance, 01 (FormaPago 17) for a bonus. The notes are
/// issued by the credit-note service (one key per invoice and kind, so a retry resumes the same note and never issues a
/// second one); the ledger is debited only once a note is stamped. Runs before collections evaluates overdue invoices, so a
/// customer whose credit covers the invoice is never reminded of it.
/// </summary>
public sealed class ServicioAplicacionSaldo(IRepositorioAplicacionSaldo repositorio, IServicioNotasCredito notas)
{
    /// <summary>The credit-note origin and actor of these notes.</summary>
    public const string Origen = "saldo_a_favor";

    public async Task<ResultadoAplicacionSaldo> AplicarAsync(string cid, CancellationToken ct, int limite = 200)
    {
        int aplicadas = 0, liberadas = 0, enEspera = 0;
        foreach (var facturaId in await repositorio.PendientesAsync(limite, ct))
        {
            var a = await repositorio.FijarAsync(facturaId, ct);
            if (a is null)
            {
                liberadas++;
                continue;
            }
            var emitidas = new List<NotaAplicada>();
            var completa = true;
            var liberar = false;
            foreach (var (tipo, monto, motivo) in new[]
                     {
                         ("07", a.Anticipo, "Aplicación de saldo a favor (anticipo) a la factura"),
                         ("01", a.Bonificacion, "Aplicación de bonificación a la factura"),
                     })
            {
                if (monto <= 0m) continue;
                try
                {
                    var r = await notas.EmitirAsync(a.FacturaUuid, new SolicitudNotaCredito(monto, null, motivo, tipo),
                        new ContextoNotaCredito($"saldo-{a.FacturaId:N}-{tipo}", Origen, Origen, cid), ct);
                    if (r.PacNoDisponible || r.Nota.Estado != "timbrada")
                    {
                        // Sealed and reserved: the next run (or the sealed-notes timer) stamps that same note.
                        completa = false;
                        break;
                    }
                    emitidas.Add(new NotaAplicada(r.Nota.Id, tipo, r.Nota.Total));
                }
                catch (ErrorConflicto e) when (e.Codigo is "excede_saldo" or "estado_invalido")
                {
                    // Paid or cancelled meanwhile: what was applied stays applied, the rest of the credit is free again.
                    liberar = emitidas.Count == 0;
                    break;
                }
                catch (ErrorRegla)
                {
                    // The PAC rejected it (the reservation was released): the earmark waits; the failure is the note's to report.
                    completa = false;
                    break;
                }
            }
            if (liberar)
            {
                await repositorio.LiberarAsync(a.FacturaId, ct);
                liberadas++;
                continue;
            }
            if (!completa)
            {
                enEspera++;
                continue;
            }
            await repositorio.RegistrarAsync(a, emitidas, cid, ct);
            aplicadas++;
        }
        return new ResultadoAplicacionSaldo(aplicadas, liberadas, enEspera);
    }
}
