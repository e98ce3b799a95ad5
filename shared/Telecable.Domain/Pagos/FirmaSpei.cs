namespace Telecable.Domain.Pagos;

/// <summary>
/// The emulated SPEI collection provider's signature: header <c>X-Spei-Firma: t=&lt;unix&gt;,v1=&lt;hex&gt;</c>,
/// v1 = hex(HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;")), with its own secret. The construction is the
/// Stripe-style one (constant-time compare, any v1 with any configured secret, |now - t| within the
/// tolerance), so it reuses that verifier on this header rather than a second copy of the crypto.
/// </summary>
public static class FirmaSpei
{
    public const string Encabezado = "X-Spei-Firma";

    public static VerificacionFirma Verificar(string? encabezado, ReadOnlySpan<byte> cuerpo, IReadOnlyList<string> secretos,
        DateTimeOffset ahora, TimeSpan? tolerancia = null) =>
        FirmaStripe.Verificar(encabezado, cuerpo, secretos, ahora, tolerancia);

    public static string Generar(ReadOnlySpan<byte> cuerpo, long t, params string[] secretos) => FirmaStripe.Generar(cuerpo, t, secretos);
}
