using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Telecable.Domain.Cfdi;
using Telecable.Infrastructure.Datos;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>
/// PAC_MODE=emulated with a memory that survives the process: every stamp is written to
/// <c>pac_emulado_timbres</c> (keyed by the hash of the Sello) before the caller sees its UUID, so a CFDI
/// re-sent after a host crash gets its original stamp (307), as a real PAC answers. Cancellations live there too.
/// Concurrent stamps are recorded with group commit: a billing run's CFDIs in flight share one INSERT and one commit.
/// </summary>
public sealed partial class PacEmuladoPersistente : IPacClient, IConsultaCancelaciones, IAsyncDisposable
{
    private readonly PacEmulado _interno;
    private readonly NpgsqlDataSource _db;
    private readonly EscritorPorLotes<TimbreNuevo, string, bool> _registro;

    public PacEmuladoPersistente(PacEmulado interno, NpgsqlDataSource db, ILogger<PacEmuladoPersistente>? log = null)
    {
        _interno = interno;
        _db = db;
        _registro = new(t => t.Clave, RegistrarAsync, log ?? NullLogger<PacEmuladoPersistente>.Instance, maximoLote: 64, escritores: 2);
    }

    public PacEmulado Interno => _interno;

    public ValueTask DisposeAsync() => _registro.DisposeAsync();

    public async Task<ResultadoTimbrado> TimbrarAsync(string xmlSellado, CancellationToken cancellationToken)
    {
        // The common case costs one round trip: stamp, then record. What is already recorded always wins:
        // a resend after a restart (this process's memory is empty) gets the recorded stamp, never a second
        // UUID, and a refusal (say, the 72-hour window on a resend days later) is only given when nothing is.
        var clave = ClaveSello(xmlSellado);
        var r = await _interno.TimbrarAsync(xmlSellado, cancellationToken);
        if (clave is null)
        {
            return r;
        }
        if (!r.Exitoso || r.XmlTimbrado is null || r.Uuid is null || r.FechaTimbrado is null)
        {
            return await BuscarAsync(clave, cancellationToken) is { } previo
                ? ResultadoTimbrado.Previo(previo.Xml, previo.Uuid, previo.FechaTimbrado)
                : r;
        }
        var registrado = await _registro.EscribirAsync(new TimbreNuevo(clave, r.Uuid, RfcEmisor(xmlSellado), r.FechaTimbrado.Value, r.XmlTimbrado));
        // The table answers from now on: memory stays the size of the CFDIs in flight, not of every CFDI stamped.
        _interno.Olvidar(clave);
        if (registrado)
        {
            return r;
        }
        // Another host (or a run before a restart) stamped the same CFDI first: its stamp is the only one.
        var ganador = await BuscarAsync(clave, cancellationToken)
                      ?? throw new InvalidOperationException("Timbre emulado en conflicto y no encontrado.");
        return ResultadoTimbrado.Previo(ganador.Xml, ganador.Uuid, ganador.FechaTimbrado);
    }

    public async Task<ResultadoCancelacion> CancelarAsync(
        string uuid, string rfcEmisor, string motivo, string? folioSustitucion, CancellationToken cancellationToken)
    {
        ResultadoCancelacion Respuesta(bool exito, string codigo, string mensaje, DateTime? fecha = null) => new(exito, codigo, mensaje, uuid, fecha);

        if (motivo is not ("01" or "02" or "03" or "04"))
        {
            return Respuesta(false, CodigosPac.SolicitudInvalida, $"Motivo {motivo} inválido (01 a 04).");
        }
        if ((motivo == "01") != Guid.TryParse(folioSustitucion, out _))
        {
            return Respuesta(false, CodigosPac.SolicitudInvalida, "FolioSustitucion es obligatorio con motivo 01 y solo con él.");
        }
        await using var cn = await _db.OpenConnectionAsync(cancellationToken);
        var t = await cn.QuerySingleOrDefaultAsync<(string Rfc, DateTime? CanceladoEn, DateTime? Solicitada, string? Respuesta, string Xml)?>(new CommandDefinition(
            "SELECT rfc_emisor, cancelado_en, cancelacion_solicitada_en, respuesta_receptor, xml FROM pac_emulado_timbres WHERE upper(uuid) = upper(@uuid)",
            new { uuid }, cancellationToken: cancellationToken));
        if (t is null)
        {
            return Respuesta(false, CodigosPac.UuidNoEncontrado, "UUID no encontrado.");
        }
        if (!string.Equals(t.Value.Rfc, rfcEmisor, StringComparison.OrdinalIgnoreCase))
        {
            return Respuesta(false, CodigosPac.NoCorrespondeEmisor, "El UUID no corresponde al emisor.");
        }
        if (t.Value.CanceladoEn is { } previa)
        {
            return Respuesta(true, CodigosPac.PreviamenteCancelado, "UUID previamente cancelado.", previa);
        }
        var ahora = FormatoCfdi.HoraMexico(DateTimeOffset.UtcNow);
        if (RequiereAceptacion(t.Value.Xml))
        {
            // Waits for the receptor (SAT's buzón tributario): a request already waiting stays as it is; a rejected one may be asked again.
            if (t.Value.Solicitada is null || t.Value.Respuesta == "rechazada")
            {
                await cn.ExecuteAsync(new CommandDefinition("""
                    UPDATE pac_emulado_timbres SET cancelacion_solicitada_en = @ahora, cancelacion_motivo = @motivo,
                           cancelacion_sustituto = @folioSustitucion, respuesta_receptor = NULL, respondida_en = NULL
                    WHERE upper(uuid) = upper(@uuid) AND cancelado_en IS NULL
                    """, new { uuid, ahora, motivo, folioSustitucion }, cancellationToken: cancellationToken));
            }
            return Respuesta(true, CodigosPac.CancelacionAceptada, "Solicitud recibida: en proceso, espera la aceptación del receptor.") with { EnProceso = true };
        }
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE pac_emulado_timbres SET cancelado_en = @ahora WHERE upper(uuid) = upper(@uuid) AND cancelado_en IS NULL",
            new { uuid, ahora }, cancellationToken: cancellationToken));
        return Respuesta(true, CodigosPac.CancelacionAceptada, "Solicitud de cancelación aceptada.", ahora);
    }

    private sealed record TimbreNuevo(string Clave, string Uuid, string RfcEmisor, DateTime FechaTimbrado, string Xml);

    /// <summary>One INSERT for a batch of stamps; true for each one recorded, false where the sello already had one.</summary>
    private async Task<IReadOnlyList<bool>> RegistrarAsync(IReadOnlyList<TimbreNuevo> timbres)
    {
        await using var cmd = _db.CreateCommand("""
            INSERT INTO pac_emulado_timbres (clave_sello, uuid, rfc_emisor, fecha_timbrado, xml)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamp[], $5::text[]) ORDER BY 1
            ON CONFLICT (clave_sello) DO NOTHING RETURNING clave_sello
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = timbres.Select(t => t.Clave).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = timbres.Select(t => t.Uuid).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = timbres.Select(t => t.RfcEmisor).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime[]>
        {
            TypedValue = timbres.Select(t => t.FechaTimbrado).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Timestamp,
        });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = timbres.Select(t => t.Xml).ToArray() });
        var registrados = new HashSet<string>(StringComparer.Ordinal);
        await using (var rd = await cmd.ExecuteReaderAsync())
            while (await rd.ReadAsync())
                registrados.Add(rd.GetString(0));
        return timbres.Select(t => registrados.Contains(t.Clave)).ToList();
    }

    private async Task<Guardado?> BuscarAsync(string clave, CancellationToken ct)
    {
        await using var cn = await _db.OpenConnectionAsync(ct);
        return await cn.QuerySingleOrDefaultAsync<Guardado>(new CommandDefinition(
            "SELECT uuid AS Uuid, fecha_timbrado AS FechaTimbrado, xml AS Xml FROM pac_emulado_timbres WHERE clave_sello = @clave",
            new { clave }, cancellationToken: ct));
    }

    // The emulated PAC keys its memory by the Sello; reading the attribute needs no full parse.
    private static string? ClaveSello(string xml) =>
        AtributoSello().Match(xml) is { Success: true } m
            ? Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))
            : null;

    private static string RfcEmisor(string xml) => AtributoRfcEmisor().Match(xml) is { Success: true } m ? m.Groups[1].Value : "";

    [GeneratedRegex(@"\sSello=""([^""]+)""")]
    private static partial Regex AtributoSello();

    [GeneratedRegex(@"<cfdi:Emisor\s[^>]*?Rfc=""([^""]+)""")]
    private static partial Regex AtributoRfcEmisor();

    private sealed record Guardado(string Uuid, DateTime FechaTimbrado, string Xml);

    /// <summary>The emulated SAT certificate from a PFX kept under <paramref name="carpeta"/> (created on first run) so
    /// SelloSAT of CFDIs stamped before a restart still verifies; its .cer is written to carpeta/tfdcerts for verify.sh.</summary>
    public static CertificadoSatEmulado CertificadoPersistente(string carpeta)
    {
        Directory.CreateDirectory(carpeta);
        var pfx = Path.Combine(carpeta, "sat-emulado.pfx");
        CertificadoSatEmulado cert;
        if (File.Exists(pfx))
        {
            cert = CertificadoSatEmulado.CargarArchivo(pfx, null);
        }
        else
        {
            cert = CertificadoSatEmulado.Crear();
            var tmp = pfx + "." + Guid.NewGuid().ToString("N");
            File.WriteAllBytes(tmp, cert.ExportarPfx());
            try
            {
                File.Move(tmp, pfx, overwrite: false);
            }
            catch (IOException)
            {
                // Another process created it first: use theirs so both sign alike.
                File.Delete(tmp);
                cert.Dispose();
                cert = CertificadoSatEmulado.CargarArchivo(pfx, null);
            }
        }
        cert.GuardarCer(Path.Combine(carpeta, "tfdcerts"));
        return cert;
    }
}
