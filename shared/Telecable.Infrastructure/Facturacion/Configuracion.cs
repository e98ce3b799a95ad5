using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Telecable.Domain.Cfdi;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>The issuer of every invoice (section "Emisor"). Defaults: SAT's test taxpayer, whose CSD is public.</summary>
public sealed class OpcionesEmisor
{
    public const string Seccion = "Emisor";

    public string Rfc { get; set; } = "EKU9003173C9";
    public string Nombre { get; set; } = "ESCUELA KEMPER URGATE";
    public string RegimenFiscal { get; set; } = "601";
    /// <summary>Postal code of the place of issue (Monterrey).</summary>
    public string LugarExpedicion { get; set; } = "64000";
    public string Serie { get; set; } = "A";
    /// <summary>Days from issue to due date.</summary>
    public int DiasVencimiento { get; set; } = 10;

    public Emisor ComoEmisor() => new(Rfc, Nombre, RegimenFiscal);
}

/// <summary>Mass stamping knobs (section "Facturacion").</summary>
public sealed class OpcionesFacturacion
{
    public const string Seccion = "Facturacion";

    /// <summary>Invoices per chunk activity (the fan-out has ceil(n / this) activities, at most <see cref="MaxPartes"/>).</summary>
    public int FacturasPorParte { get; set; } = 50;
    public int MaxPartes { get; set; } = 20;
    /// <summary>CFDIs sealed and stamped at once inside one chunk activity.</summary>
    public int Paralelismo { get; set; } = 12;
    /// <summary>PAC calls per CFDI inside one activity before leaving it for the next round.</summary>
    public int IntentosPac { get; set; } = 6;
    public int EsperaInicialPacMs { get; set; } = 20;
}

/// <summary>Where the CSD comes from (section "Csd"): local files, or Key Vault secrets csd-cer, csd-key (base64 DER)
/// and csd-password. Locally the scripts point the paths at SAT's public test CSD in shared/referencia-sat.</summary>
public sealed class OpcionesCsd
{
    public const string Seccion = "Csd";

    public string? CerPath { get; set; }
    public string? KeyPath { get; set; }
    public string? Password { get; set; }
    public string? KeyVaultUri { get; set; }
}

/// <summary>The CSD, loaded once per process on first use (never per CFDI).</summary>
public sealed class ProveedorCsd(OpcionesCsd opciones) : IDisposable
{
    private readonly Lazy<CsdCertificate> _csd = new(() => Cargar(opciones), LazyThreadSafetyMode.ExecutionAndPublication);

    public CsdCertificate Csd => _csd.Value;

    private static CsdCertificate Cargar(OpcionesCsd o)
    {
        if (!string.IsNullOrWhiteSpace(o.CerPath) && !string.IsNullOrWhiteSpace(o.KeyPath))
        {
            return CsdCertificate.Load(File.ReadAllBytes(o.CerPath), File.ReadAllBytes(o.KeyPath),
                o.Password ?? throw new InvalidOperationException("Falta Csd:Password."));
        }
        if (!string.IsNullOrWhiteSpace(o.KeyVaultUri))
        {
            var kv = new SecretClient(new Uri(o.KeyVaultUri), new DefaultAzureCredential());
            string Secreto(string n) => kv.GetSecret(n).Value.Value;
            return CsdCertificate.Load(Convert.FromBase64String(Secreto("csd-cer")), Convert.FromBase64String(Secreto("csd-key")), Secreto("csd-password"));
        }
        throw new InvalidOperationException("No hay CSD: configure Csd:CerPath/KeyPath/Password o Csd:KeyVaultUri.");
    }

    public void Dispose()
    {
        if (_csd.IsValueCreated) _csd.Value.Dispose();
    }
}
