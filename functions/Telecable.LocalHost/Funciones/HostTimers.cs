using System.Collections.Concurrent;
using Cronos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Telecable.Application.Observabilidad;

namespace Telecable.LocalHost.Funciones;

/// <summary>
/// Fires [TimerTrigger] functions on their 6-field CRON schedules (UTC, like the Functions host
/// without WEBSITE_TIME_ZONE), never overlapping a run of the same timer, and on demand. With several local hosts
/// on one database each scheduled occurrence runs on one host only (<see cref="CandadoTimers"/>), as a timer runs on
/// one instance in Azure.
/// </summary>
internal sealed class HostTimers(IReadOnlyList<Funcion> funciones, IServiceProvider servicios, IConfiguration config, ILogger<HostTimers> log,
    CandadoTimers candados) : BackgroundService
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _enCurso = new();

    public IEnumerable<string> Nombres => funciones.Where(f => f.Disparador == Disparador.Timer).Select(f => f.Nombre);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        try
        {
            await Task.WhenAll(funciones.Where(f => f.Disparador == Disparador.Timer).Select(f => ProgramarAsync(f, ct)));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The host is stopping: a timer cut short is not a failure.
        }
    }

    private async Task ProgramarAsync(Funcion f, CancellationToken ct)
    {
        var t = (TimerTriggerAttribute)f.Atributo;
        // The Functions host's own switch (an app setting per function), honoured here too so a test host or a local
        // run can silence one timer's schedule the way Azure does; DispararAsync still runs it on demand.
        if (config.GetValue<bool>($"AzureWebJobs.{f.Nombre}.Disabled"))
        {
            log.LogInformation("El timer {Funcion} está deshabilitado (AzureWebJobs.{Funcion}.Disabled)", f.Nombre, f.Nombre);
            return;
        }
        var cron = CronExpression.Parse(Configuracion.Resolver(t.Schedule, config), CronFormat.IncludeSeconds);
        if (t.RunOnStartup) await DispararAsync(f.Nombre, ct);
        while (!ct.IsCancellationRequested)
        {
            var siguiente = cron.GetNextOccurrence(DateTime.UtcNow);
            if (siguiente is null) return;
            var espera = siguiente.Value - DateTime.UtcNow;
            if (espera > TimeSpan.Zero) await Task.Delay(espera, ct);
            bool mia;
            try
            {
                mia = await candados.ReclamarAsync(f.Nombre, siguiente.Value, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // No database, no claim: skipping one occurrence is safer than running it on every host.
                log.LogWarning(ex, "El timer {Funcion} no pudo reclamar la ocurrencia {Ocurrencia}; se omite", f.Nombre, siguiente.Value);
                continue;
            }
            if (mia) await DispararAsync(f.Nombre, ct);
            else TimersMetricas.Omitidas.Add(1, new KeyValuePair<string, object?>("timer", f.Nombre));
        }
    }

    /// <summary>Runs a timer function now. False if it is unknown; a run already in progress is skipped.</summary>
    public async Task<bool> DispararAsync(string nombre, CancellationToken ct)
    {
        var f = funciones.FirstOrDefault(x => x.Disparador == Disparador.Timer && x.Nombre.Equals(nombre, StringComparison.OrdinalIgnoreCase));
        if (f is null) return false;
        var candado = _enCurso.GetOrAdd(f.Nombre, _ => new SemaphoreSlim(1, 1));
        if (!await candado.WaitAsync(0, ct)) return true;
        IAsyncDisposable? bloqueo = null;
        try
        {
            bloqueo = await candados.BloquearAsync(f.Nombre, ct);
            if (bloqueo is null)
            {
                log.LogInformation("El timer {Funcion} sigue corriendo en otro host; se omite", f.Nombre);
                TimersMetricas.Omitidas.Add(1, new KeyValuePair<string, object?>("timer", f.Nombre));
                return true;
            }
            await using var alcance = servicios.CreateAsyncScope();
            await Invocador.InvocarAsync(f, alcance.ServiceProvider, p =>
                p == f.ParametroDisparador ? (true, new TimerInfo())
                : p.ParameterType == typeof(CancellationToken) ? (true, ct)
                : (false, null));
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.LogError(ex, "El timer {Funcion} falló", f.Nombre);
        }
        finally
        {
            if (bloqueo is not null) await bloqueo.DisposeAsync();
            candado.Release();
        }
        return true;
    }
}

/// <summary>Timer occurrences a host skipped because another host claimed them or was still running the timer.</summary>
internal static class TimersMetricas
{
    public static readonly System.Diagnostics.Metrics.Counter<long> Omitidas = Telemetria.Medidor
        .CreateCounter<long>("timers.ocurrencias.omitidas", "{ocurrencia}", "Timer occurrences left to the host that claimed them");
}
