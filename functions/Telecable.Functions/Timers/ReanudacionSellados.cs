using Microsoft.Extensions.Logging;

namespace Telecable.Functions.Timers;

/// <summary>
/// What the timers of the "stamp exactly once" issuers share (TareasCfdiGlobal, TareasCreditosSla): re-sending the very XML of
/// CFDIs a crash or an unavailable PAC left sealed for longer than <see cref="Antiguedad"/> (younger ones may still be in the
/// hands of the request that sealed them).
/// </summary>
internal static class ReanudacionSellados
{
    public static readonly TimeSpan Antiguedad = TimeSpan.FromMinutes(5);

    /// <summary>Calls the issuer's re-send (its <c>Reanudar...Async(antiguedad, cid, ct)</c>) and logs how many got stamped.</summary>
    public static async Task ReanudarAsync(Func<TimeSpan, string, CancellationToken, Task<int>> reanudar, string cfdis, string cid, ILogger log, CancellationToken ct)
    {
        var n = await reanudar(Antiguedad, cid, ct);
        if (n > 0) log.LogInformation("{Cfdis} sellados reanudados y timbrados: {Cantidad}", cfdis, n);
    }
}
