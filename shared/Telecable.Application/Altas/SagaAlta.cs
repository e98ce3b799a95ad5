namespace Telecable.Application.Altas;

/// <summary>The AltaCliente saga's definition: its steps in order and which of them have a compensation.</summary>
public static class SagaAlta
{
    public const string Cotizacion = "cotizacion";
    public const string Cliente = "cliente";
    public const string Contrato = "contrato";
    public const string Ticket = "ticket";
    public const string Notificacion = "notificacion";

    /// <summary>The steps in order. Cotizacion only reads and notificacion is last, so they have nothing to undo.</summary>
    public static readonly IReadOnlyList<string> Pasos = [Cotizacion, Cliente, Contrato, Ticket, Notificacion];
    public static readonly IReadOnlySet<string> ConCompensacion = new HashSet<string>(StringComparer.Ordinal) { Cliente, Contrato, Ticket };
}

/// <summary>
/// The port the saga's activities call (Infrastructure's ServicioAltas implements it). Each step and each compensation
/// is idempotent: a retried activity finds what the first attempt did through the saga's record.
/// </summary>
public interface IPasosAlta
{
    /// <summary>Marks the step as started (one more attempt); called first by every step activity.</summary>
    Task IniciarPasoAsync(string altaId, string paso, CancellationToken ct);

    /// <summary>Runs one step of <see cref="SagaAlta.Pasos"/> and says what it did.</summary>
    Task<string> EjecutarPasoAsync(string altaId, string paso, string cid, CancellationToken ct);

    /// <summary>Records the failed step and why; the saga then compensates.</summary>
    Task RegistrarFalloAsync(string altaId, string paso, string motivo, CancellationToken ct);

    /// <summary>Undoes one step; null when there was nothing to undo.</summary>
    Task<string?> CompensarAsync(string altaId, string paso, string cid, CancellationToken ct);

    /// <summary>A compensation attempt that failed (the saga retries it).</summary>
    Task RegistrarCompensacionFallidaAsync(string altaId, string paso, string error, CancellationToken ct);

    /// <summary>Ends the saga: completada, or fallida.</summary>
    Task TerminarAsync(string altaId, bool exito, CancellationToken ct);
}
