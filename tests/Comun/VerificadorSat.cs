using System.Diagnostics;
using System.Text;
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
        var r = await VerificarAsync(cfdis, tfdcerts);
        if (!r.Correcto)
        {
            var fallas = string.Join('\n', r.Salida.Split('\n').Where(l => l.StartsWith("FAIL", StringComparison.Ordinal) || l.StartsWith("SKIP tfd", StringComparison.Ordinal)).Take(40));
            throw new InvalidOperationException(
                $"{r.Archivos - r.TimbresVerificados} de {r.Archivos} CFDI timbrados en las pruebas no pasan verify.sh (código {r.Codigo}):\n{fallas}");
        }
        return r.Archivos;
    }
}
