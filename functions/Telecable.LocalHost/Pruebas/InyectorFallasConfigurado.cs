using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Telecable.Application.Comun;

namespace Telecable.LocalHost.Pruebas;

/// <summary>
/// The test hosts' failure injection, registered by the local host only with <c>Pruebas:InyectarFallas=true</c>
/// (never in Azure, where Program.cs runs). Settings are read on every call, so a test may change them on a
/// running host:
/// <c>Altas:FallarEnPaso</c> = a step of AltaCliente that throws before doing anything;
/// <c>Altas:FallarCompensacion</c> = a step whose compensation throws (<c>Altas:FallarCompensacionVeces</c> times,
/// default always); <c>Altas:PausaCompensacionMs</c> delays each compensation (to kill the host mid-way);
/// <c>Pagos:FallarPaso</c> = a ProcesarPago activity that throws (AplicarPago, EmitirComplementoPago, NotificarPago,
/// ReactivarServicio).
/// </summary>
public sealed class InyectorFallasConfigurado(IConfiguration config) : IInyectorFallas
{
    private readonly ConcurrentDictionary<string, int> _fallasCompensacion = new();

    public Task AntesDelPasoAsync(string saga, string instancia, string paso, CancellationToken ct)
    {
        var fallar = saga == Sagas.ProcesarPago ? config["Pagos:FallarPaso"] : config["Altas:FallarEnPaso"];
        return string.Equals(fallar, paso, StringComparison.Ordinal)
            ? throw new InvalidOperationException($"Falla inyectada en el paso {paso}.")
            : Task.CompletedTask;
    }

    /// <summary>Only the onboarding saga's compensations have knobs (the payment saga's tests fail a step).</summary>
    public async Task AntesDeCompensarAsync(string saga, string instancia, string paso, CancellationToken ct)
    {
        if (saga != Sagas.AltaCliente) return;
        if (config.GetValue<int>("Altas:PausaCompensacionMs") is > 0 and var pausa) await Task.Delay(pausa, ct);
        if (!string.Equals(config["Altas:FallarCompensacion"], paso, StringComparison.Ordinal)) return;
        var veces = config.GetValue("Altas:FallarCompensacionVeces", int.MaxValue);
        var n = _fallasCompensacion.AddOrUpdate($"{instancia}:{paso}", 1, (_, v) => v + 1);
        if (n <= veces) throw new InvalidOperationException($"Falla inyectada en la compensación de {paso} (intento {n}).");
    }
}
