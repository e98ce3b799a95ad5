using System.Security.Cryptography;
using Telecable.Domain.Tests.Cfdi;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Domain.Tests.Facturacion;

/// <summary>The issuer's CSD: each way it can be unusable has its code, and a failed load is retried after a short
/// backoff instead of being cached until a restart (issue 15: a Lazy kept the first failure for good).</summary>
public sealed class ProveedorCsdTests : IDisposable
{
    private static readonly DateTimeOffset Hoy = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly string _carpeta = SatReferencia.CarpetaTemporal();
    private readonly RelojManual _reloj = new(Hoy);

    private string Cer => Path.Combine(_carpeta, "csd.cer");
    private string Key => Path.Combine(_carpeta, "csd.key");

    private ProveedorCsd Proveedor(string password = Facturas.PasswordCsd, string rfc = "EKU9003173C9") =>
        new(new OpcionesCsd { CerPath = Cer, KeyPath = Key, Password = password }, new OpcionesEmisor { Rfc = rfc }, _reloj);

    private void CopiarCsd()
    {
        File.Copy(SatReferencia.Ruta("csd", "EKU9003173C9.cer"), Cer, true);
        File.Copy(SatReferencia.Ruta("csd", "EKU9003173C9.key"), Key, true);
    }

    [Fact]
    public void Sin_archivos_falla_con_codigo_y_se_recupera_sin_reiniciar_cuando_aparecen()
    {
        using var p = Proveedor();
        var e = Assert.Throws<CsdNoDisponible>(() => p.Csd);
        Assert.Equal("csd_archivo_no_encontrado", e.Codigo);
        Assert.DoesNotContain(_carpeta, e.Message);

        CopiarCsd();
        // Within the backoff the failure is answered from memory (no file system or Key Vault call per CFDI).
        Assert.Equal("csd_archivo_no_encontrado", Assert.Throws<CsdNoDisponible>(() => p.Csd).Codigo);
        _reloj.Ahora += TimeSpan.FromSeconds(1);
        Assert.Equal("30001000000500003416", p.Csd.NoCertificado);
        Assert.Equal(new EstadoCsd(true, null, "30001000000500003416", p.Csd.ValidoHasta), p.Estado());
    }

    [Fact]
    public void La_espera_entre_intentos_crece_y_no_pasa_de_10_segundos()
    {
        using var p = Proveedor();
        // Waits of 1, 2, 4, 8, 16 -> 10 s: after each the next use loads again (and fails again).
        for (var i = 0; i < 6; i++)
        {
            Assert.Throws<CsdNoDisponible>(() => p.Csd);
            _reloj.Ahora += TimeSpan.FromSeconds(Math.Min(10, Math.Pow(2, i)));
        }
        Assert.Throws<CsdNoDisponible>(() => p.Csd);
        CopiarCsd();
        _reloj.Ahora += TimeSpan.FromSeconds(9);
        Assert.Throws<CsdNoDisponible>(() => p.Csd);
        _reloj.Ahora += TimeSpan.FromSeconds(1);
        Assert.NotNull(p.Csd);
    }

    [Fact]
    public void Un_CSD_de_otro_RFC_no_se_usa()
    {
        CopiarCsd();
        using var p = Proveedor(rfc: "TEL010101AB1");
        Assert.Equal("csd_rfc_distinto", Assert.Throws<CsdNoDisponible>(() => p.Csd).Codigo);
        Assert.Equal(new EstadoCsd(false, "csd_rfc_distinto", null, null), p.Estado());
    }

    [Fact]
    public void Contrasena_equivocada_y_llave_de_otro_certificado_tienen_su_codigo()
    {
        CopiarCsd();
        using (var p = Proveedor(password: "otra"))
            Assert.Equal("csd_llave_invalida", Assert.Throws<CsdNoDisponible>(() => p.Csd).Codigo);

        using var otra = RSA.Create(2048);
        File.WriteAllBytes(Key, otra.ExportEncryptedPkcs8PrivateKey(Facturas.PasswordCsd.AsSpan(),
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
        using var q = Proveedor();
        Assert.Equal("csd_llave_no_corresponde", Assert.Throws<CsdNoDisponible>(() => q.Csd).Codigo);
    }

    [Fact]
    public void Un_CSD_vencido_o_aun_no_vigente_no_esta_sano()
    {
        CopiarCsd();
        using var p = Proveedor();
        _reloj.Ahora = new DateTimeOffset(2027, 5, 19, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal("csd_vencido", p.Estado().Codigo);
        _reloj.Ahora = new DateTimeOffset(2023, 5, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal("csd_aun_no_vigente", p.Estado().Codigo);
        _reloj.Ahora = Hoy;
        Assert.True(p.Estado().Ok);
    }

    [Fact]
    public void Sin_configuracion_lo_dice()
    {
        using var p = new ProveedorCsd(new OpcionesCsd(), new OpcionesEmisor(), _reloj);
        Assert.Equal("csd_sin_configuracion", Assert.Throws<CsdNoDisponible>(() => p.Csd).Codigo);
    }

    public void Dispose() => Directory.Delete(_carpeta, true);
}
