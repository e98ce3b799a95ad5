using System.Text.Json;
using Microsoft.Extensions.Options;
using Telecable.Domain.Comun;
using Telecable.Application.Pagos;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>Secrets of each gateway's webhooks: index 0 the current one, 1 the previous one during rotation.</summary>
public sealed class OpcionesWebhooksPagos : OpcionesWebhookProveedor
{
    public const string Seccion = "Webhooks:Pagos";
    /// <summary>Days rejected and duplicate deliveries are kept before PurgarWebhooks removes them. The first
    /// accepted delivery of each event stays: it is the dedupe record a late re-delivery is checked against.</summary>
    public int RetencionDias { get; set; } = 30;
}

/// <summary>
/// PAYMENT_MODE=emulated: a gateway that signs and shapes its events exactly as Stripe does
/// (Stripe-Signature, payment_intent.succeeded with the amount in centavos and metadata).
/// </summary>
public sealed class AdaptadorPasarelaEmulada(IOptions<OpcionesWebhooksPagos> opciones) : AdaptadorHmac(() => opciones.Value)
{
    public const string NombrePasarela = "emulada";
    /// <summary>Its settings section (<see cref="OpcionesWebhooksPagos"/>): the card gateway's secrets.</summary>
    public const string Seccion = OpcionesWebhooksPagos.Seccion;
    public override string Nombre => NombrePasarela;
    public override string Metodo => MetodosPago.Tarjeta;
    public override string EncabezadoFirma => FirmaStripe.Encabezado;

    /// <summary>Stripe's refund and dispute events: the payment they reverse is the charge's payment_intent.</summary>
    public const string TipoReembolso = "charge.refunded", TipoContracargo = "charge.dispute.created";

    public override EventoPasarela Interpretar(ReadOnlySpan<byte> cuerpo)
    {
        try
        {
            var r = new Utf8JsonReader(cuerpo);
            using var doc = JsonDocument.ParseValue(ref r);
            var raiz = doc.RootElement;
            var id = Texto(raiz, "id", "id") ?? throw new ErrorEventoPasarela("evento_sin_id", "id");
            var tipo = Texto(raiz, "type", "type") ?? throw new ErrorEventoPasarela("evento_sin_tipo", "type");
            if (tipo is TipoReembolso or TipoContracargo)
            {
                var o = raiz.GetProperty("data").GetProperty("object");
                var intento = Texto(o, "payment_intent", "data.object.payment_intent") ?? throw new ErrorEventoPasarela("pago_sin_id", "data.object.payment_intent");
                var campo = tipo == TipoReembolso ? "amount_refunded" : "amount";
                if (!o.TryGetProperty(campo, out var valor) || valor.ValueKind != JsonValueKind.Number || !valor.TryGetInt64(out var c) || c <= 0 || c > MaximoCentavos)
                    throw new ErrorEventoPasarela("monto_invalido", $"data.object.{campo}");
                return new EventoPasarela(id, tipo, false, intento, null, c / 100m, null, [],
                    Efecto: tipo == TipoReembolso ? EfectoEvento.Reembolso : EfectoEvento.Contracargo);
            }
            if (tipo != "payment_intent.succeeded") return new EventoPasarela(id, tipo, false, null, null, null, null, []);

            var obj = raiz.GetProperty("data").GetProperty("object");
            var referencia = Texto(obj, "id", "data.object.id") ?? throw new ErrorEventoPasarela("pago_sin_id", "data.object.id");
            if ((Texto(obj, "currency", "data.object.currency") ?? "mxn") != "mxn") throw new ErrorEventoPasarela("moneda_no_soportada", "data.object.currency");
            // pagos.monto is numeric(12,2): a larger amount is bad input, not a numeric overflow in the database.
            if (!obj.TryGetProperty("amount", out var monto) || monto.ValueKind != JsonValueKind.Number || !monto.TryGetInt64(out var centavos)
                || centavos <= 0 || centavos > MaximoCentavos)
                throw new ErrorEventoPasarela("monto_invalido", "data.object.amount");
            var meta = obj.TryGetProperty("metadata", out var m) ? m : default;
            if (!Guid.TryParse(Texto(meta, "cliente_id", "data.object.metadata.cliente_id"), out var cliente))
                throw new ErrorEventoPasarela("metadata_cliente_id_invalido", "data.object.metadata.cliente_id");
            var metodo = Texto(meta, "metodo", "data.object.metadata.metodo") ?? MetodosPago.Tarjeta;
            if (!MetodosPago.Todos.Contains(metodo)) throw new ErrorEventoPasarela("metodo_invalido", "data.object.metadata.metodo");
            var facturas = new List<Guid>();
            foreach (var f in (Texto(meta, "facturas", "data.object.metadata.facturas") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                facturas.Add(Guid.TryParse(f, out var g) ? g : throw new ErrorEventoPasarela("metadata_facturas_invalida", "data.object.metadata.facturas"));
            return new EventoPasarela(id, tipo, true, referencia, cliente, centavos / 100m, metodo, facturas);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ErrorEventoPasarela("cuerpo_no_interpretable");
        }
    }

    /// <summary>Stripe's itemized balance report (payout reconciliation): one line per balance transaction; only
    /// <c>charge</c> lines are payments (refunds and fees are other categories), gross in MXN.</summary>
    private static readonly string[] ColumnasLiquidacion =
        ["balance_transaction_id", "created_utc", "reporting_category", "payment_intent_id", "gross", "fee", "net", "currency"];

    public override IReadOnlyList<MovimientoLiquidacion> LeerLiquidacion(string contenido) =>
        CsvLiquidacion.Leer(contenido, ",", "payment_intent_id", "gross", c => c == "charge", "reporting_category", "fee");

    public override string EscribirLiquidacion(DateOnly dia, IEnumerable<MovimientoLiquidacion> movimientos) =>
        CsvLiquidacion.Escribir(",", ColumnasLiquidacion, movimientos.Select((m, i) =>
        {
            // 3.6 % + 3 MXN, Stripe Mexico's card fee, so the file looks like the real one (gross is what is reconciled).
            var comision = decimal.Round(m.Monto * 0.036m + 3m, 2);
            return new[] { $"txn_{dia:yyyyMMdd}{i:D5}", $"{dia:yyyy-MM-dd} 12:00:00", "charge", m.Referencia,
                CsvLiquidacion.Monto(m.Monto), CsvLiquidacion.Monto(comision), CsvLiquidacion.Monto(m.Monto - comision), "mxn" };
        }));

    /// <summary>The body the emulated gateway sends for a refund (<see cref="TipoReembolso"/>) or a dispute
    /// (<see cref="TipoContracargo"/>) of the payment intent <paramref name="referencia"/>.</summary>
    public static string CuerpoReverso(string eventoId, string tipo, string referencia, decimal monto) =>
        JsonSerializer.Serialize(new
        {
            id = eventoId,
            @object = "event",
            type = tipo,
            data = new
            {
                @object = tipo == TipoReembolso
                    ? (object)new { id = $"ch_{referencia}", @object = "charge", payment_intent = referencia, amount = (long)(monto * 100m), amount_refunded = (long)(monto * 100m), refunded = true, currency = "mxn" }
                    : new { id = $"dp_{referencia}", @object = "dispute", charge = $"ch_{referencia}", payment_intent = referencia, amount = (long)(monto * 100m), reason = "fraudulent", status = "needs_response", currency = "mxn" },
            },
        });

    /// <summary>The largest amount pagos.monto (numeric(12,2)) holds, in centavos.</summary>
    public const long MaximoCentavos = 999_999_999_999;

    /// <summary>A string property; one the database could not store (NUL, a lone surrogate) is refused naming <paramref name="campo"/>.</summary>
    private static string? Texto(JsonElement e, string nombre, string campo)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(nombre, out var v) || v.ValueKind != JsonValueKind.String) return null;
        string s;
        try { s = v.GetString()!; }
        catch (InvalidOperationException) { throw new ErrorEventoPasarela("texto_invalido", campo); }
        return TextoAlmacenable.Motivo(s) is null ? s : throw new ErrorEventoPasarela("texto_invalido", campo);
    }

    /// <summary>The body the emulated gateway sends for a succeeded payment (tests, bench, docs).</summary>
    public static string CuerpoPagoExitoso(string eventoId, string referencia, Guid clienteId, decimal monto, string metodo = MetodosPago.Tarjeta,
        IEnumerable<Guid>? facturas = null, long creado = 0) =>
        JsonSerializer.Serialize(new
        {
            id = eventoId,
            @object = "event",
            type = "payment_intent.succeeded",
            created = creado,
            data = new
            {
                @object = new
                {
                    id = referencia,
                    @object = "payment_intent",
                    amount = (long)(monto * 100m),
                    currency = "mxn",
                    metadata = new Dictionary<string, string>
                    {
                        ["cliente_id"] = clienteId.ToString(),
                        ["metodo"] = metodo,
                        ["facturas"] = string.Join(",", facturas ?? []),
                    },
                },
            },
        });
}
