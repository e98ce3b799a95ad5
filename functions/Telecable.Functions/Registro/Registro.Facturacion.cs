using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Billing runs, CFDI sealing, PAC and mass stamping (issue 4).</summary>
    public static IServiceCollection AgregarFacturacion(this IServiceCollection s, IConfiguration config)
    {
        return s;
    }
}
