using System.Globalization;
using System.Xml.Linq;
using Dapper;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>
/// The emulated PAC's side of cancellations that need the receptor's acceptance (CFF art. 29-A; RMF regla 2.7.1.34 lists
/// the exceptions, <see cref="ReglasCancelacion.RequiereAceptacion"/>): the request stays "en proceso" until the receptor
/// answers in their buzón tributario (<see cref="ResponderCancelacionAsync"/>, what a test or the demo does in the
/// receptor's place) or <see cref="PlazoRespuesta"/> passes without an answer, which SAT takes as acceptance.
/// </summary>
public sealed partial class PacEmuladoPersistente
{
    /// <summary>SAT's term for the receptor's answer: 72 hours, after which silence is acceptance.</summary>
    public static readonly TimeSpan PlazoRespuesta = TimeSpan.FromHours(72);

    private static bool RequiereAceptacion(string xmlTimbrado)
    {
        var raiz = XDocument.Parse(xmlTimbrado).Root!;
        var total = decimal.Parse((string?)raiz.Attribute("Total") ?? "0", CultureInfo.InvariantCulture);
        var rfc = (string?)raiz.Element(ComprobanteXml.Cfdi + "Receptor")?.Attribute("Rfc") ?? "";
        return ReglasCancelacion.RequiereAceptacion((string?)raiz.Attribute("TipoDeComprobante") ?? "", total, rfc);
    }

    /// <summary>The receptor accepts or rejects a pending cancellation. False when none is pending for that UUID.</summary>
    public async Task<bool> ResponderCancelacionAsync(string uuid, bool acepta, CancellationToken ct)
    {
        await using var cn = await _db.OpenConnectionAsync(ct);
        var ahora = FormatoCfdi.HoraMexico(DateTimeOffset.UtcNow);
        return await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE pac_emulado_timbres SET respuesta_receptor = @respuesta, respondida_en = @ahora,
                   cancelado_en = CASE WHEN @acepta THEN @ahora END
            WHERE upper(uuid) = upper(@uuid) AND cancelacion_solicitada_en IS NOT NULL AND respuesta_receptor IS NULL AND cancelado_en IS NULL
            """, new { uuid, respuesta = acepta ? "aceptada" : "rechazada", acepta, ahora }, cancellationToken: ct)) == 1;
    }

    public async Task<EstadoCancelacionPac> ConsultarCancelacionAsync(string uuid, CancellationToken cancellationToken)
    {
        await using var cn = await _db.OpenConnectionAsync(cancellationToken);
        var ahora = FormatoCfdi.HoraMexico(DateTimeOffset.UtcNow);
        // Plazo vencido: no answer within 72 hours counts as accepted.
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE pac_emulado_timbres SET cancelado_en = @ahora
            WHERE upper(uuid) = upper(@uuid) AND cancelado_en IS NULL AND respuesta_receptor IS NULL
              AND cancelacion_solicitada_en IS NOT NULL AND cancelacion_solicitada_en < @limite
            """, new { uuid, ahora, limite = ahora - PlazoRespuesta }, cancellationToken: cancellationToken));
        var t = await cn.QuerySingleOrDefaultAsync<(DateTime? Cancelado, DateTime? Solicitada, string? Respuesta)?>(new CommandDefinition(
            "SELECT cancelado_en, cancelacion_solicitada_en, respuesta_receptor FROM pac_emulado_timbres WHERE upper(uuid) = upper(@uuid)",
            new { uuid }, cancellationToken: cancellationToken));
        return t switch
        {
            null => EstadoCancelacionPac.NoSolicitada,
            { Cancelado: not null } => EstadoCancelacionPac.Cancelada,
            { Respuesta: "rechazada" } => EstadoCancelacionPac.Rechazada,
            { Solicitada: not null } => EstadoCancelacionPac.EnProceso,
            _ => EstadoCancelacionPac.NoSolicitada,
        };
    }
}
