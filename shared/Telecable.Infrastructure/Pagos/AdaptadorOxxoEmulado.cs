using System.Text.Json;
using Microsoft.Extensions.Options;
using Telecable.Application.Pagos;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>
/// PAYMENT_MODE=emulated: a cash network (OXXO Pay through a Conekta-like aggregator). The customer pays a
/// reference issued by <c>POST /api/pagos/referencias</c> at any store; the provider then posts
/// <c>order.paid</c> (or <c>order.expired</c> when the reference lapsed unpaid), signed with its own secret
/// under <c>X-Oxxo-Firma: t=..,v1=..</c>. The reference is the provider payment id: one reference, one payment.
/// </summary>
public sealed class AdaptadorOxxoEmulado(IOptions<OpcionesWebhooksOxxo> opciones) : AdaptadorHmac(() => opciones.Value)
{
    public const string NombrePasarela = "oxxo";
    /// <summary>Its settings section: <c>Webhooks:Oxxo:Secretos:0</c>, <c>:1</c>, <c>ToleranciaSegundos</c>.</summary>
    public const string Seccion = OpcionesWebhooksOxxo.Seccion;
    public const string Encabezado = "X-Oxxo-Firma";
    public const string TipoPagado = "order.paid", TipoVencido = "order.expired";

    public override string Nombre => NombrePasarela;
    public override string Metodo => MetodosPago.Oxxo;
    public override string EncabezadoFirma => Encabezado;

    public override EventoPasarela Interpretar(ReadOnlySpan<byte> cuerpo) => InterpretarJson(cuerpo, raiz =>
        {
            var id = Texto(raiz, "id");
            if (string.IsNullOrWhiteSpace(id) || id.Length > 100) throw new ErrorEventoPasarela("evento_sin_id", "id");
            var tipo = Texto(raiz, "type") ?? throw new ErrorEventoPasarela("evento_sin_tipo", "type");
            if (tipo is not (TipoPagado or TipoVencido)) return new EventoPasarela(id, tipo, false, null, null, null, null, []);
            var orden = raiz.GetProperty("data").GetProperty("object");
            var referencia = orden.TryGetProperty("payment_method", out var pm) ? Texto(pm, "reference") : null;
            if (!ReferenciaEfectivo.EsValida(referencia)) throw new ErrorEventoPasarela("referencia_invalida", "data.object.payment_method.reference");
            if (tipo == TipoVencido)
                return new EventoPasarela(id, tipo, false, referencia, null, null, null, [], ReferenciaEfectivo: referencia, Efecto: EfectoEvento.VenceReferencia);
            if ((Texto(orden, "currency") ?? "MXN") != "MXN") throw new ErrorEventoPasarela("moneda_no_soportada", "data.object.currency");
            if (!orden.TryGetProperty("amount", out var m) || m.ValueKind != JsonValueKind.Number || !m.TryGetInt64(out var centavos)
                || centavos <= 0 || centavos > (long)(ReferenciaEfectivo.MontoMaximo * 100))
                throw new ErrorEventoPasarela("monto_invalido", "data.object.amount");
            return new EventoPasarela(id, tipo, true, referencia, null, centavos / 100m, MetodosPago.Oxxo, [], ReferenciaEfectivo: referencia);
        });

    /// <summary>The aggregator's daily cash deposit report: one line per store payment, comma separated, the
    /// store's fee apart from the gross amount.</summary>
    private static readonly string[] ColumnasLiquidacion = ["fecha_pago", "referencia", "orden", "tienda", "monto_bruto", "comision", "monto_neto"];

    public override IReadOnlyList<MovimientoLiquidacion> LeerLiquidacion(string contenido) =>
        CsvLiquidacion.Leer(contenido, ",", "referencia", "monto_bruto", columnaComision: "comision");

    public override string EscribirLiquidacion(DateOnly dia, IEnumerable<MovimientoLiquidacion> movimientos) =>
        CsvLiquidacion.Escribir(",", ColumnasLiquidacion, movimientos.Select((m, i) =>
        {
            var comision = decimal.Round(m.Monto * 0.039m, 2); // the aggregator's cash fee
            return new[] { $"{dia:yyyy-MM-dd}", m.Referencia, $"ord_{m.Referencia}", $"50{i % 1000:D3}MTY",
                CsvLiquidacion.Monto(m.Monto), CsvLiquidacion.Monto(comision), CsvLiquidacion.Monto(m.Monto - comision) };
        }));

    /// <summary>The body the emulated provider sends when a reference is paid at a store (or, with
    /// <see cref="TipoVencido"/>, when it lapsed unpaid).</summary>
    public static string Cuerpo(string eventoId, string tipo, string referencia, decimal monto) =>
        JsonSerializer.Serialize(new
        {
            id = eventoId,
            type = tipo,
            livemode = false,
            data = new
            {
                @object = new
                {
                    id = $"ord_{referencia}",
                    @object = "order",
                    amount = (long)(monto * 100m),
                    currency = "MXN",
                    payment_status = tipo == TipoPagado ? "paid" : "expired",
                    payment_method = new { type = "oxxo", reference = referencia, store = "OXXO 50123 MTY" },
                },
            },
        });
}
