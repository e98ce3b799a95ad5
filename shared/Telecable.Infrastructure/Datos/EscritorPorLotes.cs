using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Telecable.Infrastructure.Datos;

/// <summary>
/// Group commit for hot write paths (router reports, payment webhooks): concurrent callers queue their row
/// here and a few writers each take whatever has accumulated (up to <c>maximoLote</c>) and write it with
/// one statement, so a round trip and a commit are shared by many requests and each caller still gets its
/// answer only after its row is committed. Nothing waits for a timer: a lone row is written at once, and
/// under load a batch forms while the previous one is in flight. Rows with the same key never share a
/// batch (one statement cannot touch a row twice; a later duplicate goes in the next batch). If a batch
/// fails, its rows are retried one by one so that a single bad row fails alone.
/// </summary>
/// <param name="escribir">Writes rows with distinct keys; returns one result per row, in the same order.</param>
public sealed class EscritorPorLotes<TFila, TClave, TResultado> : IAsyncDisposable where TClave : notnull
{
    private sealed record Pendiente(TFila Fila, TaskCompletionSource<TResultado> Tarea);

    private readonly Func<TFila, TClave> _clave;
    private readonly Func<IReadOnlyList<TFila>, Task<IReadOnlyList<TResultado>>> _escribir;
    private readonly ILogger _log;
    private readonly int _maximoLote;
    private readonly Channel<Pendiente> _cola = Channel.CreateUnbounded<Pendiente>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly Task[] _escritores;

    public EscritorPorLotes(Func<TFila, TClave> clave, Func<IReadOnlyList<TFila>, Task<IReadOnlyList<TResultado>>> escribir,
        ILogger log, int maximoLote = 256, int escritores = 4)
    {
        _clave = clave;
        _escribir = escribir;
        _log = log;
        _maximoLote = maximoLote;
        _escritores = Enumerable.Range(0, escritores).Select(_ => Task.Run(EscribirAsync)).ToArray();
    }

    public Task<TResultado> EscribirAsync(TFila fila)
    {
        var p = new Pendiente(fila, new TaskCompletionSource<TResultado>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_cola.Writer.TryWrite(p)) throw new InvalidOperationException("La cola de escritura está cerrada.");
        return p.Tarea.Task;
    }

    private async Task EscribirAsync()
    {
        var lote = new Dictionary<TClave, Pendiente>();
        var aplazados = new List<Pendiente>();
        while (await _cola.Reader.WaitToReadAsync())
        {
            lote.Clear();
            var previos = aplazados.ToArray();
            aplazados.Clear();
            foreach (var a in previos)
                if (!lote.TryAdd(_clave(a.Fila), a)) aplazados.Add(a);
            while (lote.Count < _maximoLote && _cola.Reader.TryRead(out var p))
                if (!lote.TryAdd(_clave(p.Fila), p)) aplazados.Add(p);
            if (lote.Count == 0) continue;

            var pendientes = lote.Values.ToList();
            try
            {
                var resultados = await _escribir(pendientes.Select(p => p.Fila).ToList());
                for (var i = 0; i < pendientes.Count; i++) pendientes[i].Tarea.TrySetResult(resultados[i]);
            }
            catch (Exception ex)
            {
                _log.LogWarning(ex, "Lote de {Cantidad} filas falló; se reintenta fila por fila", pendientes.Count);
                foreach (var p in pendientes)
                {
                    try { p.Tarea.TrySetResult((await _escribir([p.Fila]))[0]); }
                    catch (Exception e1) { p.Tarea.TrySetException(e1); }
                }
            }
            // Deferred duplicates go first in the next batch; make sure the loop wakes up for them.
            if (aplazados.Count > 0 && _cola.Reader.Count == 0)
            {
                foreach (var a in aplazados) _cola.Writer.TryWrite(a);
                aplazados.Clear();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cola.Writer.TryComplete();
        await Task.WhenAll(_escritores);
    }
}
