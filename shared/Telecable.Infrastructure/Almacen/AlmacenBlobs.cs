using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Telecable.Infrastructure.Almacen;

public sealed class OpcionesBlob
{
    public const string Seccion = "Blob";

    /// <summary>Azurite locally ("UseDevelopmentStorage=true" or a full connection string).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>In Azure: the account's blob endpoint, reached with the managed identity.</summary>
    public string? ServiceUri { get; set; }

    public string ContenedorCfdi { get; set; } = "cfdi-xml";

    /// <summary>Uploads in flight at once from this process. A billing run has hundreds of CFDIs in flight; the
    /// account needs only enough to stay busy. It also bounds what a crash leaves half-sent: Azurite keeps the
    /// write slot of an upload whose client died (50 slots), and a kill -9 with 240 uploads in flight left it
    /// unable to write any blob.</summary>
    public int MaxSubidas { get; set; } = 16;
}

/// <summary>Blob storage for documents (stamped CFDI XML, one blob per UUID).</summary>
public sealed class AlmacenBlobs(BlobServiceClient servicio, OpcionesBlob opciones)
{
    private readonly BlobContainerClient _cfdi = servicio.GetBlobContainerClient(opciones.ContenedorCfdi);
    private readonly SemaphoreSlim _subidas = new(Math.Max(1, opciones.MaxSubidas));
    private volatile bool _listo;

    public BlobContainerClient ContenedorCfdi => _cfdi;

    public async Task AsegurarAsync(CancellationToken ct)
    {
        if (_listo) return;
        await _cfdi.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: ct);
        _listo = true;
    }

    /// <summary>Writes a blob only if it is not there yet: a retried upload never replaces a stored fiscal document.</summary>
    public async Task<bool> SubirSiNoExisteAsync(string nombre, BinaryData contenido, string tipo, CancellationToken ct)
    {
        await AsegurarAsync(ct);
        await _subidas.WaitAsync(ct);
        try
        {
            await _cfdi.GetBlobClient(nombre).UploadAsync(contenido, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = tipo },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
        finally
        {
            _subidas.Release();
        }
    }

    public async Task<BinaryData?> DescargarAsync(string nombre, CancellationToken ct)
    {
        try
        {
            var r = await _cfdi.GetBlobClient(nombre).DownloadContentAsync(ct);
            return r.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>One round trip to the account, for the health check.</summary>
    public async Task SondearAsync(CancellationToken ct) => await servicio.GetPropertiesAsync(ct);
}
