using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telecable.Application.Comun;
using Telecable.Application.Pagos;

namespace Telecable.Orchestrations.ProcesarPago;

public sealed record EntradaProcesarPagosLote(IReadOnlyList<Guid> PagoIds, string Cid) : IConCid;

/// <summary>
/// A burst of confirmed payments (webhook intake, started by the IniciarPagosConfirmados timer) in one orchestration and one
/// activity per batch instead of one orchestration (about five episodes) and three or four activities per payment. Inside the
/// activity the payments that need no payment complement go through their whole saga in one database transaction
/// (<see cref="SagaPagoEnLote.AplicarEnUnaTransaccionAsync"/>); the others (PPD, re-runs, refusals, or all of them when that
/// transaction fails) run the ProcesarPago saga one by one (<see cref="SagaPagoEnLote.ProcesarAsync"/>): the same steps,
/// retries, compensations in reverse and receipt last. Every step is idempotent, so a retried or re-delivered batch changes
/// nothing twice. If the activity fails for good, the payments it left confirmed are released for the timer to start again.
/// </summary>
public static class ProcesarPagosLote
{
    /// <summary>
    /// One instance per batch, named by its first payment and a hash of all of them: the timer repeating a start it could
    /// not mark (a crash in between) finds the same batch; a different set of payments is a different batch, never one
    /// whose instance exists without them. A payment in two batches is harmless: every step is idempotent.
    /// </summary>
    public static string InstanciaPara(IReadOnlyList<Guid> pagoIds)
    {
        var bytes = new byte[pagoIds.Count * 16];
        for (var i = 0; i < pagoIds.Count; i++) pagoIds[i].TryWriteBytes(bytes.AsSpan(i * 16));
        return $"pagos-lote-{pagoIds[0]:N}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16]}";
    }

    private static readonly TaskOptions Reintentos = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    [Function(nameof(ProcesarPagosLote))]
    public static async Task<IReadOnlyList<ResultadoProcesarPago>> Ejecutar([OrchestrationTrigger] TaskOrchestrationContext ctx)
    {
        var e = ctx.GetInput<EntradaProcesarPagosLote>() ?? throw new InvalidOperationException("ProcesarPagosLote sin entrada.");
        try
        {
            return await ctx.CallActivityAsync<IReadOnlyList<ResultadoProcesarPago>>(nameof(ActividadesPagosLote.ProcesarPagosEnLote), e, Reintentos);
        }
        catch (TaskFailedException falla)
        {
            ctx.CreateReplaySafeLogger(nameof(ProcesarPagosLote)).LogError(
                "Lote de {Pagos} pagos falló: {Mensaje}; se liberan los aún confirmados para otro intento; cid {Cid}",
                e.PagoIds.Count, falla.FailureDetails.ErrorMessage, e.Cid);
            await ctx.CallActivityAsync(nameof(ActividadesPagosLote.LiberarPagosLote), e, Reintentos);
            throw;
        }
    }
}

public sealed class ActividadesPagosLote(SagaPagoEnLote saga, IInicioPagos pagos, IOptions<OpcionesPagos> opciones, ILogger<ActividadesPagosLote> log)
{
    [Function(nameof(ProcesarPagosEnLote))]
    public async Task<IReadOnlyList<ResultadoProcesarPago>> ProcesarPagosEnLote([ActivityTrigger] EntradaProcesarPagosLote e)
    {
        using var _ = Contexto.Entrar(log, e);
        var reloj = Stopwatch.StartNew();
        var porId = (await saga.AplicarEnUnaTransaccionAsync(e.PagoIds, e.Cid, CancellationToken.None)).ToDictionary(r => r.PagoId);
        var enTransaccion = reloj.Elapsed;
        // What the batch transaction left (PPD payments, re-runs, failures, unknown ids) runs the saga, once per distinct id.
        var resto = e.PagoIds.Distinct().Where(id => !porId.ContainsKey(id)).ToList();
        var porSaga = new ResultadoProcesarPago[resto.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, resto.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, opciones.Value.ParalelismoLote) },
            async (i, ct) => porSaga[i] = await saga.ProcesarAsync(resto[i], e.Cid, ct));
        foreach (var r in porSaga) porId[r.PagoId] = r;
        var resultados = e.PagoIds.Select(id => porId[id]).ToList();
        log.LogInformation("Lote de {Pagos} pagos: {EnTransaccion} en una transacción ({MsTransaccion} ms), {PorSaga} por saga ({MsSaga} ms); " +
            "{Completados} completados, {Compensados} compensados, {Revision} a revisión",
            resultados.Count, porId.Count - porSaga.Length, (long)enTransaccion.TotalMilliseconds, porSaga.Length,
            (long)(reloj.Elapsed - enTransaccion).TotalMilliseconds, resultados.Count(r => r.Estado == "completado"),
            resultados.Count(r => r.Estado == "compensado"), resultados.Count(r => r.Estado == SagaPagoEnLote.Revision));
        return resultados;
    }

    [Function(nameof(LiberarPagosLote))]
    public async Task LiberarPagosLote([ActivityTrigger] EntradaProcesarPagosLote e)
    {
        using var _ = Contexto.Entrar(log, e);
        await pagos.LiberarInicioAsync(e.PagoIds, CancellationToken.None);
    }
}

/// <summary>
/// The ProcesarPago saga for one payment of a batch, in process: AplicarPago, EmitirComplementoPago (PPD only),
/// ReactivarServicio, each retried as the orchestration retries its activities (3 attempts, 0.5 s then 1 s) and with the
/// same failure-injection points; on a failure the registered compensations run in reverse, and one that fails is logged
/// and leaves the payment for manual review (the orchestration would fail). The receipt is queued last.
/// </summary>
public sealed class SagaPagoEnLote(IPasosPago pasos, IEmisorComplementoPago complementos, IInyectorFallas fallas, ILogger<SagaPagoEnLote> log)
{
    public const string Revision = "revision_manual";

    /// <summary>
    /// The batch's payments that need no complement through their whole saga in one transaction (IPasosPago.AplicarLoteAsync):
    /// nothing to retry step by step or compensate, since it commits all or nothing. A payment for which a step would be
    /// failed on purpose (IInyectorFallas) stays out, and so does the whole batch if the transaction fails (an over-application
    /// the database refuses, say): the per-payment saga then runs each, with its retries, reasons and compensations.
    /// </summary>
    public async Task<IReadOnlyList<ResultadoProcesarPago>> AplicarEnUnaTransaccionAsync(IReadOnlyList<Guid> pagoIds, string cid, CancellationToken ct)
    {
        var sinFalla = new List<Guid>(pagoIds.Count);
        foreach (var id in pagoIds.Distinct())
        {
            try
            {
                foreach (var paso in PasosEnTransaccion) await fallas.AntesDelPasoAsync(Sagas.ProcesarPago, id.ToString(), paso, ct);
                sinFalla.Add(id);
            }
            catch (Exception ex) when (!Abandono(ex))
            {
                // Left to the saga, which meets the same failure at its step and compensates.
            }
        }
        if (sinFalla.Count == 0) return [];
        try
        {
            return (await pasos.AplicarLoteAsync(sinFalla, cid, ct))
                .Select(a => new ResultadoProcesarPago(a.PagoId, "completado", null, a.Reactivados, null)).ToList();
        }
        catch (Exception ex) when (!Abandono(ex))
        {
            log.LogWarning(ex, "Lote de {Pagos} pagos: la transacción única falló ({Mensaje}); cada pago sigue su saga; cid {Cid}", sinFalla.Count, ex.Message, cid);
            return [];
        }
    }

    private static readonly string[] PasosEnTransaccion =
        [nameof(ActividadesPago.AplicarPago), nameof(ActividadesPago.ReactivarServicio), nameof(ActividadesPago.NotificarPago)];

    public async Task<ResultadoProcesarPago> ProcesarAsync(Guid pagoId, string cid, CancellationToken ct)
    {
        var id = pagoId.ToString();
        var compensaciones = new Stack<(string Paso, Func<Task> Deshacer)>();
        Guid? complemento = null;
        var reactivados = 0;
        try
        {
            compensaciones.Push((nameof(ActividadesPago.RevertirAplicacionPago), () => pasos.RevertirAplicacionAsync(pagoId, cid, ct)));
            var aplicacion = await PasoAsync(nameof(ActividadesPago.AplicarPago), id, () => pasos.AplicarAsync(pagoId, cid, ct), ct);
            if (aplicacion.HayPpd)
            {
                compensaciones.Push((nameof(ActividadesPago.CancelarComplementoPago), () => complementos.CancelarAsync(pagoId, ct)));
                complemento = await PasoAsync(nameof(ActividadesPago.EmitirComplementoPago), id, () => complementos.EmitirAsync(pagoId, ct), ct);
            }
            compensaciones.Push((nameof(ActividadesPago.ResuspenderServicio), () => pasos.ResuspenderAsync(pagoId, cid, ct)));
            reactivados = await PasoAsync(nameof(ActividadesPago.ReactivarServicio), id, () => pasos.ReactivarAsync(pagoId, cid, ct), ct);
        }
        catch (FallaPaso falla)
        {
            log.LogError("ProcesarPago {PagoId} (lote) falló en {Actividad}: {Mensaje}; compensando {Pasos} pasos; cid {Cid}",
                pagoId, falla.Paso, falla.InnerException?.Message, compensaciones.Count, cid);
            var fallidas = new List<string>();
            while (compensaciones.TryPop(out var c))
            {
                try
                {
                    await ConReintentosAsync(async () => { await c.Deshacer(); return true; }, ct);
                }
                catch (Exception ex) when (!Abandono(ex))
                {
                    log.LogError(ex, "Compensación {Compensacion} del pago {PagoId} (lote) falló; cid {Cid}", c.Paso, pagoId, cid);
                    fallidas.Add(c.Paso);
                }
            }
            return fallidas.Count > 0
                ? new ResultadoProcesarPago(pagoId, Revision, null, 0, $"fallaron las compensaciones {string.Join(", ", fallidas)}; requiere revisión manual")
                : new ResultadoProcesarPago(pagoId, "compensado", null, 0, $"{falla.Paso}: {falla.InnerException?.Message}");
        }
        try
        {
            await PasoAsync(nameof(ActividadesPago.NotificarPago), id, async () => { await pasos.NotificarAsync(pagoId, cid, ct); return true; }, ct);
        }
        catch (FallaPaso falla)
        {
            log.LogError("ProcesarPago {PagoId} (lote): el aviso al cliente no se pudo encolar: {Mensaje}; cid {Cid}", pagoId, falla.InnerException?.Message, cid);
        }
        return new ResultadoProcesarPago(pagoId, "completado", complemento, reactivados, null);
    }

    private async Task<T> PasoAsync<T>(string paso, string pagoId, Func<Task<T>> hacer, CancellationToken ct)
    {
        try
        {
            return await ConReintentosAsync(async () =>
            {
                await fallas.AntesDelPasoAsync(Sagas.ProcesarPago, pagoId, paso, ct);
                return await hacer();
            }, ct);
        }
        catch (Exception ex) when (!Abandono(ex))
        {
            throw new FallaPaso(paso, ex);
        }
    }

    /// <summary>The host is stopping (its data source disposed, the work cancelled): not a failed step to compensate. The
    /// batch activity fails, and its message comes back to a live host, which re-runs every step idempotently.</summary>
    private static bool Abandono(Exception ex) => ex is OperationCanceledException or ObjectDisposedException;

    private static async Task<T> ConReintentosAsync<T>(Func<Task<T>> hacer, CancellationToken ct)
    {
        var espera = TimeSpan.FromMilliseconds(500);
        for (var intento = 1; ; intento++)
        {
            try
            {
                return await hacer();
            }
            catch (Exception ex) when (intento < 3 && !ct.IsCancellationRequested && !Abandono(ex))
            {
                await Task.Delay(espera, ct);
                espera *= 2;
            }
        }
    }

    private sealed class FallaPaso(string paso, Exception causa) : Exception(causa.Message, causa)
    {
        public string Paso { get; } = paso;
    }
}
