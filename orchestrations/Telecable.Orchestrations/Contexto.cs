using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Telecable.Application.Observabilidad;

namespace Telecable.Orchestrations;

/// <summary>Every orchestration and activity input carries the cid of the HTTP call (or timer) that started it.</summary>
public interface IConCid
{
    string Cid { get; }
}

public static class Contexto
{
    /// <summary>
    /// Sets the cid for an activity's logs and traces and logs one line naming the activity, so that
    /// an operator can follow a cid through every activity an orchestration ran (retries show as
    /// repeated lines). Dispose at the end of the activity.
    /// </summary>
    public static IDisposable? Entrar(ILogger log, IConCid entrada, [CallerMemberName] string actividad = "")
    {
        Correlacion.Establecer(entrada.Cid);
        var alcance = log.BeginScope(new Dictionary<string, object?> { ["cid"] = entrada.Cid });
        log.LogInformation("Actividad {Actividad} iniciada", actividad);
        return alcance;
    }
}
