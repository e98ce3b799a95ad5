using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Telecable.Domain.Pagos;

/// <summary>Outcome of checking a webhook signature: valid, or the reason it was refused.</summary>
public sealed record VerificacionFirma(bool Valida, string? Motivo)
{
    public static readonly VerificacionFirma Ok = new(true, null);
    public static VerificacionFirma Rechazo(string motivo) => new(false, motivo);
}

/// <summary>
/// Stripe's webhook signature scheme, the reference for every gateway that signs this way:
/// header <c>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=...]</c>, v1 = hex(HMAC-SHA256(secret,
/// "&lt;t&gt;.&lt;raw body&gt;")). Any v1 matching any configured secret verifies (rotation); the timestamp must be
/// within the tolerance of now in either direction (anti-replay). Pure: no clock, no I/O.
/// </summary>
public static class FirmaStripe
{
    public const string Encabezado = "Stripe-Signature";
    public static readonly TimeSpan ToleranciaPorDefecto = TimeSpan.FromSeconds(300);
    private const int MaximoEncabezado = 4096;

    public static VerificacionFirma Verificar(string? encabezado, ReadOnlySpan<byte> cuerpo, IReadOnlyList<string> secretos,
        DateTimeOffset ahora, TimeSpan? tolerancia = null)
    {
        if (secretos.Count == 0) return VerificacionFirma.Rechazo("sin_secretos_configurados");
        if (string.IsNullOrWhiteSpace(encabezado)) return VerificacionFirma.Rechazo("encabezado_ausente");
        if (encabezado.Length > MaximoEncabezado) return VerificacionFirma.Rechazo("encabezado_mal_formado");

        string? t = null;
        var firmas = new List<byte[]>();
        foreach (var parte in encabezado.Split(','))
        {
            var igual = parte.IndexOf('=');
            if (igual <= 0) return VerificacionFirma.Rechazo("encabezado_mal_formado");
            var clave = parte[..igual].Trim();
            var valor = parte[(igual + 1)..].Trim();
            if (clave == "t")
            {
                if (t is not null) return VerificacionFirma.Rechazo("encabezado_mal_formado");
                t = valor;
            }
            else if (clave == "v1")
            {
                // Hex SHA-256 is 64 characters; anything else cannot match and is malformed.
                if (valor.Length != 64) return VerificacionFirma.Rechazo("encabezado_mal_formado");
                try { firmas.Add(Convert.FromHexString(valor)); }
                catch (FormatException) { return VerificacionFirma.Rechazo("encabezado_mal_formado"); }
            }
            // Other schemes (v0 test signatures, future versions) are ignored, as Stripe's libraries do.
        }
        if (t is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var segundos))
            return VerificacionFirma.Rechazo("encabezado_mal_formado");
        if (firmas.Count == 0) return VerificacionFirma.Rechazo("sin_firma_v1");

        var diferencia = ahora.ToUnixTimeSeconds() - segundos;
        var maximo = (long)(tolerancia ?? ToleranciaPorDefecto).TotalSeconds;
        if (diferencia > maximo) return VerificacionFirma.Rechazo("marca_de_tiempo_vencida");
        if (diferencia < -maximo) return VerificacionFirma.Rechazo("marca_de_tiempo_futura");

        Span<byte> calculada = stackalloc byte[32];
        foreach (var secreto in secretos)
        {
            if (string.IsNullOrEmpty(secreto)) continue;
            Calcular(secreto, t, cuerpo, calculada);
            foreach (var firma in firmas)
                if (CryptographicOperations.FixedTimeEquals(calculada, firma)) return VerificacionFirma.Ok;
        }
        return VerificacionFirma.Rechazo("firma_invalida");
    }

    /// <summary>The header a gateway sends for this body at instant t (the emulated gateway and tests sign with it).</summary>
    public static string Generar(ReadOnlySpan<byte> cuerpo, long t, params string[] secretos)
    {
        var sb = new StringBuilder("t=").Append(t.ToString(CultureInfo.InvariantCulture));
        Span<byte> mac = stackalloc byte[32];
        foreach (var s in secretos)
        {
            Calcular(s, t.ToString(CultureInfo.InvariantCulture), cuerpo, mac);
            sb.Append(",v1=").Append(Convert.ToHexStringLower(mac));
        }
        return sb.ToString();
    }

    private static void Calcular(string secreto, string t, ReadOnlySpan<byte> cuerpo, Span<byte> destino)
    {
        using var h = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secreto));
        h.AppendData(Encoding.ASCII.GetBytes(t));
        h.AppendData("."u8);
        h.AppendData(cuerpo);
        h.GetHashAndReset(destino);
    }
}
