using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Telecable.Functions;

// The release step of a deployment (infra/bicep/README.md): migrate and exit, no Functions worker.
if (args.Contains(PasoMigracion.Argumento)) return await PasoMigracion.EjecutarAsync(args);

// The real Functions host (func start / Azure). The local host does not run this file; it calls the
// same Registro.AgregarTelecable, so both paths get the same services.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// In Azure, secrets the app reads as settings come from Key Vault through the SDK with the app's identity
// (Key Vault references do not resolve on Flex Consumption once the vault only admits private traffic).
builder.Configuration.AgregarSecretosKeyVault();
builder.Services.AgregarTelecable(builder.Configuration);
// With host.json telemetryMode OpenTelemetry: the worker's invocation spans join the host's traces.
builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
builder.Build().Run();
return 0;
