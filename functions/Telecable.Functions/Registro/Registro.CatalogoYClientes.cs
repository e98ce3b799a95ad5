using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Catalog, customers, addresses, consents and contracts (issue 3).</summary>
    public static IServiceCollection AgregarCatalogoYClientes(this IServiceCollection s, IConfiguration config)
    {
        return s;
    }
}
