using Telecable.Domain.Pagos;

namespace Telecable.Application.Pagos;

/// <summary>How a confirmed payment was applied: to which invoices, the credit left over, and whether a PPD invoice was paid
/// (then the saga issues a payment complement).</summary>
public sealed record ResultadoAplicacion(Guid PagoId, Guid ClienteId, IReadOnlyList<AplicacionCalculada> Aplicaciones, decimal SaldoAFavor, bool HayPpd);

/// <summary>
/// The ProcesarPago saga's steps and their compensations, as its activities call them (Infrastructure's PasosPago
/// implements it). Each step is idempotent and each compensation undoes exactly what its step recorded.
/// </summary>
public interface IPasosPago
{
    /// <summary>Applies a confirmed payment: named invoices in order (or the oldest open ones), the rest as credit.</summary>
    Task<ResultadoAplicacion> AplicarAsync(Guid pagoId, string cid, CancellationToken ct);

    /// <summary>Compensation of <see cref="AplicarAsync"/>.</summary>
    Task RevertirAplicacionAsync(Guid pagoId, string cid, CancellationToken ct);

    /// <summary>Queues the receipt to the customer.</summary>
    Task NotificarAsync(Guid pagoId, string cid, CancellationToken ct);

    /// <summary>Reactivates the customer's suspended contracts when nothing else is overdue; how many.</summary>
    Task<int> ReactivarAsync(Guid pagoId, string cid, CancellationToken ct);

    /// <summary>Compensation of <see cref="ReactivarAsync"/>.</summary>
    Task ResuspenderAsync(Guid pagoId, string cid, CancellationToken ct);
}

/// <summary>Issues and cancels the payment complement (CFDI type P, Pagos 2.0) of a payment applied to PPD invoices.</summary>
public interface IEmisorComplementoPago
{
    /// <summary>The stamped complement's UUID; null when the payment paid no PPD invoice. Idempotent per payment.</summary>
    Task<Guid?> EmitirAsync(Guid pagoId, CancellationToken ct);
    Task CancelarAsync(Guid pagoId, CancellationToken ct);
}
