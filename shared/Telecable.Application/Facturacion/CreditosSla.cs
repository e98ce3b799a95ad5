using Telecable.Application.Comun;
using Telecable.Domain.Comun;

namespace Telecable.Application.Facturacion;

/// <summary>An outage credit as the customer sees it: when, how long, what it is worth and the credit note that carries it.</summary>
public sealed record CreditoSlaResumen(
    Guid Id, Guid ContratoId, string Periodo, decimal Horas, decimal UmbralHoras, decimal Fraccion, string Estado, decimal? Monto,
    Guid? NotaCreditoUuid, DateTimeOffset CreadoEn, DateTimeOffset? EmitidoEn);

/// <summary>What one pass of the SLA timer did.</summary>
public sealed record ResultadoCreditosSla(int Evaluadas, int Ganadas, int Emitidas, int Pendientes);

/// <summary>SLA credits: accrue per closed outage, issue as credit notes against the period's invoice, list per customer.</summary>
public interface IServicioCreditosSla
{
    /// <summary>Evaluates the closed outages not yet evaluated and issues the pending credits whose invoice is stamped.</summary>
    Task<ResultadoCreditosSla> ProcesarAsync(string cid, CancellationToken ct);

    /// <summary>A customer's credits (a cliente only their own; staff name the customer), newest first.</summary>
    Task<Pagina<CreditoSlaResumen>> DelClienteAsync(Usuario u, Guid? clienteId, Paginacion pagina, CancellationToken ct);
}
