namespace Telecable.Infrastructure;

/// <summary>
/// PostgreSQL <c>timestamp</c> columns hold UTC, but Npgsql reads them back as <see cref="DateTimeKind.Unspecified"/>:
/// this is the one place that says so when a row becomes a <see cref="DateTimeOffset"/> of the API. In the root namespace so
/// every adapter calls <c>FechasDb.Utc</c> without a using.
/// </summary>
public static class FechasDb
{
    public static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));

    public static DateTimeOffset? Utc(DateTime? d) => d is { } v ? Utc(v) : null;
}
