using System.Security.Cryptography;
using Telecable.Domain.Cfdi;

namespace Telecable.Domain.Tests.Cfdi;

public sealed class SelloDigitalTests
{
    [Fact]
    public void CSD_de_prueba_expone_numero_RFC_y_vigencia()
    {
        var csd = Facturas.Csd;

        Assert.Equal("30001000000500003416", csd.NoCertificado);
        Assert.Equal("EKU9003173C9", csd.Rfc);
        Assert.Equal(new DateTimeOffset(2023, 5, 18, 11, 43, 51, TimeSpan.Zero), csd.ValidoDesde);
        Assert.Equal(new DateTimeOffset(2027, 5, 18, 11, 43, 51, TimeSpan.Zero), csd.ValidoHasta);
        Assert.Equal(Convert.ToBase64String(File.ReadAllBytes(SatReferencia.Ruta("csd", "EKU9003173C9.cer"))), csd.CertificadoBase64);
    }

    [Fact]
    public void Password_incorrecto_falla_al_cargar()
    {
        Assert.ThrowsAny<CryptographicException>(() => CsdCertificate.Load(
            File.ReadAllBytes(SatReferencia.Ruta("csd", "EKU9003173C9.cer")),
            File.ReadAllBytes(SatReferencia.Ruta("csd", "EKU9003173C9.key")), "otro"));
    }

    [Fact]
    public void Sello_verifica_con_el_certificado_y_no_sobre_otra_cadena()
    {
        var sellado = SelladorCfdi.Sellar(Facturas.Simple(new DateTime(2026, 11, 27, 10, 0, 0)), Facturas.Csd);

        Assert.Contains("NoCertificado=\"30001000000500003416\"", sellado.Xml);
        Assert.True(SelloDigital.Verificar(Facturas.Csd.Certificado, sellado.CadenaOriginal, sellado.Sello));
        Assert.False(SelloDigital.Verificar(Facturas.Csd.Certificado, sellado.CadenaOriginal.Replace("|499.00|", "|498.00|"), sellado.Sello));
        Assert.False(SelloDigital.Verificar(Facturas.Csd.Certificado, sellado.CadenaOriginal, "no-es-base64"));
    }

    [Fact]
    public void Sellar_en_paralelo_da_los_mismos_sellos_que_en_serie()
    {
        var cadenas = Enumerable.Range(0, 64).Select(i => $"||4.0|{i}|cadena||").ToArray();
        var enSerie = cadenas.Select(Facturas.Csd.Sellar).ToArray();

        var enParalelo = cadenas.AsParallel().AsOrdered().WithDegreeOfParallelism(4).Select(Facturas.Csd.Sellar).ToArray();

        Assert.Equal(enSerie, enParalelo);
    }

    [Fact]
    public void Sellador_rechaza_CSD_de_otro_RFC_y_fecha_fuera_de_vigencia()
    {
        var c = Facturas.Simple(new DateTime(2026, 11, 27, 10, 0, 0));

        Assert.Throws<ArgumentException>(() => SelladorCfdi.Sellar(c with { Emisor = c.Emisor with { Rfc = "MCI7306249Y1" } }, Facturas.Csd));
        Assert.Throws<ArgumentException>(() => SelladorCfdi.Sellar(c with { Fecha = new DateTime(2027, 6, 1) }, Facturas.Csd));
    }
}
