using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Telecable.Domain.Cfdi;

/// <summary>SAT's signature scheme for CFDI and TFD: RSA PKCS#1 v1.5 with SHA-256 over the UTF-8 cadena.</summary>
public static class SelloDigital
{
    private const string OidUniqueIdentifier = "2.5.4.45";

    public static string Firmar(RSA llave, string cadena) =>
        Convert.ToBase64String(llave.SignData(Encoding.UTF8.GetBytes(cadena), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static bool Verificar(X509Certificate2 certificado, string cadena, string sello)
    {
        using var rsa = certificado.GetRSAPublicKey();
        return rsa is not null && Verificar(rsa, cadena, sello);
    }

    public static bool Verificar(RSA publica, string cadena, string sello)
    {
        var firma = new byte[sello.Length];
        return Convert.TryFromBase64String(sello, firma, out var largo)
            && publica.VerifyData(Encoding.UTF8.GetBytes(cadena), firma.AsSpan(0, largo), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>SAT writes the 20-digit certificate number as ASCII digits in the serial's bytes
    /// (hex 3330303031... = "30001...").</summary>
    public static string NoCertificado(X509Certificate2 certificado)
    {
        var serie = certificado.SerialNumberBytes.Span;
        var digitos = Encoding.ASCII.GetString(serie);
        if (digitos.Length == 0 || !digitos.All(char.IsAsciiDigit))
        {
            throw new CryptographicException($"El número de serie {certificado.SerialNumber} no codifica un número de certificado SAT.");
        }
        return digitos;
    }

    /// <summary>The subject's x500UniqueIdentifier holds "RFC" or "RFC / RFC-of-legal-representative".</summary>
    public static string? Rfc(X509Certificate2 certificado)
    {
        foreach (var rdn in certificado.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.GetSingleElementType().Value == OidUniqueIdentifier)
            {
                var valor = rdn.GetSingleElementValue();
                return valor?.Split('/')[0].Trim();
            }
        }
        return null;
    }
}

/// <summary>A CSD (certificado de sello digital) loaded once per process: loading the encrypted key
/// costs milliseconds, signing about 0.3 ms.</summary>
public sealed class CsdCertificate : IDisposable
{
    private readonly RSA _llave;

    private CsdCertificate(X509Certificate2 certificado, RSA llave)
    {
        Certificado = certificado;
        _llave = llave;
        NoCertificado = SelloDigital.NoCertificado(certificado);
        CertificadoBase64 = Convert.ToBase64String(certificado.RawData);
        Rfc = SelloDigital.Rfc(certificado)
              ?? throw new CryptographicException("El certificado no contiene el RFC (x500UniqueIdentifier).");
        ValidoDesde = new DateTimeOffset(certificado.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        ValidoHasta = new DateTimeOffset(certificado.NotAfter.ToUniversalTime(), TimeSpan.Zero);
    }

    public X509Certificate2 Certificado { get; }
    public string NoCertificado { get; }
    public string CertificadoBase64 { get; }
    public string Rfc { get; }
    public DateTimeOffset ValidoDesde { get; }
    public DateTimeOffset ValidoHasta { get; }

    /// <param name="cer">DER certificate (.cer) as SAT issues it.</param>
    /// <param name="key">DER PKCS#8 EncryptedPrivateKeyInfo (.key) as SAT issues it.</param>
    public static CsdCertificate Load(byte[] cer, byte[] key, string password)
    {
        var certificado = X509CertificateLoader.LoadCertificate(cer);
        var llave = RSA.Create();
        try
        {
            llave.ImportEncryptedPkcs8PrivateKey(password.AsSpan(), key, out _);
            using var publica = certificado.GetRSAPublicKey()
                                ?? throw new CryptographicException("El certificado no tiene llave RSA.");
            // A .key from another CSD would produce sellos no PAC accepts: fail at load, not per invoice.
            if (!publica.ExportParameters(false).Modulus.AsSpan().SequenceEqual(llave.ExportParameters(false).Modulus))
            {
                throw new CryptographicException("La llave privada no corresponde al certificado.");
            }
            return new CsdCertificate(certificado, llave);
        }
        catch
        {
            llave.Dispose();
            certificado.Dispose();
            throw;
        }
    }

    public bool EsVigente(DateTimeOffset instante) => instante >= ValidoDesde && instante <= ValidoHasta;

    /// <summary>Sello of a cadena original. RSA signing through OpenSSL/CNG is safe to call concurrently.</summary>
    public string Sellar(string cadenaOriginal) => SelloDigital.Firmar(_llave, cadenaOriginal);

    public void Dispose()
    {
        _llave.Dispose();
        Certificado.Dispose();
    }
}
