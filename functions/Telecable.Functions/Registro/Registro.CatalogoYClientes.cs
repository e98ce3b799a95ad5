using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Infrastructure.Catalogo;
using Telecable.Infrastructure.Clientes;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Catalog, customers, addresses, consents and contracts (issue 3).</summary>
    public static IServiceCollection AgregarCatalogoYClientes(this IServiceCollection s, IConfiguration config)
    {
        s.AddSingleton<ServicioCatalogo>();
        s.AddSingleton<ServicioClientes>();
        return s;
    }
}
