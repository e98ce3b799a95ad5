using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Payments, gateway webhooks and reconciliation (issue 5).</summary>
    public static IServiceCollection AgregarPagos(this IServiceCollection s, IConfiguration config)
    {
        return s;
    }
}
