using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

public sealed record PagoEnLinea(Guid PagoId, string Referencia, decimal Monto, IReadOnlyList<Guid> Facturas);

/// <summary>
/// The emulated gateway's hosted checkout (PAYMENT_MODE=emulated): a customer pays their own stamped
/// invoices by card; the "gateway" charges the pending balance and delivers payment_intent.succeeded,
/// signed as Stripe signs, through the very webhook pipeline a real delivery takes (signature, dedupe,
/// payment). With a real gateway the portal is sent to its hosted page instead and the webhook path
/// is the same.
/// </summary>
public sealed class CheckoutEmulado(NpgsqlDataSource db, ServicioWebhooks webhooks, IOptions<OpcionesWebhooksPagos> opciones, TimeProvider reloj)
{
    public const int MaximoFacturas = 50;

    public async Task<PagoEnLinea> CobrarAsync(Guid clienteId, IReadOnlyList<Guid> uuids, string cid, CancellationToken ct)
    {
        var pedidas = uuids.Distinct().ToArray();
        if (pedidas.Length is 0 or > MaximoFacturas)
            throw new ErrorValidacion("facturas", $"Indique entre 1 y {MaximoFacturas} facturas (UUID).");
        await using var cn = await db.OpenConnectionAsync(ct);
        var facturas = (await cn.QueryAsync<(Guid Id, Guid Uuid, decimal Pendiente)>(new CommandDefinition("""
            SELECT f.id, f.uuid, f.total - f.acreditado - coalesce((SELECT sum(a.monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0)
              FROM facturas f
             WHERE f.uuid = ANY(@pedidas) AND f.cliente_id = @clienteId AND f.estado = 'timbrada'
            """, new { pedidas, clienteId }, cancellationToken: ct))).ToList();
        // Another customer's invoice looks exactly like one that does not exist or is not payable.
        var faltantes = pedidas.Except(facturas.Select(f => f.Uuid)).ToList();
        if (faltantes.Count > 0) throw new ErrorNoEncontrado("factura por pagar", faltantes[0].ToString());
        var monto = facturas.Sum(f => f.Pendiente);
        if (monto <= 0) throw new ErrorRegla("Las facturas no tienen saldo pendiente.", "facturas");

        var ahora = reloj.GetUtcNow().ToUnixTimeSeconds();
        var referencia = $"pi_emu_{Guid.NewGuid():N}";
        var cuerpo = Encoding.UTF8.GetBytes(AdaptadorPasarelaEmulada.CuerpoPagoExitoso(
            $"evt_emu_{Guid.NewGuid():N}", referencia, clienteId, monto, MetodosPago.Tarjeta, facturas.Select(f => f.Id), ahora));
        var firma = FirmaStripe.Generar(cuerpo, ahora, opciones.Value.Secretos[0]);
        var r = await webhooks.RecibirAsync(AdaptadorPasarelaEmulada.NombrePasarela,
            h => h == FirmaStripe.Encabezado ? firma : null, cuerpo, cid, ct);
        return r is ResultadoWebhook.Aceptado { PagoId: { } pagoId }
            ? new PagoEnLinea(pagoId, referencia, monto, facturas.Select(f => f.Uuid).ToList())
            : throw new InvalidOperationException($"La pasarela emulada no registró el pago: {r}");
    }
}
