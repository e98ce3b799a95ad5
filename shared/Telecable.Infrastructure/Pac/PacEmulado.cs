using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Telecable.Domain.Cfdi;

namespace Telecable.Infrastructure.Pac;

public sealed class PacEmuladoOptions
{
    public const string Seccion = "Pac";

    /// <summary>RFC of the emulated certification provider (SAT's test PAC RFC by default).</summary>
    public string RfcProvCertif { get; set; } = "SPR190613I52";
    /// <summary>Share of calls, 0..1, answered <see cref="CodigosPac.NoDisponible"/> to exercise retries.</summary>
    public double FailureRate { get; set; }
    /// <summary>Makes the failure pattern reproducible.</summary>
    public int? Seed { get; set; }
    public TimeSpan Latency { get; set; }
    /// <summary>SAT accepts a CFDI up to 72 h after its Fecha.</summary>
    public TimeSpan MaxAntiguedad { get; set; } = TimeSpan.FromHours(72);
    /// <summary>PFX with the emulated SAT stamping certificate; without one (and without
    /// <see cref="CertificadoSatPfx"/>) a fresh certificate is created at start.</summary>
    public string? CertificadoSatPfxPath { get; set; }
    public byte[]? CertificadoSatPfx { get; set; }
    public string? CertificadoSatPassword { get; set; }
}

/// <summary>
/// PAC_MODE=emulated: validates like a PAC (structure, sello against the certificate inside the XML, emisor's
/// RFC, CSD validity, 72 h window) and stamps a tfd:TimbreFiscalDigital 1.1 signed with an emulated SAT
/// certificate. State lives in memory only: a re-sent CFDI (same sello) gets its original stamp (307).
/// </summary>
public sealed class PacEmulado : IPacClient
{
    private static readonly XNamespace Cfdi = ComprobanteXml.Cfdi;
    private static readonly XNamespace Tfd = ComprobanteXml.Tfd;

    private readonly PacEmuladoOptions _opciones;
    private readonly TimeProvider _reloj;
    private readonly Random _azar;
    private readonly ConcurrentDictionary<string, Lazy<Timbre>> _porSello = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Timbre> _porUuid = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DateTime> _cancelados = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, CsdConocido> _csds = new(StringComparer.Ordinal);

    /// <summary>What validation needs from an issuer's CSD, parsed once per certificate as a PAC keeps SAT's
    /// certificate list: parsing the X.509 and importing its key cost more than verifying the sello.</summary>
    private sealed record CsdConocido(RSA Publica, string NoCertificado, string? Rfc, DateTimeOffset Desde, DateTimeOffset Hasta);

    private CsdConocido Csd(string certificadoB64)
    {
        if (_csds.TryGetValue(certificadoB64, out var conocido)) return conocido;
        using var c = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(certificadoB64));
        var publica = c.GetRSAPublicKey() ?? throw new CryptographicException("El certificado no tiene una llave RSA.");
        conocido = new CsdConocido(publica, SelloDigital.NoCertificado(c), SelloDigital.Rfc(c), c.NotBefore.ToUniversalTime(), c.NotAfter.ToUniversalTime());
        if (_csds.Count >= 1000) _csds.Clear(); // a bound, for a PAC fed arbitrary certificates
        return _csds.GetOrAdd(certificadoB64, conocido);
    }

    public PacEmulado(PacEmuladoOptions opciones, CertificadoSatEmulado certificadoSat, TimeProvider? reloj = null)
    {
        if (opciones.FailureRate is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(opciones), "FailureRate va de 0 a 1.");
        }
        _opciones = opciones;
        CertificadoSat = certificadoSat;
        _reloj = reloj ?? TimeProvider.System;
        _azar = opciones.Seed is { } semilla ? new Random(semilla) : new Random();
    }

    /// <summary>Builds the SAT certificate from the options (PFX bytes, PFX path, or a fresh one).</summary>
    public static PacEmulado DesdeOpciones(PacEmuladoOptions opciones, TimeProvider? reloj = null)
    {
        var certificado = opciones switch
        {
            { CertificadoSatPfx: { } pfx } => CertificadoSatEmulado.Cargar(pfx, opciones.CertificadoSatPassword),
            { CertificadoSatPfxPath: { } ruta } => CertificadoSatEmulado.CargarArchivo(ruta, opciones.CertificadoSatPassword),
            _ => CertificadoSatEmulado.Crear(),
        };
        return new PacEmulado(opciones, certificado, reloj);
    }

    /// <summary>Stamps held in memory (by sello).</summary>
    public int EnMemoria => _porSello.Count;

    /// <summary>Forgets a stamp once a durable store holds it (<c>PacEmuladoPersistente</c>), so memory holds the CFDIs in
    /// flight rather than every CFDI ever stamped; a resend is then answered from that store.</summary>
    public void Olvidar(string claveSello)
    {
        if (_porSello.TryRemove(claveSello, out var t) && t.IsValueCreated) _porUuid.TryRemove(t.Value.Uuid, out _);
    }

    /// <summary>Its DER (<see cref="CertificadoSatEmulado.GuardarCer"/>) lets anyone verify SelloSAT.</summary>
    public CertificadoSatEmulado CertificadoSat { get; }

    public async Task<ResultadoTimbrado> TimbrarAsync(string xmlSellado, CancellationToken cancellationToken)
    {
        if (await NoDisponibleAsync(cancellationToken))
        {
            return ResultadoTimbrado.Error(CodigosPac.NoDisponible, "Servicio de timbrado no disponible, reintente.");
        }
        XElement raiz;
        try
        {
            // Whitespace is kept: XSLT's built-in rule copies text nodes of unknown complements into the cadena.
            raiz = XDocument.Parse(xmlSellado, LoadOptions.PreserveWhitespace).Root!;
        }
        catch (XmlException ex)
        {
            return ResultadoTimbrado.Error(CodigosPac.EstructuraInvalida, $"XML mal formado: {ex.Message}");
        }
        // A resend gets its original stamp before any other check: a retry days later must not turn into
        // a 72-hour-window rejection of an invoice that is already stamped.
        var sello = (string?)raiz.Attribute("Sello") ?? "";
        var clave = HashSello(sello);
        if (_porSello.TryGetValue(clave, out var previo))
        {
            return ResultadoTimbrado.Previo(previo.Value.Xml, previo.Value.Uuid, previo.Value.FechaTimbrado);
        }
        if (TimbreExistente(raiz) is { } ajeno)
        {
            // Stamped elsewhere: answer with the stamp it already carries, never a second one.
            return ResultadoTimbrado.Previo(xmlSellado, ajeno.Uuid, ajeno.FechaTimbrado);
        }
        if (Validar(raiz, sello) is { } rechazo)
        {
            return rechazo;
        }

        // One Lazy per sello: concurrent sends of the same CFDI all get the stamp made by the first one.
        var nuevo = new Lazy<Timbre>(() => Timbrar(raiz, sello), LazyThreadSafetyMode.ExecutionAndPublication);
        var vigente = _porSello.GetOrAdd(clave, nuevo);
        Timbre timbre;
        try
        {
            timbre = vigente.Value;
        }
        catch
        {
            // A Lazy caches its exception: forget it so a resend can be stamped.
            _porSello.TryRemove(KeyValuePair.Create(clave, vigente));
            throw;
        }
        if (!ReferenceEquals(vigente, nuevo))
        {
            return ResultadoTimbrado.Previo(timbre.Xml, timbre.Uuid, timbre.FechaTimbrado);
        }
        return ResultadoTimbrado.Timbrado(timbre.Xml, timbre.Uuid, timbre.FechaTimbrado);
    }

    public async Task<ResultadoCancelacion> CancelarAsync(
        string uuid, string rfcEmisor, string motivo, string? folioSustitucion, CancellationToken cancellationToken)
    {
        ResultadoCancelacion Respuesta(bool exito, string codigo, string mensaje, DateTime? fecha = null) =>
            new(exito, codigo, mensaje, uuid, fecha);

        if (await NoDisponibleAsync(cancellationToken))
        {
            return Respuesta(false, CodigosPac.NoDisponible, "Servicio de cancelación no disponible, reintente.");
        }
        if (motivo is not ("01" or "02" or "03" or "04"))
        {
            return Respuesta(false, CodigosPac.SolicitudInvalida, $"Motivo {motivo} inválido (01 a 04).");
        }
        // Motive 01 = issued with errors and replaced: it must name the replacing CFDI, and only it may.
        if ((motivo == "01") != Guid.TryParse(folioSustitucion, out _))
        {
            return Respuesta(false, CodigosPac.SolicitudInvalida, "FolioSustitucion es obligatorio con motivo 01 y solo con él.");
        }
        if (!_porUuid.TryGetValue(uuid, out var timbre))
        {
            return Respuesta(false, CodigosPac.UuidNoEncontrado, "UUID no encontrado.");
        }
        if (!string.Equals(timbre.RfcEmisor, rfcEmisor, StringComparison.OrdinalIgnoreCase))
        {
            return Respuesta(false, CodigosPac.NoCorrespondeEmisor, "El UUID no corresponde al emisor.");
        }
        var ahora = FormatoCfdi.HoraMexico(_reloj.GetUtcNow());
        return _cancelados.TryAdd(timbre.Uuid, ahora)
            ? Respuesta(true, CodigosPac.CancelacionAceptada, "Solicitud de cancelación aceptada.", ahora)
            : Respuesta(true, CodigosPac.PreviamenteCancelado, "UUID previamente cancelado.", _cancelados[timbre.Uuid]);
    }

    private ResultadoTimbrado? Validar(XElement raiz, string sello)
    {
        ResultadoTimbrado Estructura(string mensaje) => ResultadoTimbrado.Error(CodigosPac.EstructuraInvalida, mensaje);

        if (raiz.Name != Cfdi + "Comprobante" || (string?)raiz.Attribute("Version") != Comprobante.VersionCfdi)
        {
            return Estructura("No es un cfdi:Comprobante versión 4.0.");
        }
        var certificadoB64 = (string?)raiz.Attribute("Certificado");
        var rfcEmisor = (string?)raiz.Element(Cfdi + "Emisor")?.Attribute("Rfc");
        if (sello.Length == 0 || certificadoB64 is null || rfcEmisor is null
            || !DateTime.TryParseExact((string?)raiz.Attribute("Fecha"), "yyyy-MM-ddTHH:mm:ss",
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var fecha))
        {
            return Estructura("Faltan Sello, Certificado, Emisor/@Rfc o una Fecha válida.");
        }
        string cadena;
        CsdConocido csd;
        try
        {
            cadena = CadenaOriginal.Generar(raiz);
            csd = Csd(certificadoB64);
        }
        catch (Exception ex) when (ex is NotSupportedException or FormatException or CryptographicException)
        {
            return Estructura(ex.Message);
        }
        if ((string?)raiz.Attribute("NoCertificado") != csd.NoCertificado || !SelloDigital.Verificar(csd.Publica, cadena, sello))
        {
            return ResultadoTimbrado.Error(CodigosPac.SelloInvalido, "El sello del emisor no es válido.");
        }
        if (!string.Equals(csd.Rfc, rfcEmisor, StringComparison.OrdinalIgnoreCase))
        {
            return ResultadoTimbrado.Error(CodigosPac.SelloNoCorrespondeEmisor, "El CSD no corresponde al RFC del emisor.");
        }
        var emitido = FormatoCfdi.InstanteDe(fecha);
        if (emitido < csd.Desde || emitido > csd.Hasta)
        {
            return ResultadoTimbrado.Error(CodigosPac.FueraDeVigenciaCsd, "La fecha de emisión no está en la vigencia del CSD.");
        }
        var ahora = _reloj.GetUtcNow();
        if (emitido < ahora - _opciones.MaxAntiguedad || emitido > ahora + TimeSpan.FromMinutes(5))
        {
            return ResultadoTimbrado.Error(CodigosPac.FechaFueraDeRango, "La fecha de emisión está fuera del rango de 72 horas.");
        }
        return null;
    }

    private Timbre Timbrar(XElement raiz, string sello)
    {
        var uuid = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var fecha = FormatoCfdi.HoraMexico(_reloj.GetUtcNow());
        var tfd = new XElement(Tfd + "TimbreFiscalDigital",
            new XAttribute(XNamespace.Xmlns + "tfd", Tfd),
            new XAttribute(ComprobanteXml.Xsi + "schemaLocation", ComprobanteXml.SchemaLocationTfd),
            new XAttribute("Version", "1.1"),
            new XAttribute("UUID", uuid),
            new XAttribute("FechaTimbrado", FormatoCfdi.Fecha(fecha)),
            new XAttribute("RfcProvCertif", _opciones.RfcProvCertif),
            new XAttribute("SelloCFD", sello),
            new XAttribute("NoCertificadoSAT", CertificadoSat.NoCertificado));
        if (raiz.GetPrefixOfNamespace(ComprobanteXml.Xsi) is null)
        {
            tfd.Add(new XAttribute(XNamespace.Xmlns + "xsi", ComprobanteXml.Xsi));
        }
        tfd.Add(new XAttribute("SelloSAT", CertificadoSat.Sellar(CadenaOriginal.GenerarTimbre(tfd))));

        var complemento = raiz.Element(Cfdi + "Complemento");
        if (complemento is null)
        {
            complemento = new XElement(Cfdi + "Complemento");
            // Schema order: Complemento goes before an Addenda.
            if (raiz.Element(Cfdi + "Addenda") is { } addenda)
            {
                addenda.AddBeforeSelf(complemento);
            }
            else
            {
                raiz.Add(complemento);
            }
        }
        complemento.Add(tfd);
        var rfcEmisor = (string)raiz.Element(Cfdi + "Emisor")!.Attribute("Rfc")!;
        var timbre = new Timbre(uuid, fecha, ComprobanteXml.Serializar(raiz), rfcEmisor);
        _porUuid[uuid] = timbre;
        return timbre;
    }

    private static (string Uuid, DateTime FechaTimbrado)? TimbreExistente(XElement raiz) =>
        raiz.Elements(Cfdi + "Complemento").Elements(Tfd + "TimbreFiscalDigital").FirstOrDefault() is { } tfd
        && (string?)tfd.Attribute("UUID") is { } uuid
        && DateTime.TryParseExact((string?)tfd.Attribute("FechaTimbrado"), "yyyy-MM-ddTHH:mm:ss",
            CultureInfo.InvariantCulture, DateTimeStyles.None, out var fecha)
            ? (uuid, fecha)
            : null;

    private async Task<bool> NoDisponibleAsync(CancellationToken cancellationToken)
    {
        if (_opciones.Latency > TimeSpan.Zero)
        {
            await Task.Delay(_opciones.Latency, _reloj, cancellationToken);
        }
        if (_opciones.FailureRate <= 0)
        {
            return false;
        }
        lock (_azar)
        {
            return _azar.NextDouble() < _opciones.FailureRate;
        }
    }

    private static string HashSello(string sello) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sello)));

    private sealed record Timbre(string Uuid, DateTime FechaTimbrado, string Xml, string RfcEmisor);
}
