using Telecable.Domain.Pagos;

namespace Telecable.Application.Pagos;

/// <summary>What an event does besides (or instead of) confirming a payment.</summary>
public enum EfectoEvento
{
    /// <summary>Recorded and ignored (or a payment, see <see cref="EventoPasarela.ConfirmaPago"/>).</summary>
    Ninguno,
    /// <summary>A cash reference (<see cref="EventoPasarela.ReferenciaEfectivo"/>) expired unpaid: it is closed.</summary>
    VenceReferencia,
    /// <summary>The provider returned the payment <see cref="EventoPasarela.Referencia"/> to the payer.</summary>
    Reembolso,
    /// <summary>The payer disputed the payment <see cref="EventoPasarela.Referencia"/> (chargeback): the money is withheld.</summary>
    Contracargo,
}

/// <summary>A payment event in the system's own words, whatever provider sent it. A provider that names the payer by
/// CLABE (SPEI) leaves <see cref="ClienteId"/> empty and sets <see cref="Clabe"/>; one that names a cash reference (OXXO)
/// sets <see cref="ReferenciaEfectivo"/>; the webhook service finds the customer. <see cref="Referencia"/> is the
/// provider's payment id (the dedupe key of the payment, and the payment a refund or dispute refers to).</summary>
public sealed record EventoPasarela(
    string EventoId, string Tipo, bool ConfirmaPago, string? Referencia, Guid? ClienteId, decimal? Monto, string? Metodo,
    IReadOnlyList<Guid> Facturas, string? Clabe = null, string? ReferenciaEfectivo = null, EfectoEvento Efecto = EfectoEvento.Ninguno);

/// <summary>The webhook body could not be understood (signed, but not a payment event this system reads);
/// <see cref="Campo"/> names the offending field in the provider's own JSON ("cuerpo" when it is the whole body).</summary>
public sealed class ErrorEventoPasarela(string motivo, string campo = "cuerpo") : Exception(motivo)
{
    public string Campo { get; } = campo;
}

/// <summary>
/// The port every payment provider (card gateway, SPEI aggregator, cash network) implements: how it signs its
/// webhooks, what its events look like, and the format of its daily settlement file. Adding a provider is one
/// adapter class plus its settings section (secrets for rotation, tolerance); its webhook route is
/// <c>POST /api/webhooks/{Nombre}</c> and everything after the adapter is shared.
/// </summary>
public interface IAdaptadorPasarela
{
    /// <summary>The provider's name: its route segment, <c>pagos.gateway</c> and <c>webhook_eventos.gateway</c>.</summary>
    string Nombre { get; }
    /// <summary>The payment method its payments are (tarjeta, spei, oxxo).</summary>
    string Metodo { get; }
    /// <summary>The header that carries the signature (named in the 400 when it does not verify).</summary>
    string EncabezadoFirma { get; }
    /// <summary>Checks the signature over the raw bytes (constant time, any configured secret, timestamp within tolerance).</summary>
    VerificacionFirma Verificar(Func<string, string?> encabezado, ReadOnlySpan<byte> cuerpo, DateTimeOffset ahora);
    /// <summary>Only called after <see cref="Verificar"/> accepted the body. Throws <see cref="ErrorEventoPasarela"/>.</summary>
    EventoPasarela Interpretar(ReadOnlySpan<byte> cuerpo);
    /// <summary>Reads the provider's daily settlement file (its own CSV layout). Throws <see cref="ErrorEventoPasarela"/>
    /// naming the line when a line cannot be read.</summary>
    IReadOnlyList<MovimientoLiquidacion> LeerLiquidacion(string contenido);
    /// <summary>Writes a settlement file in the provider's layout (the emulated provider's daily file; tests).</summary>
    string EscribirLiquidacion(DateOnly dia, IEnumerable<MovimientoLiquidacion> movimientos);
}
