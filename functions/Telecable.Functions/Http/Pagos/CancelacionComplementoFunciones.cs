using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Pagos;

namespace Telecable.Functions.Http.Pagos;

/// <summary>Cancelling a payment complement (the step before cancelling the PPD invoice it names), admin and cobranzas.</summary>
public sealed class CancelacionComplementoFunciones(Api api, ReversionComplemento reversion)
{
    private static readonly Permiso Cobranzas = Permiso.Para(Roles.Admin, Roles.Cobranzas);

    /// <summary>POST /api/pagos/{id}/complemento/cancelacion (Idempotency-Key): cancels the payment's complement at the PAC
    /// and reverses the payment's applications (its invoices are due again; the payment stays confirmado, unapplied).
    /// 200 {pagoId, complemento, estadoComplemento, estadoPago, facturasReabiertas}; 404; 409 sin_complemento.</summary>
    [Function(nameof(CancelarComplementoDePago))]
    public Task<IActionResult> CancelarComplementoDePago(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pagos/{id:guid}/complemento/cancelacion")] HttpRequest req, Guid id) =>
        api.EjecutarIdempotenteAsync(req, Cobranzas, async l => Respuestas.Ok(await reversion.CancelarAsync(id, l.Cid, l.Ct)));
}
