using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Onboarding saga, installation tickets, technicians and notifications (issue 6).</summary>
    public static IServiceCollection AgregarAltasYTickets(this IServiceCollection s, IConfiguration config)
    {
        return s;
    }
}
