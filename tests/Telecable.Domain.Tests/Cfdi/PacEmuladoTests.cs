using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Telecable.Domain.Cfdi;
using Telecable.Infrastructure.Pac;

namespace Telecable.Domain.Tests.Cfdi;

public sealed class PacEmuladoTests : IDisposable
{
    private static readonly XNamespace Tfd = ComprobanteXml.Tfd;
    private readonly CertificadoSatEmulado _sat = CertificadoSatEmulado.Crear();

    public void Dispose() => _sat.Dispose();

    private PacEmulado Pac(double failureRate = 0, int? seed = null, TimeSpan latency = default) =>
        new(new PacEmuladoOptions { FailureRate = failureRate, Seed = seed, Latency = latency }, _sat);

    private static string Sellar(Comprobante c) => SelladorCfdi.Sellar(c, Facturas.Csd).Xml;

    [Fact]
    public async Task Timbra_con_TFD_cuyo_SelloSAT_verifica_y_sin_alterar_la_cadena_del_CFDI()
    {
        var sellado = SelladorCfdi.Sellar(Facturas.Simple(Facturas.Ahora()), Facturas.Csd);

        var r = await Pac().TimbrarAsync(sellado.Xml, CancellationToken.None);

        Assert.True(r.Exitoso, r.Mensaje);
        Assert.Null(r.Codigo);
        var raiz = XDocument.Parse(r.XmlTimbrado!).Root!;
        var tfd = raiz.Element(ComprobanteXml.Cfdi + "Complemento")!.Element(Tfd + "TimbreFiscalDigital")!;
        Assert.Equal(r.Uuid, (string?)tfd.Attribute("UUID"));
        Assert.True(Guid.TryParse(r.Uuid, out _));
        Assert.Equal(r.Uuid!.ToUpperInvariant(), r.Uuid);
        Assert.Equal(sellado.Sello, (string?)tfd.Attribute("SelloCFD"));
        Assert.Equal(_sat.NoCertificado, (string?)tfd.Attribute("NoCertificadoSAT"));
        Assert.Equal(FormatoCfdi.Fecha(r.FechaTimbrado!.Value), (string?)tfd.Attribute("FechaTimbrado"));
        Assert.True(SelloDigital.Verificar(_sat.Certificado, CadenaOriginal.GenerarTimbre(tfd), (string)tfd.Attribute("SelloSAT")!));
        Assert.Equal(sellado.CadenaOriginal, CadenaOriginal.Generar(raiz));
    }

    [Fact]
    public async Task Timbrados_pasan_verify_sh_esquema_sello_resellado_y_SelloSAT_con_TFDCERTS()
    {
        const int cuantas = 12;
        var pac = Pac();
        var carpeta = SatReferencia.CarpetaTemporal();
        var certificados = Path.Combine(carpeta, "tfdcerts");
        var cfdis = Path.Combine(carpeta, "cfdi");
        Directory.CreateDirectory(cfdis);
        _sat.GuardarCer(certificados);
        var i = 0;
        foreach (var c in Facturas.Aleatorias(7, cuantas - 1, Facturas.Ahora()).Append(Facturas.Pago(Facturas.Ahora())))
        {
            var r = await pac.TimbrarAsync(Sellar(c), CancellationToken.None);
            Assert.True(r.Exitoso, r.Mensaje);
            SatReferencia.EscribirUtf8(Path.Combine(cfdis, $"{i++:D2}.xml"), r.XmlTimbrado);
        }

        var v = SatReferencia.Ejecutar("bash", [SatReferencia.Ruta("verify.sh"), cfdis],
            new Dictionary<string, string> { ["TFDCERTS"] = certificados });

        Assert.True(v.Codigo == 0, v.Salida + v.Error);
        foreach (var check in new[] { "schema", "sello", "tfd", "resign" })
        {
            Assert.Equal(cuantas, v.Salida.Split('\n').Count(l => l.StartsWith($"PASS {check} ", StringComparison.Ordinal)));
        }
        Directory.Delete(carpeta, recursive: true);
    }

    [Fact]
    public async Task Reenvio_del_mismo_CFDI_responde_307_con_el_timbre_original()
    {
        var pac = Pac();
        var xml = Sellar(Facturas.Simple(Facturas.Ahora()));

        var primero = await pac.TimbrarAsync(xml, CancellationToken.None);
        var segundo = await pac.TimbrarAsync(xml, CancellationToken.None);

        Assert.Null(primero.Codigo);
        Assert.True(segundo.Exitoso);
        Assert.True(segundo.PreviamenteTimbrado);
        Assert.Equal(CodigosPac.PreviamenteTimbrado, segundo.Codigo);
        Assert.Equal(primero.Uuid, segundo.Uuid);
        Assert.Equal(primero.XmlTimbrado, segundo.XmlTimbrado);
        Assert.Equal(primero.FechaTimbrado, segundo.FechaTimbrado);
    }

    [Fact]
    public async Task Reenvio_despues_de_la_ventana_de_72_horas_sigue_respondiendo_307()
    {
        var reloj = new RelojManual(DateTimeOffset.UtcNow);
        var pac = new PacEmulado(new PacEmuladoOptions(), _sat, reloj);
        var xml = Sellar(Facturas.Simple(Facturas.Ahora()));
        var primero = await pac.TimbrarAsync(xml, CancellationToken.None);

        reloj.Ahora += TimeSpan.FromDays(5);
        var reenvio = await pac.TimbrarAsync(xml, CancellationToken.None);

        Assert.True(reenvio.PreviamenteTimbrado, reenvio.Mensaje);
        Assert.Equal(primero.Uuid, reenvio.Uuid);
    }

    [Fact]
    public async Task CFDI_timbrado_por_otro_PAC_responde_307_con_el_timbre_que_trae()
    {
        var muestra = File.ReadAllText(SatReferencia.Ruta("samples", "01-eku-test-csd_test-pac_cfdiutils.xml"));

        var r = await Pac().TimbrarAsync(muestra, CancellationToken.None);

        Assert.True(r.PreviamenteTimbrado, r.Mensaje);
        Assert.Equal("6F35D3B5-3651-5370-BC2C-14CDBE384CD7", r.Uuid);
        Assert.Equal(new DateTime(2025, 2, 19, 8, 37, 30), r.FechaTimbrado);
        Assert.Equal(muestra, r.XmlTimbrado);
    }

    [Fact]
    public async Task Envios_concurrentes_del_mismo_CFDI_obtienen_un_solo_UUID()
    {
        var pac = Pac();
        var xml = Sellar(Facturas.Simple(Facturas.Ahora()));

        var resultados = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => pac.TimbrarAsync(xml, CancellationToken.None))));

        Assert.Single(resultados.Select(r => r.Uuid).Distinct());
        Assert.Equal(1, resultados.Count(r => r.Codigo is null));
        Assert.Equal(15, resultados.Count(r => r.PreviamenteTimbrado));
    }

    [Fact]
    public async Task Rechaza_xml_mal_formado_o_certificado_no_SAT_301_sello_alterado_302_y_fecha_vieja_401()
    {
        var pac = Pac();
        var xml = Sellar(Facturas.Simple(Facturas.Ahora()));
        var alterado = XDocument.Parse(xml);
        alterado.Root!.SetAttributeValue("Total", "1.00");
        var viejo = Sellar(Facturas.Simple(Facturas.Ahora().AddHours(-73)));
        using var llave = RSA.Create(2048);
        using var ajeno = new CertificateRequest("CN=ajeno", llave,
                HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var otroCertificado = XDocument.Parse(xml);
        otroCertificado.Root!.SetAttributeValue("Certificado", Convert.ToBase64String(ajeno.RawData));

        var malFormado = await pac.TimbrarAsync("<cfdi:Comprobante", CancellationToken.None);
        var sinSello = await pac.TimbrarAsync(ComprobanteXml.Escribir(Facturas.Simple(Facturas.Ahora())), CancellationToken.None);
        var selloMalo = await pac.TimbrarAsync(alterado.ToString(), CancellationToken.None);
        var fueraDeRango = await pac.TimbrarAsync(viejo, CancellationToken.None);
        var certificadoNoSat = await pac.TimbrarAsync(otroCertificado.ToString(), CancellationToken.None);

        Assert.Equal(CodigosPac.EstructuraInvalida, malFormado.Codigo);
        Assert.Equal(CodigosPac.EstructuraInvalida, sinSello.Codigo);
        Assert.Equal(CodigosPac.SelloInvalido, selloMalo.Codigo);
        Assert.Equal(CodigosPac.FechaFueraDeRango, fueraDeRango.Codigo);
        Assert.Equal(CodigosPac.EstructuraInvalida, certificadoNoSat.Codigo);
        Assert.All([malFormado, sinSello, selloMalo, fueraDeRango, certificadoNoSat], r => Assert.False(r.Exitoso || r.EsTransitorio));
    }

    [Fact]
    public async Task FailureRate_con_semilla_falla_una_parte_reproducible_como_transitoria()
    {
        var xml = Sellar(Facturas.Simple(Facturas.Ahora()));

        async Task<bool[]> Patron()
        {
            var pac = Pac(failureRate: 0.5, seed: 42);
            var r = new bool[40];
            for (var i = 0; i < r.Length; i++)
            {
                var t = await pac.TimbrarAsync(xml, CancellationToken.None);
                Assert.True(t.Exitoso || t.EsTransitorio, t.Mensaje);
                r[i] = t.EsTransitorio;
            }
            return r;
        }

        var a = await Patron();
        var b = await Patron();

        Assert.Equal(a, b);
        Assert.InRange(a.Count(f => f), 8, 32);
    }

    [Fact]
    public async Task Latency_retrasa_cada_llamada()
    {
        var pac = Pac(latency: TimeSpan.FromMilliseconds(80));
        var reloj = Stopwatch.StartNew();

        await pac.CancelarAsync(Guid.NewGuid().ToString(), "EKU9003173C9", "02", null, CancellationToken.None);

        Assert.True(reloj.ElapsedMilliseconds >= 75, $"{reloj.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Cancelacion_valida_motivo_folio_emisor_y_es_idempotente()
    {
        var pac = Pac();
        var timbre = await pac.TimbrarAsync(Sellar(Facturas.Simple(Facturas.Ahora())), CancellationToken.None);
        var uuid = timbre.Uuid!;
        var sustituto = Guid.NewGuid().ToString().ToUpperInvariant();

        var motivoMalo = await pac.CancelarAsync(uuid, "EKU9003173C9", "05", null, CancellationToken.None);
        var sinFolio = await pac.CancelarAsync(uuid, "EKU9003173C9", "01", null, CancellationToken.None);
        var folioSobrante = await pac.CancelarAsync(uuid, "EKU9003173C9", "02", sustituto, CancellationToken.None);
        var otroEmisor = await pac.CancelarAsync(uuid, "MCI7306249Y1", "01", sustituto, CancellationToken.None);
        var inexistente = await pac.CancelarAsync(sustituto, "EKU9003173C9", "02", null, CancellationToken.None);
        var aceptada = await pac.CancelarAsync(uuid.ToLowerInvariant(), "EKU9003173C9", "01", sustituto, CancellationToken.None);
        var repetida = await pac.CancelarAsync(uuid, "EKU9003173C9", "01", sustituto, CancellationToken.None);

        Assert.Equal(CodigosPac.SolicitudInvalida, motivoMalo.Codigo);
        Assert.Equal(CodigosPac.SolicitudInvalida, sinFolio.Codigo);
        Assert.Equal(CodigosPac.SolicitudInvalida, folioSobrante.Codigo);
        Assert.Equal(CodigosPac.NoCorrespondeEmisor, otroEmisor.Codigo);
        Assert.Equal(CodigosPac.UuidNoEncontrado, inexistente.Codigo);
        Assert.All([motivoMalo, sinFolio, folioSobrante, otroEmisor, inexistente], r => Assert.False(r.Exitoso));
        Assert.True(aceptada.Exitoso);
        Assert.Equal(CodigosPac.CancelacionAceptada, aceptada.Codigo);
        Assert.True(repetida.Exitoso);
        Assert.Equal(CodigosPac.PreviamenteCancelado, repetida.Codigo);
        Assert.Equal(aceptada.FechaCancelacion, repetida.FechaCancelacion);
    }

    [Fact]
    public async Task Certificado_SAT_emulado_se_carga_desde_PFX_con_su_numero_de_20_digitos()
    {
        var pfx = _sat.ExportarPfx("secreto");

        var pac = PacEmulado.DesdeOpciones(new PacEmuladoOptions { CertificadoSatPfx = pfx, CertificadoSatPassword = "secreto" });
        var r = await pac.TimbrarAsync(Sellar(Facturas.Simple(Facturas.Ahora())), CancellationToken.None);

        Assert.Equal(CertificadoSatEmulado.NoCertificadoPredeterminado, pac.CertificadoSat.NoCertificado);
        Assert.Equal(_sat.Der, pac.CertificadoSat.Der);
        var tfd = XDocument.Parse(r.XmlTimbrado!).Descendants(Tfd + "TimbreFiscalDigital").Single();
        Assert.True(SelloDigital.Verificar(_sat.Certificado, CadenaOriginal.GenerarTimbre(tfd), (string)tfd.Attribute("SelloSAT")!));
        pac.CertificadoSat.Dispose();
    }
}
