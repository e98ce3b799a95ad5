using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Infrastructure.AltasYTickets;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Onboarding saga, installation tickets, technicians and notifications (issue 6).</summary>
    public static IServiceCollection AgregarAltasYTickets(this IServiceCollection s, IConfiguration config)
    {
        // Production plugs a WhatsApp Business adapter here; locally the mock records what it "sends".
        s.AddSingleton<ICanalNotificaciones, CanalWhatsAppMock>();
        s.AddSingleton<ServicioNotificaciones>();
        s.AddSingleton<ServicioTickets>();
        s.AddSingleton<ServicioAltas>();
        return s;
    }
}
