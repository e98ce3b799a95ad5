namespace Telecable.Domain.Comun;

/// <summary>
/// The one Mexico clock: the business day, cut-off days, due dates and CFDI Fecha are all central Mexico time
/// (UTC-6 all year since DST ended in 2022), never the server's or UTC's date.
/// </summary>
public static class RelojMexico
{
    /// <summary>The IANA name of the zone, for SQL that must cut days the same way (<c>AT TIME ZONE</c> in PostgreSQL).</summary>
    public const string ZonaIana = "America/Mexico_City";

    public static readonly TimeZoneInfo Zona = BuscarZona();

    /// <summary>Wall-clock time in central Mexico for an instant.</summary>
    public static DateTime Ahora(DateTimeOffset instante) => TimeZoneInfo.ConvertTime(instante, Zona).DateTime;

    /// <summary>The business date in central Mexico for an instant.</summary>
    public static DateOnly Hoy(DateTimeOffset instante) => DateOnly.FromDateTime(Ahora(instante));

    public static DateOnly Hoy(this TimeProvider reloj) => Hoy(reloj.GetUtcNow());

    /// <summary>The instant a central Mexico wall-clock time denotes.</summary>
    public static DateTimeOffset Instante(DateTime horaMexico) =>
        new(DateTime.SpecifyKind(horaMexico, DateTimeKind.Unspecified), Zona.GetUtcOffset(horaMexico));

    private static TimeZoneInfo BuscarZona()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(ZonaIana);
        }
        catch (TimeZoneNotFoundException)
        {
            // Containers without tzdata: the fixed offset is exact since 2022.
            return TimeZoneInfo.CreateCustomTimeZone("CST-6", TimeSpan.FromHours(-6), "Centro", "Centro");
        }
    }
}
