using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Router telemetry, fleet state and remote reset (issue 7).</summary>
    public static IServiceCollection AgregarRouters(this IServiceCollection s, IConfiguration config)
    {
        return s;
    }
}
