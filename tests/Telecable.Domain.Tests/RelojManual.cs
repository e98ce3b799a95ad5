namespace Telecable.Domain.Tests;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class RelojManual(DateTimeOffset inicio) : TimeProvider
{
    public DateTimeOffset Ahora { get; set; } = inicio;

    public override DateTimeOffset GetUtcNow() => Ahora;
}
