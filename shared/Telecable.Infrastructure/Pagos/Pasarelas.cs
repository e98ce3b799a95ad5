using System.Text.Json;
using Microsoft.Extensions.Options;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>Secrets of each gateway's webhooks: index 0 the current one, 1 the previous one during rotation.</summary>
public sealed class OpcionesWebhooksPagos
{
    public const string Seccion = "Webhooks:Pagos";
    public List<string> Secretos { get; set; } = [];
    public int ToleranciaSegundos { get; set; } = 300;
    /// <summary>Days rejected and duplicate deliveries are kept before PurgarWebhooks removes them. The first
    /// accepted delivery of each event stays: it is the dedupe record a late re-delivery is checked against.</summary>
    public int RetencionDias { get; set; } = 30;
}

/// <summary>A payment event in the system's own words, whatever gateway sent it. A provider that names the payer by
/// CLABE (SPEI) leaves <see cref="ClienteId"/> empty and sets <see cref="Clabe"/>; the service finds the customer.</summary>
public sealed record EventoPasarela(
    string EventoId, string Tipo, bool ConfirmaPago, string? Referencia, Guid? ClienteId, decimal? Monto, string? Metodo,
    IReadOnlyList<Guid> Facturas, string? Clabe = null);

/// <summary>The webhook body could not be understood (signed, but not a payment event this system reads);
/// <see cref="Campo"/> names the offending field in the gateway's own JSON ("cuerpo" when it is the whole body).</summary>
public sealed class ErrorEventoPasarela(string motivo, string campo = "cuerpo") : Exception(motivo)
{
    public string Campo { get; } = campo;
}

/// <summary>
/// One payment gateway's webhook dialect: how it signs and what its events look like. Adding Conekta or
/// Mercado Pago is a new class registered in DI, nothing else.
/// </summary>
public interface IAdaptadorPasarela
{
    string Nombre { get; }
    /// <summary>The header that carries the signature (named in the 400 when it does not verify).</summary>
    string EncabezadoFirma { get; }
    VerificacionFirma Verificar(Func<string, string?> encabezado, ReadOnlySpan<byte> cuerpo, DateTimeOffset ahora);
    /// <summary>Only called after <see cref="Verificar"/> accepted the body. Throws <see cref="ErrorEventoPasarela"/>.</summary>
    EventoPasarela Interpretar(ReadOnlySpan<byte> cuerpo);
}

/// <summary>
/// PAYMENT_MODE=emulated: a gateway that signs and shapes its events exactly as Stripe does
/// (Stripe-Signature, payment_intent.succeeded with the amount in centavos and metadata).
/// </summary>
public sealed class AdaptadorPasarelaEmulada(IOptions<OpcionesWebhooksPagos> opciones) : IAdaptadorPasarela
{
    public const string NombrePasarela = "emulada";
    public string Nombre => NombrePasarela;
    public string EncabezadoFirma => FirmaStripe.Encabezado;

    public VerificacionFirma Verificar(Func<string, string?> encabezado, ReadOnlySpan<byte> cuerpo, DateTimeOffset ahora) =>
        FirmaStripe.Verificar(encabezado(FirmaStripe.Encabezado), cuerpo, opciones.Value.Secretos, ahora,
            TimeSpan.FromSeconds(opciones.Value.ToleranciaSegundos));

    public EventoPasarela Interpretar(ReadOnlySpan<byte> cuerpo)
    {
        try
        {
            var r = new Utf8JsonReader(cuerpo);
            using var doc = JsonDocument.ParseValue(ref r);
            var raiz = doc.RootElement;
            var id = Texto(raiz, "id", "id") ?? throw new ErrorEventoPasarela("evento_sin_id", "id");
            var tipo = Texto(raiz, "type", "type") ?? throw new ErrorEventoPasarela("evento_sin_tipo", "type");
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
