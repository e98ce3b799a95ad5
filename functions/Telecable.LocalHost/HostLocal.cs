using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Trace;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Functions;
using Telecable.Functions.Http;
using Telecable.Infrastructure.Observabilidad;
using Telecable.Infrastructure.Seguridad;
using Telecable.LocalHost.Durable;
using Telecable.LocalHost.Funciones;

namespace Telecable.LocalHost;

/// <summary>
/// Runs the Functions app's own classes without Core Tools: HTTP triggers under the host.json route
/// prefix, timers on their schedules, orchestrators and activities on the Durable Task worker through
/// the gRPC sidecar, and static-web/. Holds no business logic. Tests build it in-process with
/// <see cref="ConstruirAsync"/> and call it over real HTTP.
/// </summary>
public static class HostLocal
{
    public static async Task<WebApplication> ConstruirAsync(string[] args, Action<IConfigurationManager>? ajustar = null)
    {
        // No file watching: settings are read once at start, as the Functions host does.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        Configuracion.AgregarLocalSettings(builder.Configuration, builder.Configuration["settings"]);
        ajustar?.Invoke(builder.Configuration);
        var config = builder.Configuration;

        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddConsole(o => o.FormatterName = FormatoJson.NombreFormato)
            .AddConsoleFormatter<FormatoJson, ConsoleFormatterOptions>();

        var puerto = config["LocalHost:Port"] ?? "7071";
        builder.WebHost.UseUrls($"http://127.0.0.1:{puerto}");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
            k.AddServerHeader = false; // no "Server: Kestrel": nothing to fingerprint
        });

        var funciones = CatalogoFunciones.Descubrir(typeof(Registro).Assembly, typeof(Telecable.Orchestrations.Contexto).Assembly);
        var logsArranque = LoggerFactory.Create(l => l.AddConsole(o => o.FormatterName = FormatoJson.NombreFormato).AddConsoleFormatter<FormatoJson, ConsoleFormatterOptions>()
            .SetMinimumLevel(LogLevel.Warning));
        // This process's name among the hosts sharing the task hub and the database (an Azure instance has its own).
        var instancia = $"{Environment.MachineName}:{Environment.ProcessId}:{puerto}";
        var backend = await BackendDurable.IniciarAsync(config, logsArranque, CancellationToken.None, instancia: instancia);

        builder.Services.AgregarTelecable(config);
        if (config.GetValue<bool>("Pruebas:InyectarFallas"))
            builder.Services.AddSingleton<Telecable.Application.Comun.IInyectorFallas, Pruebas.InyectorFallasConfigurado>();
        builder.Services.AddOpenTelemetry().WithTracing(t =>
            t.AddAspNetCoreInstrumentation(o => o.Filter = ctx => !Telemetria.EsSidecarDurable(ctx.Request.Path.Value)));
        builder.Services.AddSingleton(backend);
        WebApplication? app = null;
        builder.Services.AddDurableTaskWorker(b =>
        {
            // The sidecar pings the work-item stream (SidecarConPulso), so the worker's default silent-disconnect check stays.
            b.UseGrpc(backend.Canal);
            b.AddTasks(r => RegistroFunciones.Registrar(r, funciones, () => app!.Services));
        });
        builder.Services.AddDurableTaskClient(b =>
        {
            b.UseGrpc(backend.Canal);
            b.RegisterDirectly();
        });
        builder.Services.AddSingleton(sp => new CandadoTimers(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), instancia));
        builder.Services.AddSingleton(sp => new HostTimers(funciones, sp, config, sp.GetRequiredService<ILogger<HostTimers>>(),
            sp.GetRequiredService<CandadoTimers>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HostTimers>());

        app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(() => backend.DisposeAsync().AsTask().GetAwaiter().GetResult());
        // Only connections from Proxies:Conocidos may rewrite the client's address (none by default).
        app.UseForwardedHeaders(app.Services.GetRequiredService<DireccionCliente>().Opciones);
        EncabezadosSeguridadLocal.Usar(app, config);
        app.UseExceptionHandler(e => e.Run(ctx => Problemas.EscribirAsync(ctx, 500, "Error interno", "Ocurrió un error inesperado.")));

        ServirStaticWeb(app, config);
        HostHttp.Mapear(app, funciones, Configuracion.PrefijoRutas());
        MapearAdmin(app);
        app.MapFallback("/api/{**ruta}", ctx => Problemas.EscribirAsync(ctx, 404, "No encontrado", "No existe ese endpoint."));
        return app;
    }

    private static void ServirStaticWeb(WebApplication app, IConfiguration config)
    {
        var carpeta = Configuracion.CarpetaStaticWeb(config);
        if (carpeta is null || !Directory.Exists(carpeta)) return;
        var archivos = new PhysicalFileProvider(carpeta);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = archivos });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = archivos });
    }

    /// <summary>
    /// POST /admin/functions/{name}: runs a timer function now, as the real host's admin API does (there
    /// with the master key; here with an admin bearer token).
    /// </summary>
    private static void MapearAdmin(WebApplication app) =>
        app.MapPost("/admin/functions/{nombre}", async (string nombre, HttpContext ctx, HostTimers timers, ValidadorTokens tokens) =>
        {
            var auth = await tokens.AutenticarAsync(ctx.Request.Headers.Authorization.ToString(), ctx.RequestAborted);
            if (auth is not Autenticacion.Valida v) { await Problemas.EscribirAsync(ctx, 401, "No autenticado", "Se requiere un token Bearer de admin."); return; }
            if (!v.Usuario.Tiene(Roles.Admin)) { await Problemas.EscribirAsync(ctx, 403, "Prohibido", "Se requiere el rol admin."); return; }
            if (!await timers.DispararAsync(nombre, ctx.RequestAborted)) { await Problemas.EscribirAsync(ctx, 404, "No encontrado", $"No hay un timer llamado {nombre}."); return; }
            ctx.Response.StatusCode = StatusCodes.Status202Accepted;
        });
}
