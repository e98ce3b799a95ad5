namespace Telecable.Domain.Routers;

/// <summary>
/// When silence means an outage. A router is silent after missing its reports for the limit, but only while we were
/// listening: right after our own start (a deploy, a restart, our own downtime) every router looks silent because its
/// reports had nowhere to go, so no outage is declared until the process has been up for the whole limit.
/// </summary>
public static class DeteccionDesconexiones
{
    public static bool Escuchando(TimeSpan desdeArranque, TimeSpan limiteSinReporte) => desdeArranque >= limiteSinReporte;
}
