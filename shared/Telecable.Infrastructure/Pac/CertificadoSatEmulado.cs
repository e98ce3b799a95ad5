using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Telecable.Domain.Cfdi;

namespace Telecable.Infrastructure.Pac;

/// <summary>
/// Stands in for SAT's stamping certificate in emulated mode: a self-signed RSA-2048 certificate whose
/// serial encodes a 20-digit NoCertificadoSAT the way SAT's do, so SelloSAT verifies with ordinary tools
/// (verify.sh with TFDCERTS pointing at a folder holding &lt;NoCertificadoSAT&gt;.cer).
/// </summary>
public sealed class CertificadoSatEmulado : IDisposable
{
    public const string NoCertificadoPredeterminado = "30001000000599999999";

    private readonly RSA _llave;

    private CertificadoSatEmulado(X509Certificate2 certificado, RSA llave)
    {
        Certificado = certificado;
        _llave = llave;
        NoCertificado = SelloDigital.NoCertificado(certificado);
    }

    public X509Certificate2 Certificado { get; }
    public string NoCertificado { get; }
    /// <summary>DER bytes, i.e. the content of &lt;NoCertificado&gt;.cer.</summary>
    public byte[] Der => Certificado.RawData;

    public static CertificadoSatEmulado Crear(string noCertificado = NoCertificadoPredeterminado, DateTimeOffset? desde = null)
    {
        if (noCertificado.Length != 20 || !noCertificado.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("NoCertificadoSAT debe tener 20 dígitos.", nameof(noCertificado));
        }
        var llave = RSA.Create(2048);
        var sujeto = new X500DistinguishedName($"CN=SAT EMULADO {noCertificado}, O=Telecable PAC emulado, C=MX");
        var solicitud = new CertificateRequest(sujeto, llave, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        solicitud.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        solicitud.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        var inicio = desde ?? DateTimeOffset.UtcNow.AddDays(-1);
        using var publico = solicitud.Create(
            sujeto, X509SignatureGenerator.CreateForRSA(llave, RSASignaturePadding.Pkcs1),
            inicio, inicio.AddYears(4), Encoding.ASCII.GetBytes(noCertificado));
        return new CertificadoSatEmulado(X509CertificateLoader.LoadCertificate(publico.RawData), llave);
    }

    public static CertificadoSatEmulado Cargar(byte[] pfx, string? password)
    {
        var certificado = X509CertificateLoader.LoadPkcs12(pfx, password, X509KeyStorageFlags.Exportable);
        var llave = certificado.GetRSAPrivateKey()
                    ?? throw new CryptographicException("El PFX del certificado SAT emulado no tiene llave RSA.");
        return new CertificadoSatEmulado(certificado, llave);
    }

    public static CertificadoSatEmulado CargarArchivo(string rutaPfx, string? password) =>
        Cargar(File.ReadAllBytes(rutaPfx), password);

    public byte[] ExportarPfx(string? password = null)
    {
        using var conLlave = Certificado.CopyWithPrivateKey(_llave);
        return conLlave.Export(X509ContentType.Pkcs12, password);
    }

    /// <summary>Writes &lt;NoCertificado&gt;.cer into <paramref name="carpeta"/> (a TFDCERTS folder).</summary>
    public string GuardarCer(string carpeta)
    {
        Directory.CreateDirectory(carpeta);
        var ruta = Path.Combine(carpeta, NoCertificado + ".cer");
        File.WriteAllBytes(ruta, Der);
        return ruta;
    }

    public string Sellar(string cadenaOriginal) => SelloDigital.Firmar(_llave, cadenaOriginal);

    public void Dispose()
    {
        _llave.Dispose();
        Certificado.Dispose();
    }
}
