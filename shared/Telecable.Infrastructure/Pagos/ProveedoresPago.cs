using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.Options;
using Telecable.Application.Pagos;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>
/// One provider's webhook settings, each provider's subclass bound from its own section (its const <c>Seccion</c>):
/// <c>Secretos:0</c> the current secret, <c>Secretos:1</c> the previous one during rotation, and the timestamp tolerance.
/// </summary>
public abstract class OpcionesWebhookProveedor
{
    public List<string> Secretos { get; set; } = [];
    public int ToleranciaSegundos { get; set; } = 300;
}

/// <summary>The SPEI provider's deposit notices (<c>Webhooks:Spei</c>).</summary>
public sealed class OpcionesWebhooksSpei : OpcionesWebhookProveedor
{
    public const string Seccion = "Webhooks:Spei";
}

/// <summary>The OXXO cash provider's notices (<c>Webhooks:Oxxo</c>).</summary>
public sealed class OpcionesWebhooksOxxo : OpcionesWebhookProveedor
{
    public const string Seccion = "Webhooks:Oxxo";
}

/// <summary>
/// Base of the providers that sign Stripe-style (HMAC-SHA256 over "&lt;t&gt;.&lt;raw body&gt;", header
/// <c>t=..,v1=..</c>) under a header of their own and with secrets of their own: the verifier is the one
/// pure <see cref="FirmaStripe"/> (raw bytes, constant time, rotation, anti-replay window).
/// </summary>
public abstract class AdaptadorHmac(Func<OpcionesWebhookProveedor> opciones) : IAdaptadorPasarela
{
    public abstract string Nombre { get; }
    public abstract string Metodo { get; }
    public abstract string EncabezadoFirma { get; }

    public OpcionesWebhookProveedor Opciones => opciones();

    public VerificacionFirma Verificar(Func<string, string?> encabezado, ReadOnlySpan<byte> cuerpo, DateTimeOffset ahora)
    {
        var o = Opciones;
        return FirmaStripe.Verificar(encabezado(EncabezadoFirma), cuerpo, o.Secretos, ahora, TimeSpan.FromSeconds(o.ToleranciaSegundos));
    }

    public abstract EventoPasarela Interpretar(ReadOnlySpan<byte> cuerpo);
    public abstract IReadOnlyList<MovimientoLiquidacion> LeerLiquidacion(string contenido);

    /// <summary>Parses the raw body and hands its root to <paramref name="interpretar"/>: a body that is not JSON, or lacks
    /// what the provider always sends, is <c>cuerpo_no_interpretable</c> (a 400 for the provider, never a 500).</summary>
    protected static EventoPasarela InterpretarJson(ReadOnlySpan<byte> cuerpo, Func<JsonElement, EventoPasarela> interpretar)
    {
        try
        {
            var r = new Utf8JsonReader(cuerpo);
            using var doc = JsonDocument.ParseValue(ref r);
            return interpretar(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ErrorEventoPasarela("cuerpo_no_interpretable");
        }
    }

    /// <summary>A string property of a JSON object, or null when absent or not a string.</summary>
    protected static string? Texto(JsonElement e, string nombre) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(nombre, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    public abstract string EscribirLiquidacion(DateOnly dia, IEnumerable<MovimientoLiquidacion> movimientos);
}

/// <summary>Settlement CSVs with CsvHelper: each provider names its own columns and delimiter.</summary>
public static class CsvLiquidacion
{
    /// <summary>Reads the reference and gross amount columns of every data line; a line that cannot be read is an
    /// <see cref="ErrorEventoPasarela"/> naming it ("linea 3").</summary>
    public static IReadOnlyList<MovimientoLiquidacion> Leer(string contenido, string delimitador, string columnaReferencia, string columnaMonto,
        Func<string, bool>? incluir = null, string? columnaFiltro = null, string? columnaComision = null)
    {
        using var lector = new StringReader(contenido);
        using var csv = new CsvReader(lector, new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = delimitador, TrimOptions = TrimOptions.Trim });
        var movimientos = new List<MovimientoLiquidacion>();
        if (!csv.Read() || !csv.ReadHeader()) return movimientos;
        foreach (var c in new[] { columnaReferencia, columnaMonto, columnaFiltro, columnaComision }.OfType<string>())
            if (csv.HeaderRecord is null || !csv.HeaderRecord.Contains(c)) throw new ErrorEventoPasarela($"columna_ausente:{c}", "linea 1");
        while (csv.Read())
        {
            var linea = $"linea {csv.Parser.Row}";
            if (columnaFiltro is not null && incluir is not null && !incluir(csv.GetField(columnaFiltro) ?? "")) continue;
            var referencia = csv.GetField(columnaReferencia);
            if (string.IsNullOrWhiteSpace(referencia)) throw new ErrorEventoPasarela("referencia_vacia", linea);
            if (!decimal.TryParse(csv.GetField(columnaMonto), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var monto)
                || !Montos.EsValido(monto))
                throw new ErrorEventoPasarela("monto_invalido", linea);
            var comision = 0m;
            if (columnaComision is not null && (!decimal.TryParse(csv.GetField(columnaComision), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out comision)
                || comision > monto || decimal.Round(comision, 2) != comision))
                throw new ErrorEventoPasarela("comision_invalida", linea);
            movimientos.Add(new MovimientoLiquidacion(referencia, monto, comision));
        }
        return movimientos;
    }

    /// <summary>Writes a header and one record per row, RFC 4180 quoting where needed.</summary>
    public static string Escribir(string delimitador, string[] encabezado, IEnumerable<string[]> filas)
    {
        using var escritor = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(escritor, new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = delimitador }))
        {
            foreach (var c in encabezado) csv.WriteField(c);
            csv.NextRecord();
            foreach (var f in filas)
            {
                foreach (var c in f) csv.WriteField(c);
                csv.NextRecord();
            }
        }
        return escritor.ToString();
    }

    public static string Monto(decimal m) => m.ToString("0.00", CultureInfo.InvariantCulture);
}
