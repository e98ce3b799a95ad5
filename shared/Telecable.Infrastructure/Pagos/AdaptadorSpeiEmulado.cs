using System.Text.Json;
using Microsoft.Extensions.Options;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>Secrets of the SPEI provider's deposit notifications: 0 current, 1 previous during rotation.</summary>
public sealed class OpcionesWebhooksSpei
{
    public const string Seccion = "Webhooks:Spei";
    public List<string> Secretos { get; set; } = [];
    public int ToleranciaSegundos { get; set; } = 300;
}

/// <summary>
/// PAYMENT_MODE=emulated: a SPEI collection provider (STP-like) that notifies each deposit ("abono") to one of the
/// customers' CLABEs. Its tracking key (<c>claveRastreo</c>) is both the event id and the payment id, so a
/// re-sent notice is a duplicate; the customer is found by <c>clabeBeneficiario</c> (<see cref="ServicioWebhooks"/>).
/// </summary>
public sealed class AdaptadorSpeiEmulado(IOptions<OpcionesWebhooksSpei> opciones) : IAdaptadorPasarela
{
    public const string NombrePasarela = "spei";
    public string Nombre => NombrePasarela;
    public string EncabezadoFirma => FirmaSpei.Encabezado;

    public VerificacionFirma Verificar(Func<string, string?> encabezado, ReadOnlySpan<byte> cuerpo, DateTimeOffset ahora) =>
        FirmaSpei.Verificar(encabezado(FirmaSpei.Encabezado), cuerpo, opciones.Value.Secretos, ahora, TimeSpan.FromSeconds(opciones.Value.ToleranciaSegundos));

    public EventoPasarela Interpretar(ReadOnlySpan<byte> cuerpo)
    {
        try
        {
            var r = new Utf8JsonReader(cuerpo);
            using var doc = JsonDocument.ParseValue(ref r);
            var raiz = doc.RootElement;
            var rastreo = Texto(raiz, "claveRastreo");
            if (string.IsNullOrWhiteSpace(rastreo) || rastreo.Length > 30) throw new ErrorEventoPasarela("claveRastreo_invalida");
            var clabe = Texto(raiz, "clabeBeneficiario");
            if (!Clabe.EsValida(clabe)) throw new ErrorEventoPasarela("clabeBeneficiario_invalida");
            var monto = raiz.GetProperty("monto").GetDecimal();
            if (monto <= 0 || decimal.Round(monto, 2) != monto) throw new ErrorEventoPasarela("monto_invalido");
            return new EventoPasarela(rastreo, "abono", true, rastreo, null, monto, MetodosPago.Spei, [], clabe);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ErrorEventoPasarela("cuerpo_no_interpretable");
        }
    }

    private static string? Texto(JsonElement e, string nombre) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(nombre, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The body the emulated provider sends for a deposit (tests, docs).</summary>
    public static string CuerpoAbono(string claveRastreo, string clabeBeneficiario, decimal monto, string ordenante = "JUAN PEREZ LOPEZ") =>
        JsonSerializer.Serialize(new
        {
            claveRastreo,
            clabeBeneficiario,
            monto,
            fechaOperacion = "20261203",
            institucionOrdenante = "40012",
            nombreOrdenante = ordenante,
            conceptoPago = "PAGO SERVICIO INTERNET",
        });
}
