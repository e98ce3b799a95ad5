using Microsoft.Extensions.Logging;
using Telecable.Infrastructure.Observabilidad;

namespace Telecable.Orchestrations;

/// <summary>Every orchestration and activity input carries the cid of the HTTP call (or timer) that started it.</summary>
public interface IConCid
{
    string Cid { get; }
}

public static class Contexto
{
    /// <summary>Sets the cid for an activity's logs and traces; dispose at the end of the activity.</summary>
    public static IDisposable? Entrar(ILogger log, IConCid entrada)
    {
        Correlacion.Establecer(entrada.Cid);
        return log.BeginScope(new Dictionary<string, object?> { ["cid"] = entrada.Cid });
    }
}
