using Telecable.Domain.Pagos;

namespace Telecable.Application.Pagos;

public sealed class OpcionesPagos
{
    public const string Seccion = "Pagos";
    /// <summary>Blob container where each provider leaves its daily settlement file (&lt;provider&gt;/&lt;yyyy-MM-dd&gt;.csv).</summary>
    public string ContenedorLiquidaciones { get; set; } = "liquidaciones";
    /// <summary>From this many confirmed payments waiting at once, the IniciarPagosConfirmados timer starts them in batches
    /// (ProcesarPagosLote) rather than one ProcesarPago each: a webhook burst catches up at database speed.</summary>
    public int LoteMinimo { get; set; } = 50;
    /// <summary>Payments per batch orchestration: its one activity must end well inside the work-item visibility timeout.</summary>
    public int TamanoLote { get; set; } = 100;
    /// <summary>Payments one batch activity runs at once (each holds one pooled connection at a time).</summary>
    public int ParalelismoLote { get; set; } = 8;
}

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

    /// <summary>
    /// The whole saga of a batch's confirmed payments that pay no PPD invoice, in one transaction: apply, reactivate and
    /// queue the receipt (with their outbox events). All or nothing. What it leaves out (a PPD payment, applied here but
    /// whose complement, reactivation and receipt follow, one already applied, not confirmed, unknown) is for the
    /// per-payment saga, whose steps are idempotent.
    /// </summary>
    Task<IReadOnlyList<AplicadoEnLote>> AplicarLoteAsync(IReadOnlyList<Guid> pagoIds, string cid, CancellationToken ct);
}

/// <summary>A payment the batch transaction took through its whole saga, and how many contracts it reactivated.</summary>
public sealed record AplicadoEnLote(Guid PagoId, int Reactivados);

/// <summary>Issues and cancels the payment complement (CFDI type P, Pagos 2.0) of a payment applied to PPD invoices.</summary>
public interface IEmisorComplementoPago
{
    /// <summary>The stamped complement's UUID; null when the payment paid no PPD invoice. Idempotent per payment.</summary>
    Task<Guid?> EmitirAsync(Guid pagoId, CancellationToken ct);
    Task CancelarAsync(Guid pagoId, CancellationToken ct);
}

/// <summary>What a failed payment batch (ProcesarPagosLote) hands back: its payments still confirmed return to the
/// IniciarPagosConfirmados timer (ServicioPagos implements it).</summary>
public interface IInicioPagos
{
    Task LiberarInicioAsync(IReadOnlyList<Guid> ids, CancellationToken ct);
}
