using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Telecable.Application.Altas;
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
        // Pending notifications go out through a provider per channel: the emulated WhatsApp and e-mail providers
        // locally; production registers WhatsApp Business and an e-mail service adapter under the same interface.
        s.AddOptions<OpcionesNotificaciones>().BindConfiguration(OpcionesNotificaciones.Seccion);
        s.AddSingleton<IProveedorMensajeria>(sp => new ProveedorMensajeriaSimulado("whatsapp", sp.GetRequiredService<IOptions<OpcionesNotificaciones>>()));
        s.AddSingleton<IProveedorMensajeria>(sp => new ProveedorMensajeriaSimulado("email", sp.GetRequiredService<IOptions<OpcionesNotificaciones>>()));
        s.AddSingleton<DespachadorNotificaciones>();
        s.AddSingleton<ServicioTickets>();
        s.AddSingleton<ServicioAltas>();
        // The saga's activities see only the port (orchestrations reference Application, never Infrastructure).
        s.AddSingleton<IPasosAlta>(sp => sp.GetRequiredService<ServicioAltas>());
        return s;
    }
}
