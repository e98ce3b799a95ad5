using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Infrastructure.Operacion;
using Telecable.Infrastructure.Pac;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Operations (issue 23): the state read for metrics, alerts and the operations page; PAC latency.</summary>
    public static IServiceCollection AgregarOperaciones(this IServiceCollection s, IConfiguration config)
    {
        s.AddOptions<OpcionesOperacion>().BindConfiguration(OpcionesOperacion.Seccion);
        // A short timeout: the page must render its charts even when the local Prometheus is stopped.
        s.AddSingleton(_ => new AlertasPrometheus(new HttpClient { Timeout = TimeSpan.FromSeconds(3) }));
        s.AddSingleton<ServicioOperacion>();
        s.AddSingleton<Telecable.Application.Plataforma.ILibroSonda, LibroSonda>();

        // Every PAC call is timed, whichever adapter the billing registration chose (it registers first).
        var pac = s.LastOrDefault(d => d.ServiceType == typeof(IPacClient))
                  ?? throw new InvalidOperationException("AgregarOperaciones va después de AgregarFacturacion.");
        s.Remove(pac);
        s.AddSingleton<IPacClient>(sp => new PacMedido(pac.ImplementationFactory is { } f ? (IPacClient)f(sp)
            : pac.ImplementationInstance as IPacClient ?? (IPacClient)ActivatorUtilities.CreateInstance(sp, pac.ImplementationType!)));
        return s;
    }
}
