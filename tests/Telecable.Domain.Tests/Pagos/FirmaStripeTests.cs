using System.Security.Cryptography;
using System.Text;
using Telecable.Domain.Pagos;

namespace Telecable.Domain.Tests.Pagos;

/// <summary>Stripe's scheme, checked against an HMAC computed here independently (System.Security.Cryptography.HMACSHA256).</summary>
public sealed class FirmaStripeTests
{
    private const string Secreto = "whsec_test_secret";
    private const string Anterior = "whsec_previous_secret";
    private static readonly byte[] Cuerpo = Encoding.UTF8.GetBytes("{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}");
    private static readonly DateTimeOffset Ahora = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static string Hmac(string secreto, long t, byte[] cuerpo) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secreto), Encoding.UTF8.GetBytes($"{t}.").Concat(cuerpo).ToArray()));

    private static VerificacionFirma Verificar(string? encabezado, byte[]? cuerpo = null, params string[] secretos) =>
        FirmaStripe.Verificar(encabezado, cuerpo ?? Cuerpo, secretos.Length == 0 ? [Secreto] : secretos, Ahora);

    [Fact]
    public void Firma_calculada_independientemente_verifica()
    {
        var t = Ahora.ToUnixTimeSeconds();
        Assert.True(Verificar($"t={t},v1={Hmac(Secreto, t, Cuerpo)}").Valida);
        Assert.Equal($"t={t},v1={Hmac(Secreto, t, Cuerpo)}", FirmaStripe.Generar(Cuerpo, t, Secreto));
    }

    [Fact]
    public void Un_byte_cambiado_invalida()
    {
        var t = Ahora.ToUnixTimeSeconds();
        var otro = (byte[])Cuerpo.Clone();
        otro[^2] ^= 0x01;
        Assert.Equal("firma_invalida", Verificar($"t={t},v1={Hmac(Secreto, t, Cuerpo)}", otro).Motivo);
    }

    [Fact]
    public void Secreto_equivocado_invalida()
    {
        var t = Ahora.ToUnixTimeSeconds();
        Assert.Equal("firma_invalida", Verificar($"t={t},v1={Hmac("whsec_otro", t, Cuerpo)}").Motivo);
    }

    [Theory]
    [InlineData(-301, "marca_de_tiempo_vencida")]
    [InlineData(301, "marca_de_tiempo_futura")]
    public void Fuera_de_tolerancia_se_rechaza(int desplazamiento, string motivo)
    {
        var t = Ahora.ToUnixTimeSeconds() + desplazamiento;
        Assert.Equal(motivo, Verificar($"t={t},v1={Hmac(Secreto, t, Cuerpo)}").Motivo);
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void En_el_limite_de_tolerancia_se_acepta(int desplazamiento)
    {
        var t = Ahora.ToUnixTimeSeconds() + desplazamiento;
        Assert.True(Verificar($"t={t},v1={Hmac(Secreto, t, Cuerpo)}").Valida);
    }

    [Fact]
    public void Durante_la_rotacion_verifican_el_secreto_nuevo_y_el_anterior()
    {
        var t = Ahora.ToUnixTimeSeconds();
        Assert.True(Verificar($"t={t},v1={Hmac(Secreto, t, Cuerpo)}", null, Secreto, Anterior).Valida);
        Assert.True(Verificar($"t={t},v1={Hmac(Anterior, t, Cuerpo)}", null, Secreto, Anterior).Valida);
        // The gateway may send several v1 (one per secret it holds): any match verifies.
        Assert.True(Verificar($"t={t},v1={Hmac("whsec_x", t, Cuerpo)},v1={Hmac(Anterior, t, Cuerpo)}", null, Secreto, Anterior).Valida);
        Assert.False(Verificar($"t={t},v1={Hmac(Anterior, t, Cuerpo)}", null, Secreto).Valida);
    }

    [Theory]
    [InlineData(null, "encabezado_ausente")]
    [InlineData("", "encabezado_ausente")]
    [InlineData("basura", "encabezado_mal_formado")]
    [InlineData("t=abc,v1=00", "encabezado_mal_formado")]
    [InlineData("v1=0000000000000000000000000000000000000000000000000000000000000000", "encabezado_mal_formado")]
    [InlineData("t=1700000000", "sin_firma_v1")]
    [InlineData("t=1700000000,v1=zz00000000000000000000000000000000000000000000000000000000000000", "encabezado_mal_formado")]
    [InlineData("t=1700000000,t=1700000000,v1=0000000000000000000000000000000000000000000000000000000000000000", "encabezado_mal_formado")]
    [InlineData("t=-5,v1=0000000000000000000000000000000000000000000000000000000000000000", "encabezado_mal_formado")]
    public void Encabezado_ausente_o_mal_formado_se_rechaza(string? encabezado, string motivo) =>
        Assert.Equal(motivo, Verificar(encabezado).Motivo);

    [Fact]
    public void Esquemas_desconocidos_se_ignoran_y_v0_no_basta()
    {
        var t = Ahora.ToUnixTimeSeconds();
        Assert.True(Verificar($"t={t},v0=abc,v1={Hmac(Secreto, t, Cuerpo)}").Valida);
        Assert.Equal("sin_firma_v1", Verificar($"t={t},v0={Hmac(Secreto, t, Cuerpo)}").Motivo);
    }

    [Fact]
    public void Sin_secretos_configurados_nada_verifica() =>
        Assert.Equal("sin_secretos_configurados", FirmaStripe.Verificar("t=1,v1=00", Cuerpo, [], Ahora).Motivo);
}
