namespace Telecable.Application.Comun;

/// <summary>
/// Where a test makes a saga step or a compensation fail, to exercise the compensations. The app registers
/// <see cref="SinFallas"/>; only a test host registers another (the local host with Pruebas:InyectarFallas=true),
/// so production code carries no test switch of its own.
/// </summary>
public interface IInyectorFallas
{
    /// <summary>Called by a saga's activity before its step does anything; throws to fail the step.</summary>
    Task AntesDelPasoAsync(string saga, string instancia, string paso, CancellationToken ct);

    /// <summary>Called by a saga's activity before a compensation runs; throws (or waits) to test it.</summary>
    Task AntesDeCompensarAsync(string saga, string instancia, string paso, CancellationToken ct);
}

/// <summary>Production: nothing is injected.</summary>
public sealed class SinFallas : IInyectorFallas
{
    public static readonly SinFallas Instancia = new();

    public Task AntesDelPasoAsync(string saga, string instancia, string paso, CancellationToken ct) => Task.CompletedTask;

    public Task AntesDeCompensarAsync(string saga, string instancia, string paso, CancellationToken ct) => Task.CompletedTask;
}
