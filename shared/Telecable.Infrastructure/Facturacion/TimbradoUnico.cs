using Telecable.Application.Facturacion;
using Telecable.Domain.Cfdi;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Pac;

namespace Telecable.Infrastructure.Facturacion;

/// <summary><see cref="ITimbradoUnico"/> with the configured PAC and the CFDI blob container: up to Facturacion:IntentosPac calls
/// with backoff from EsperaInicialPacMs (as the billing run), then the stamped XML uploaded If-None-Match.</summary>
public sealed class TimbradoUnico(IPacClient pac, AlmacenBlobs blobs, OpcionesFacturacion opciones, TimeProvider reloj) : ITimbradoUnico
{
    public async Task<CfdiEstampado> TimbrarAsync(string xmlSellado, CancellationToken ct, string? blob = null)
    {
        var timbre = await pac.TimbrarAsync(xmlSellado, ct);
        var espera = TimeSpan.FromMilliseconds(opciones.EsperaInicialPacMs);
        for (var intento = 2; timbre.EsTransitorio && intento <= Math.Max(1, opciones.IntentosPac); intento++)
        {
            FacturacionMetricas.ReintentosPac.Add(1);
            await Task.Delay(espera, reloj, ct);
            espera *= 2;
            timbre = await pac.TimbrarAsync(xmlSellado, ct);
        }
        if (timbre.EsTransitorio) return new CfdiEstampado(ResultadoEstampado.PacNoDisponible, null, null, null, timbre.Codigo, timbre.Mensaje);
        if (!timbre.Exitoso) return new CfdiEstampado(ResultadoEstampado.Rechazado, null, null, null, timbre.Codigo, timbre.Mensaje);
        blob ??= $"{timbre.Uuid!.ToUpperInvariant()}.xml";
        await blobs.SubirSiNoExisteAsync(blob, BinaryData.FromString(timbre.XmlTimbrado!), "application/xml; charset=utf-8", ct);
        return new CfdiEstampado(ResultadoEstampado.Timbrado, Guid.Parse(timbre.Uuid!), blob, FormatoCfdi.InstanteDe(timbre.FechaTimbrado!.Value), null, null);
    }
}
