using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Telecable.Infrastructure.Datos;

namespace Telecable.Functions;

/// <summary>
/// <c>Telecable.Functions --migrar</c>: applies pending migrations and exits, without starting the Functions
/// worker. The release step in Azure (infra/bicep/README.md), because Flex Consumption stops an app that takes
/// over 30 s to start and the app's own identity needs no DDL rights. Settings come from environment variables
/// (the same names as the app settings) and <c>--Clave=valor</c> arguments.
/// </summary>
public static class PasoMigracion
{
    public const string Argumento = "--migrar";

    public static async Task<int> EjecutarAsync(string[] args, TokenCredential? credencial = null, CancellationToken ct = default)
    {
        var config = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a != Argumento).ToArray())
            .Build();
        var op = config.GetSection(OpcionesPostgres.Seccion).Get<OpcionesPostgres>() ?? new OpcionesPostgres();
        using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        var log = logs.CreateLogger(typeof(PasoMigracion));
        try
        {
            // A pipeline logged in with `az login` (AzureCliCredential) or a job with a managed identity: both are in DefaultAzureCredential.
            await using var datos = FuentesPostgres.Crear(op,
                op.Autenticacion == AutenticacionPostgres.EntraId ? credencial ?? new DefaultAzureCredential() : null, TimeProvider.System);
            var nuevas = await new Migrador(datos, logs.CreateLogger<Migrador>()).MigrarAsync(ct);
            log.LogInformation("Migraciones aplicadas: {Nuevas}; total en el ensamblado: {Total}", nuevas, Migrador.Migraciones().Count);
            return 0;
        }
        catch (Exception e)
        {
            log.LogError(e, "Las migraciones fallaron");
            return 1;
        }
    }
}
