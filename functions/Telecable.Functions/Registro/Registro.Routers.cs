using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Telecable.Infrastructure.Datos;
using Telecable.Infrastructure.Routers;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Router telemetry, fleet state and remote reset (issue 7).</summary>
    public static IServiceCollection AgregarRouters(this IServiceCollection s, IConfiguration config)
    {
        s.AddOptions<OpcionesRouters>().BindConfiguration(OpcionesRouters.Seccion);
        s.AddSingleton(sp => FuenteTelemetria.Crear(sp.GetRequiredService<IOptions<OpcionesPostgres>>().Value, CredencialSiEntraId(sp),
            sp.GetRequiredService<TimeProvider>()));
        s.AddSingleton<LoteTelemetria>();
        s.AddSingleton<AutenticadorRouters>();
        s.AddSingleton<DetectorDesconexiones>();
        s.AddSingleton<IngestaTelemetria>();
        s.AddSingleton<ServicioRouters>();
        s.AddSingleton<Telecable.Application.Routers.IAprovisionadorRouters>(sp =>
            sp.GetRequiredService<IOptions<OpcionesRouters>>().Value.ArchivoClavesEmulador is { Length: > 0 } archivo
                ? new AprovisionamientoEmulado(Path.GetFullPath(archivo), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<AprovisionamientoEmulado>>())
                : new AprovisionamientoEnSitio());
        return s;
    }
}
