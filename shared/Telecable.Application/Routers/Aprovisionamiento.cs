namespace Telecable.Application.Routers;

/// <summary>
/// The step an installation does on the device itself: the device key, returned once by the API and kept only as a hash,
/// is written into the router (by the technician's app, or a TR-069/ZTP provisioning push in a real fleet).
/// </summary>
public interface IAprovisionadorRouters
{
    Task AprovisionarAsync(string serial, string claveDispositivo, CancellationToken ct);
}
