using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Application.Facturacion;
using Telecable.Domain.Comun;

namespace Telecable.Functions.Http.Clientes;

/// <summary>Goodwill adjustments from the back office (admin, cobranzas).</summary>
public sealed class AjustesCortesiaFunciones(Api api, IServicioAjustesCortesia ajustes)
{
    private static readonly Permiso Cobranza = Permiso.Para(Roles.Admin, Roles.Cobranzas);

    /// <summary>POST /api/clientes/{id}/ajustes-cortesia {monto, motivo, facturaUuid?} (Idempotency-Key): 201 with the credit note
    /// (origen cortesia), audited in the customer's timeline; 400 motivo/monto; 404; 409 excede_saldo, sin_factura_con_saldo;
    /// 503 pac_no_disponible (the note stays sealed; repeat with the same key).</summary>
    [Function(nameof(AjusteCortesia))]
    public Task<IActionResult> AjusteCortesia(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "clientes/{id}/ajustes-cortesia")] HttpRequest req, string id) =>
        api.EjecutarIdempotenteAsync(req, Cobranza, async l =>
        {
            var cliente = Peticion.Uuid(id, "id");
            var s = await l.LeerAsync<SolicitudAjusteCortesia>();
            var r = await ajustes.AplicarAsync(cliente, s, l.ClaveIdempotencia, l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            if (r.PacNoDisponible)
                return Respuestas.PacNoDisponible(
                    $"La nota de crédito {r.Nota.Serie}-{r.Nota.Folio} quedó sellada; repita la solicitud con la misma Idempotency-Key para timbrarla.", l.Cid, req.Path);
            return Respuestas.Creado($"/api/facturacion/notas-credito/{r.Nota.Uuid}/xml", r.Nota);
        });
}
