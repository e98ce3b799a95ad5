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

    /// <summary>Invoices per chunk activity, whatever the size of the run (a run has ceil(n / this) chunks). Bounded so that
    /// one chunk ends well inside the work-item visibility timeout of host.json even with every activity slot of a host
    /// busy (docs/escala.md has the arithmetic): an activity that outlives it is delivered again while still running.</summary>
    public int FacturasPorParte { get; set; } = 50;
    /// <summary>Chunk activities of one run queued at once, whatever the run's size (a sliding window). Locally 6, whatever
    /// the number of hosts: 6 x 12 CFDIs in flight already keep two cores busy, and with 16 a chunk on this loaded machine
    /// outlived the 30 s visibility timeout (474 re-deliveries in a 5,000 run; 0 with 6, bench/RESULTS-escala.md). Azure
    /// sets it from the instances the plan may scale to (infra/bicep), where each instance brings its own vCPU.</summary>
    public int PartesEnVuelo { get; set; } = 6;
    /// <summary>Chunks per orchestration episode: the orchestration continues as new after this many, so its history
    /// (about three events per chunk) never grows with the run.</summary>
    public int PartesPorEpisodio { get; set; } = 100;
    /// <summary>Contracts one generation activity bills (one transaction, one page of a keyset over the contracts): what
    /// a host holds in memory while generating, and about a second of work, whatever the run's size.</summary>
    public int ContratosPorPagina { get; set; } = 1000;
    /// <summary>CFDIs sealed and stamped at once inside one chunk activity.</summary>
    public int Paralelismo { get; set; } = 12;
    /// <summary>PAC calls per CFDI inside one activity before leaving it for the next round.</summary>
    public int IntentosPac { get; set; } = 6;
    public int EsperaInicialPacMs { get; set; } = 20;
    /// <summary>A live run untouched this long whose durable instance is gone, terminated or failed is ended fallida by
    /// the reconciliation timer; the grace covers the moment between creating a run and scheduling its instance.</summary>
    public int GraciaSinOrquestacionSegundos { get; set; } = 120;

    /// <summary>Whether the ConsultarCancelacionesPendientes timer asks the PAC about cancellations waiting for the receptor
    /// (off only in test hosts that fingerprint rows).</summary>
    public bool ConsultarCancelaciones { get; set; } = true;

    /// <summary>Whether the SLA timer evaluates closed outages and issues their credit notes (off unless the settings say so).</summary>
    public bool CreditosSla { get; set; }
    /// <summary>The daily timer that bills the contracts whose cut-off is today (off in tests that fingerprint the database).</summary>
    public bool CorridaDiaria { get; set; } = true;
    /// <summary>The hourly timer that issues the closed month's global CFDI over the receipts (and resumes a sealed one); off in
    /// tests that fingerprint the database.</summary>
    public bool CfdiGlobal { get; set; } = true;
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

/// <summary>Why the issuer's CSD cannot sign: a stable code (health, a run's failure cause) and a message without
/// paths, hosts or stack.</summary>
public sealed class CsdNoDisponible(string codigo, string mensaje, Exception? causa = null) : Exception(mensaje, causa)
{
    public const string Prefijo = "csd_";
    public string Codigo { get; } = codigo;
}

/// <summary>The issuer CSD's state for /api/health: ok, or the code of what is wrong.</summary>
public sealed record EstadoCsd(bool Ok, string? Codigo, string? NoCertificado, DateTimeOffset? ValidoHasta);

/// <summary>
/// The CSD, loaded once per process on first use (never per CFDI). A failed load is not cached for good: the next
/// use after a short backoff (1 s doubling to 10 s) loads again, so stamping recovers without a restart once the
/// files appear or Key Vault answers again; within the backoff the same failure is rethrown at no cost.
/// </summary>
public sealed class ProveedorCsd(OpcionesCsd opciones, OpcionesEmisor emisor, TimeProvider reloj) : IDisposable
{
    private static readonly TimeSpan EsperaMaxima = TimeSpan.FromSeconds(10);
    private readonly Lock _cerrojo = new();
    private volatile CsdCertificate? _csd;
    private CsdNoDisponible? _falla;
    private DateTimeOffset _proximoIntento;
    private int _fallasSeguidas;

    /// <summary>The loaded CSD; throws <see cref="CsdNoDisponible"/> while it cannot be loaded.</summary>
    public CsdCertificate Csd => _csd ?? CargarOReintentar();

    /// <summary>Loaded, valid today, of the configured issuer (the key's match with the certificate is checked at load).</summary>
    public EstadoCsd Estado()
    {
        try
        {
            var c = Csd;
            var ahora = reloj.GetUtcNow();
            var codigo = ahora < c.ValidoDesde ? "csd_aun_no_vigente" : ahora > c.ValidoHasta ? "csd_vencido" : null;
            return new EstadoCsd(codigo is null, codigo, c.NoCertificado, c.ValidoHasta);
        }
        catch (CsdNoDisponible e)
        {
            return new EstadoCsd(false, e.Codigo, null, null);
        }
    }

    private CsdCertificate CargarOReintentar()
    {
        lock (_cerrojo)
        {
            if (_csd is { } listo) return listo;
            if (_falla is not null && reloj.GetUtcNow() < _proximoIntento) throw _falla;
            try
            {
                var c = Cargar(opciones);
                if (!string.Equals(c.Rfc, emisor.Rfc, StringComparison.OrdinalIgnoreCase))
                {
                    c.Dispose();
                    throw new CsdNoDisponible("csd_rfc_distinto", $"El CSD es del RFC {c.Rfc}, no del emisor configurado (Emisor:Rfc).");
                }
                (_falla, _fallasSeguidas) = (null, 0);
                return _csd = c;
            }
            catch (Exception e)
            {
                _falla = e as CsdNoDisponible ?? Clasificar(e);
                _fallasSeguidas++;
                var espera = TimeSpan.FromSeconds(Math.Min(EsperaMaxima.TotalSeconds, Math.Pow(2, _fallasSeguidas - 1)));
                _proximoIntento = reloj.GetUtcNow() + espera;
                throw _falla;
            }
        }
    }

    private static CsdNoDisponible Clasificar(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => new("csd_archivo_no_encontrado", "No se encontró el archivo .cer o .key del CSD.", e),
        UnauthorizedAccessException or IOException => new("csd_archivo_ilegible", "No se pudo leer el archivo .cer o .key del CSD.", e),
        System.Security.Cryptography.CryptographicException c when c.Message.Contains("no corresponde", StringComparison.Ordinal) =>
            new("csd_llave_no_corresponde", "La llave privada no corresponde al certificado.", e),
        System.Security.Cryptography.CryptographicException => new("csd_llave_invalida", "La llave o su contraseña no son válidas.", e),
        Azure.RequestFailedException or Azure.Identity.AuthenticationFailedException => new("csd_key_vault_no_disponible", "Key Vault no entregó los secretos del CSD.", e),
        FormatException => new("csd_key_vault_formato", "Los secretos del CSD en Key Vault no son base64 válido.", e),
        InvalidOperationException => new("csd_sin_configuracion", e.Message, e),
        _ => new("csd_no_disponible", "No se pudo cargar el CSD.", e),
    };

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

    public void Dispose() => _csd?.Dispose();
}
