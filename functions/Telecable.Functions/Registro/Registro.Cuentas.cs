using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Infrastructure.Cuentas;
using Telecable.Infrastructure.Seguridad;
using Telecable.Infrastructure.Soporte;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Customer and staff accounts of the development issuer and the support desk (issue 21).</summary>
    public static IServiceCollection AgregarCuentas(this IServiceCollection s, IConfiguration config)
    {
        s.AddOptions<OpcionesCuentas>().BindConfiguration(OpcionesCuentas.Seccion);
        s.AddSingleton<ServicioCuentas>();
        // The token validator asks it whether a token's session (sid) is still open.
        s.AddSingleton<IRegistroSesiones>(sp => sp.GetRequiredService<ServicioCuentas>());
        // The support desk over support and outage tickets.
        s.AddSingleton<ServicioMesaSoporte>();
        return s;
    }
}
