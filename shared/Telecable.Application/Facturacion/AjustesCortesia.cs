namespace Telecable.Application.Facturacion;

/// <summary>POST /api/clientes/{id}/ajustes-cortesia: a goodwill credit (taxes included) with its reason, against the named
/// invoice of the customer or, when none is named, the customer's oldest stamped invoice whose balance covers it.</summary>
public sealed record SolicitudAjusteCortesia(decimal? Monto, string? Motivo, Guid? FacturaUuid);

/// <summary>Goodwill adjustments from the back office: a credit note with origen 'cortesia', audited in the customer's timeline.</summary>
public interface IServicioAjustesCortesia
{
    Task<ResultadoNotaCredito> AplicarAsync(Guid clienteId, SolicitudAjusteCortesia solicitud, string clave, string actor, string cid, CancellationToken ct);
}
