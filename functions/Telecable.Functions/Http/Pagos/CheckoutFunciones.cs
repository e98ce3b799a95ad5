using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Telecable.Functions.Sagas;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Pagos;

namespace Telecable.Functions.Http.Pagos;

public sealed record SolicitudPagoEnLinea(IReadOnlyList<Guid>? Facturas);

/// <summary>
/// POST /api/pagos/en-linea (cliente, own invoices; Idempotency-Key): the customer portal's "Pagar".
/// Only with PAYMENT_MODE=emulated, whose gateway charges and delivers the signed webhook itself; the
/// payment then follows the same ProcesarPago saga as any gateway payment.
/// </summary>
public sealed class CheckoutFunciones(Api api, CheckoutEmulado? checkout = null)
{
    [Function(nameof(PagarEnLinea))]
    public Task<IActionResult> PagarEnLinea(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pagos/en-linea")] HttpRequest req,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarIdempotenteAsync(req, Permiso.Para(Roles.Cliente), async l =>
        {
            if (checkout is null) throw new ErrorRegla("El pago en línea se hace en la página de la pasarela (PAYMENT_MODE no es emulated).");
            var s = await l.LeerAsync<SolicitudPagoEnLinea>();
            var clienteId = l.UsuarioAutenticado.ClienteId ?? throw new ErrorRegla("El token no identifica a un cliente.");
            var pago = await checkout.CobrarAsync(clienteId, s.Facturas ?? [], l.Cid, l.Ct);
            await IniciadorPagos.IniciarAsync(durable, pago.PagoId, l.Cid, l.Ct);
            return Respuestas.Aceptado($"/api/pagos/{pago.PagoId}", pago);
        });
}
