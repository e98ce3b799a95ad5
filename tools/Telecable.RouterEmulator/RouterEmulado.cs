using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Telecable.RouterEmulator;

/// <summary>A router of the fleet as the emulator knows it (from the API) with the device key provisioned into it.</summary>
public sealed record RouterDemo(Guid Id, string Serial, string Tecnologia, string? Firmware, string Clave);

/// <summary>Knobs of the emulation.</summary>
public sealed record OpcionesEmulacion(TimeSpan Intervalo, double Fallas, TimeSpan DuracionReinicio);

/// <summary>Counters shared by every emulated router, printed periodically.</summary>
public sealed class Contadores
{
    public long Reportes, Errores, Reinicios, Silencios, Degradaciones;
}

/// <summary>
/// One emulated router: reports every interval with plausible values (GPON receive power around
/// -19 dBm, or DOCSIS downstream power and SNR), now and then degrades or goes silent for a while, and
/// obeys a reset: stops reporting for a few seconds, comes back with uptime 0 and confirms the command
/// in its next report. Obeys 'suspender' (no traffic: throughput 0, no clients, reports itself suspended) and
/// 'reactivar' at once, confirming each at once too, so a payment reactivates the service within one report; reports
/// as often as the server's answer asks when that is sooner than its own period (suspended routers are asked every 2 s).
/// </summary>
public sealed class RouterEmulado(RouterDemo router, HttpClient http, OpcionesEmulacion op, Contadores contadores, Random azar)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly bool _docsis = router.Tecnologia == "HFC_DOCSIS";
    private readonly HashSet<Guid> _ejecutados = [];
    private readonly List<Guid> _porConfirmar = [];
    private DateTimeOffset _encendido = DateTimeOffset.UtcNow.AddSeconds(-azar.Next(3600, 30 * 86400));
    private double _senal = router.Tecnologia == "HFC_DOCSIS" ? 2 + azar.NextDouble() * 3 : -18 - azar.NextDouble() * 3;
    private int _degradadoRestante;
    private DateTimeOffset _silencioHasta;
    private bool _suspendido;

    public bool Suspendido => _suspendido;

    /// <summary>
    /// The period until the next report: the configured one, or the shorter one the server asked for in its last answer (it
    /// asks a suspended router to report every 2 s, so that the 'reactivar' that follows a payment reaches it within seconds).
    /// </summary>
    public TimeSpan Periodo => _intervaloPedido is { } p && p < op.Intervalo ? p : op.Intervalo;

    private TimeSpan? _intervaloPedido;

    public RouterDemo Router => router;

    /// <summary>Reports every interval until cancelled, starting at a random offset so the fleet does not post in lockstep.</summary>
    public async Task EjecutarAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(azar.NextDouble() * op.Intervalo.TotalMilliseconds), ct);
            while (true)
            {
                var inicio = System.Diagnostics.Stopwatch.GetTimestamp();
                await TickAsync(ct);
                var espera = Periodo - System.Diagnostics.Stopwatch.GetElapsedTime(inicio);
                if (espera > TimeSpan.Zero) await Task.Delay(espera, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>One interval: maybe a fault starts; if not silent, one report and the commands it brings back.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        var ahora = DateTimeOffset.UtcNow;
        if (ahora < _silencioHasta) return;
        if (op.Fallas > 0 && azar.NextDouble() < op.Fallas)
        {
            if (azar.Next(2) == 0)
            {
                // Silent for 4-8 intervals: long enough to be declared offline (3 intervals).
                _silencioHasta = ahora + op.Intervalo * azar.Next(4, 9);
                Interlocked.Increment(ref contadores.Silencios);
                return;
            }
            _degradadoRestante = azar.Next(3, 7);
            Interlocked.Increment(ref contadores.Degradaciones);
        }

        var comandos = await ReportarAsync(ct);
        var cambioServicio = false;
        foreach (var c in comandos)
        {
            if (!_ejecutados.Add(c.Id)) continue;
            switch (c.Tipo)
            {
                case "reiniciar": await ReiniciarAsync(c.Id, ct); break;
                case "suspender" or "reactivar":
                    _suspendido = c.Tipo == "suspender";
                    _porConfirmar.Add(c.Id);
                    cambioServicio = true;
                    break;
            }
        }
        // Report the new state now rather than an interval later.
        if (cambioServicio) await ReportarAsync(ct);
    }

    private async Task ReiniciarAsync(Guid comando, CancellationToken ct)
    {
        Interlocked.Increment(ref contadores.Reinicios);
        await Task.Delay(op.DuracionReinicio, ct);
        _encendido = DateTimeOffset.UtcNow;
        _degradadoRestante = 0;
        _porConfirmar.Add(comando);
        // Back up: report at once, carrying the confirmation.
        await ReportarAsync(ct);
    }

    private async Task<IReadOnlyList<Comando>> ReportarAsync(CancellationToken ct)
    {
        var cuerpo = Medir();
        using var m = new HttpRequestMessage(HttpMethod.Post, "api/router/status") { Content = JsonContent.Create(cuerpo, options: Json) };
        m.Headers.Add("X-Router-Auth", $"{router.Serial}:{router.Clave}");
        try
        {
            using var r = await http.SendAsync(m, ct);
            if (!r.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref contadores.Errores);
                return [];
            }
            var respuesta = await r.Content.ReadFromJsonAsync<Respuesta>(Json, ct);
            Interlocked.Increment(ref contadores.Reportes);
            _intervaloPedido = respuesta is { IntervaloSegundos: > 0 } ? TimeSpan.FromSeconds(respuesta.IntervaloSegundos) : null;
            _porConfirmar.RemoveAll(id => cuerpo.ComandosCompletados?.Contains(id) == true);
            return respuesta?.Comandos ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            // Host down, timeout or an unreadable answer: count it and report again next interval.
            Interlocked.Increment(ref contadores.Errores);
            return [];
        }
    }

    private Reporte Medir()
    {
        // A slow random walk around a healthy level; a degradation pushes it out of range.
        _senal += (azar.NextDouble() - 0.5) * 0.4;
        _senal = _docsis ? Math.Clamp(_senal, -3, 6) : Math.Clamp(_senal, -23, -15);
        var degradado = _degradadoRestante > 0;
        if (degradado) _degradadoRestante--;
        var senal = degradado ? (_docsis ? 12.5 + azar.NextDouble() * 3 : -28.5 - azar.NextDouble() * 2) : _senal;
        decimal? snr = _docsis ? (decimal)Math.Round(degradado ? 26 + azar.NextDouble() * 4 : 36 + azar.NextDouble() * 4, 2) : null;
        // Suspended: the line is up but carries no traffic.
        var bajada = _suspendido ? 0 : degradado ? 5 + azar.NextDouble() * 20 : 150 + azar.NextDouble() * 600;
        return new Reporte(router.Serial, router.Firmware ?? "1.0.0",
            (long)(DateTimeOffset.UtcNow - _encendido).TotalSeconds,
            (decimal)Math.Round(senal, 2), snr, (decimal)Math.Round(bajada, 2), (decimal)Math.Round(bajada * 0.25, 2),
            _suspendido ? 0 : azar.Next(1, 16), degradado ? azar.Next(200, 2000) : azar.Next(0, 5),
            _porConfirmar.Count > 0 ? [.. _porConfirmar] : null, _suspendido ? true : null);
    }

    private sealed record Reporte(string Serial, string Firmware, long UptimeSegundos, decimal SenalDbm, decimal? SnrDb,
        decimal BajadaMbps, decimal SubidaMbps, int ClientesConectados, long Errores, Guid[]? ComandosCompletados, bool? Suspendido);

    public sealed record Comando(Guid Id, string Tipo);

    private sealed record Respuesta(string Estado, int IntervaloSegundos, List<Comando> Comandos);
}
