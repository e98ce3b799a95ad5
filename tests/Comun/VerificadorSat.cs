using System.Diagnostics;
using System.Text;
using System.Xml.Linq;
using Npgsql;

namespace Telecable.Pruebas;

/// <summary>
/// SAT's checks over stamped CFDIs, from the copies inside the repository (<see cref="Servicios.DirectorioSat"/>):
/// verify.sh runs xmllint with cfdv40 + TFD 1.1 schemas, xsltproc with cadenaoriginal_4_0.xslt and openssl over
/// Sello (and, given the emulated PAC's certificate folder, SelloSAT over the TFD cadena). Linked into the test
/// projects that stamp CFDIs, so every type the project emits (I, P, E, substitutes) goes through the same checks.
/// </summary>
public static class VerificadorSat
{
    public sealed record Resultado(int Codigo, string Salida, int Archivos)
    {
        /// <summary>Files whose SelloSAT was verified with the emulated PAC's certificate (a SKIP is not a pass).</summary>
        public int TimbresVerificados => Salida.Split('\n').Count(l => l.StartsWith("PASS tfd", StringComparison.Ordinal));
        public bool Correcto => Codigo == 0 && TimbresVerificados == Archivos;
    }

    /// <summary>The emulated PAC's certificate folder, as Registro.Facturacion resolves it (its .cer verifies SelloSAT).</summary>
    public static string CarpetaTfdCerts(Microsoft.Extensions.Configuration.IConfiguration configuracion) =>
        Path.Combine(Path.GetFullPath(configuracion["Pac:Carpeta"] ?? Path.Combine(".data", "pac-emulado")), "tfdcerts");

    public static async Task<Resultado> VerificarAsync(IReadOnlyList<(string Nombre, string Xml)> cfdis, string tfdcerts)
    {
        var carpeta = Directory.CreateTempSubdirectory("telecable-verifica-sat-").FullName;
        try
        {
            foreach (var (nombre, xml) in cfdis)
                await File.WriteAllTextAsync(Path.Combine(carpeta, nombre + ".xml"), xml, new UTF8Encoding(false));
            var inicio = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            inicio.ArgumentList.Add(Path.Combine(Servicios.DirectorioSat, "verify.sh"));
            inicio.ArgumentList.Add(carpeta);
            inicio.Environment["TFDCERTS"] = tfdcerts;
            using var p = Process.Start(inicio)!;
            var salida = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            return new Resultado(p.ExitCode, await salida + await error, cfdis.Count);
        }
        finally
        {
            Directory.Delete(carpeta, recursive: true);
        }
    }

    /// <summary>
    /// The same checks as verify.sh (schema, Sello over the cadena of cadenaoriginal_4_0.xslt, SelloCFD = Sello, SelloSAT over
    /// the cadena of cadenaoriginal_TFD_1_1.xslt), with the same tools and repository files, but batched for hundreds of CFDIs:
    /// one xmllint over all of them, each certificate's public key extracted once, and per CFDI only the two xsltproc and two
    /// openssl calls (verify.sh spawns about 25 processes per file: minutes for a billing run's CFDIs on a busy 2-core
    /// machine). Lines in verify.sh's format: "PASS|FAIL|SKIP check name detail".
    /// </summary>
    public static async Task<Resultado> VerificarLoteAsync(IReadOnlyList<(string Nombre, string Xml)> cfdis, string tfdcerts)
    {
        var sat = Servicios.DirectorioSat;
        var carpeta = Directory.CreateTempSubdirectory("telecable-verifica-lote-").FullName;
        var salida = new StringBuilder();
        var fallas = 0;
        void Linea(string estado, string chequeo, string nombre, string detalle = "")
        {
            salida.Append(estado).Append(' ').Append(chequeo).Append(' ').Append(nombre).Append(' ').Append(detalle).Append('\n');
            if (estado == "FAIL") fallas++;
        }
        try
        {
            var rutas = new List<string>();
            foreach (var (nombre, xml) in cfdis)
            {
                var ruta = Path.Combine(carpeta, nombre + ".xml");
                await File.WriteAllTextAsync(ruta, xml, new UTF8Encoding(false));
                rutas.Add(ruta);
            }
            // 1 schema: one xmllint for all ("<file> validates" per valid file).
            var (_, esquema) = await EjecutarAsync("xmllint", ["--noout", "--nonet", "--schema", Path.Combine(sat, "xsd", "cfdi40_tfd11.xsd"), .. rutas]);
            var validos = esquema.Split('\n').Where(l => l.EndsWith(" validates", StringComparison.Ordinal))
                .Select(l => l[..^" validates".Length]).ToHashSet(StringComparer.Ordinal);
            var llaves = new Dictionary<string, string>(StringComparer.Ordinal);
            async Task<string?> LlaveAsync(string clave, Func<string, Task> escribirDer)
            {
                if (llaves.TryGetValue(clave, out var pem)) return pem;
                var der = Path.Combine(carpeta, $"cert{llaves.Count}.der");
                await escribirDer(der);
                pem = der + ".pem";
                var (c, _) = await EjecutarAsync("openssl", ["x509", "-inform", "DER", "-in", der, "-noout", "-pubkey", "-out", pem]);
                return llaves[clave] = c == 0 ? pem : "";
            }
            for (var i = 0; i < rutas.Count; i++)
            {
                var (ruta, nombre) = (rutas[i], Path.GetFileName(rutas[i]));
                if (validos.Contains(ruta)) Linea("PASS", "schema", nombre);
                else Linea("FAIL", "schema", nombre, string.Join(" ", esquema.Split('\n').Where(l => l.StartsWith(ruta, StringComparison.Ordinal)).Take(2)));
                var raiz = XDocument.Parse(cfdis[i].Xml).Root!;
                var sello = (string?)raiz.Attribute("Sello") ?? "";
                // 2 sello: SAT's cadena stylesheet, then openssl over it with the key of the CFDI's own certificate.
                var cadena = ruta + ".cadena";
                var (cx, ex) = await EjecutarAsync("xsltproc", ["-o", cadena, Path.Combine(sat, "xslt", "cadenaoriginal_4_0.xslt"), ruta]);
                if (cx != 0 || !File.Exists(cadena) || new FileInfo(cadena).Length == 0) { Linea("FAIL", "sello", nombre, "xsltproc: " + ex.Trim()); continue; }
                var firma = ruta + ".sello";
                await File.WriteAllBytesAsync(firma, Convert.FromBase64String(sello));
                var certificado = (string?)raiz.Attribute("Certificado") ?? "";
                var pub = await LlaveAsync("csd:" + certificado, der => File.WriteAllBytesAsync(der, Convert.FromBase64String(certificado)));
                var (cs, es) = string.IsNullOrEmpty(pub) ? (1, "certificado ilegible") : await EjecutarAsync("openssl", ["dgst", "-sha256", "-verify", pub, "-signature", firma, cadena]);
                Linea(cs == 0 ? "PASS" : "FAIL", "sello", nombre, cs == 0 ? "" : "openssl: " + es.Trim());
                // 2t tfd: SelloCFD = Sello; SelloSAT over the TFD cadena with the emulated SAT certificate.
                var tfd = raiz.Descendants(XName.Get("TimbreFiscalDigital", "http://www.sat.gob.mx/TimbreFiscalDigital")).FirstOrDefault();
                if (tfd is null) { Linea("SKIP", "tfd", nombre, "no TimbreFiscalDigital"); continue; }
                if ((string?)tfd.Attribute("SelloCFD") != sello) { Linea("FAIL", "tfd", nombre, "TFD SelloCFD differs from Comprobante Sello"); continue; }
                var noSat = (string?)tfd.Attribute("NoCertificadoSAT") ?? "";
                var cer = Path.Combine(tfdcerts, noSat + ".cer");
                if (!File.Exists(cer)) { Linea("SKIP", "tfd", nombre, $"{noSat}.cer not in {tfdcerts}"); continue; }
                // The timbre as a document of its own, as xslt/extract_tfd.xslt copies it out, for SAT's TFD stylesheet.
                var soloTfd = ruta + ".tfd.xml";
                await File.WriteAllTextAsync(soloTfd, new XDocument(new XDeclaration("1.0", "UTF-8", null), new XElement(tfd)).ToString(SaveOptions.DisableFormatting), new UTF8Encoding(false));
                var cadenaTfd = ruta + ".cadena-tfd";
                await EjecutarAsync("xsltproc", ["-o", cadenaTfd, Path.Combine(sat, "xslt", "cadenaoriginal_TFD_1_1.xslt"), soloTfd]);
                var firmaSat = ruta + ".sellosat";
                await File.WriteAllBytesAsync(firmaSat, Convert.FromBase64String((string?)tfd.Attribute("SelloSAT") ?? ""));
                var pubSat = await LlaveAsync("sat:" + cer, der => { File.Copy(cer, der); return Task.CompletedTask; });
                var (ct, et) = string.IsNullOrEmpty(pubSat) ? (1, "certificado SAT ilegible") : await EjecutarAsync("openssl", ["dgst", "-sha256", "-verify", pubSat, "-signature", firmaSat, cadenaTfd]);
                Linea(ct == 0 ? "PASS" : "FAIL", "tfd", nombre, ct == 0 ? $"SelloCFD==Sello; SelloSAT verified with {noSat}.cer" : "SelloSAT: " + et.Trim());
            }
            salida.Append($"---- {cfdis.Count} sample(s), {fallas} FAIL\n");
            return new Resultado(fallas == 0 ? 0 : 1, salida.ToString(), cfdis.Count);
        }
        finally
        {
            Directory.Delete(carpeta, recursive: true);
        }
    }

    private static async Task<(int Codigo, string Salida)> EjecutarAsync(string programa, IEnumerable<string> argumentos)
    {
        var inicio = new ProcessStartInfo(programa) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in argumentos) inicio.ArgumentList.Add(a);
        using var p = Process.Start(inicio)!;
        var salida = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await salida + await error);
    }

    /// <summary>
    /// Every CFDI the emulated PAC stamped in a test database (<c>pac_emulado_timbres</c> keeps each one as stamped,
    /// whatever its type and whichever path issued it). Throws, listing the failures, when any does not pass; a test
    /// host calls it before it drops its database, so no test can emit a CFDI that SAT would reject without the run failing.
    /// </summary>
    public static async Task<int> VerificarTimbradosAsync(string connectionString, string tfdcerts)
    {
        List<(string, string)> cfdis = [];
        await using (var cn = new NpgsqlConnection(connectionString))
        {
            await cn.OpenAsync();
            await using var existe = new NpgsqlCommand("SELECT to_regclass('public.pac_emulado_timbres') IS NOT NULL", cn);
            if (!(bool)(await existe.ExecuteScalarAsync())!) return 0;
            await using var cmd = new NpgsqlCommand("SELECT uuid, xml FROM pac_emulado_timbres ORDER BY created_at, uuid", cn);
            await using var rd = await cmd.ExecuteReaderAsync();
            while (await rd.ReadAsync()) cfdis.Add((rd.GetString(0), rd.GetString(1)));
        }
        if (cfdis.Count == 0) return 0;
        var r = await VerificarLoteAsync(cfdis, tfdcerts);
        if (!r.Correcto)
        {
            var fallas = string.Join('\n', r.Salida.Split('\n').Where(l => l.StartsWith("FAIL", StringComparison.Ordinal) || l.StartsWith("SKIP tfd", StringComparison.Ordinal)).Take(40));
            throw new InvalidOperationException(
                $"{r.Archivos - r.TimbresVerificados} de {r.Archivos} CFDI timbrados en las pruebas no pasan verify.sh (código {r.Codigo}):\n{fallas}");
        }
        return r.Archivos;
    }
}
