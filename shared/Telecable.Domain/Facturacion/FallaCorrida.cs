namespace Telecable.Domain.Facturacion;

/// <summary>Why a billing run ended <c>fallida</c>: a stable code an operator filters and alerts on, and a message in
/// Spanish for the billing portal. Never a stack trace, a path or a host name.</summary>
public sealed record FallaCorrida(string Codigo, string Mensaje)
{
    public const string OrquestacionPerdida = "orquestacion_perdida";
    public const string OrquestacionTerminada = "orquestacion_terminada";
    public const string OrquestacionNoIniciada = "orquestacion_no_iniciada";

    public static readonly FallaCorrida Perdida = new(OrquestacionPerdida,
        "La orquestación de la corrida ya no existe (se perdió o se purgó). Reintente la corrida: lo ya timbrado no se vuelve a timbrar.");

    public static readonly FallaCorrida Terminada = new(OrquestacionTerminada,
        "La orquestación de la corrida fue terminada antes de cerrarla. Reintente la corrida: lo ya timbrado no se vuelve a timbrar.");

    public static readonly FallaCorrida NoIniciada = new(OrquestacionNoIniciada,
        "No se pudo programar la orquestación de la corrida. Reintente la corrida.");

    /// <summary>
    /// The cause of an activity that failed for good, from the exception's type name (as the durable runtime reports
    /// it) and, for the CSD, its own message (written by us, free of paths). Anything unknown is <c>error_interno</c>:
    /// the log carries the details under the run's correlation id.
    /// </summary>
    public static FallaCorrida Clasificar(string? tipoError, string? mensaje, string actividad)
    {
        var tipo = tipoError ?? "";
        if (tipo.EndsWith("CsdNoDisponible", StringComparison.Ordinal))
            return new("csd_no_disponible", Recortar($"No se pudo usar el CSD del emisor: {mensaje}"));
        if (tipo.StartsWith("Npgsql.", StringComparison.Ordinal))
            return new("base_de_datos", "La base de datos no respondió o rechazó la operación.");
        if (tipo.StartsWith("Azure.", StringComparison.Ordinal))
            return new("almacen_blobs", "El almacenamiento de Azure no respondió.");
        if (tipo.EndsWith("TimeoutException", StringComparison.Ordinal) || tipo.EndsWith("TaskCanceledException", StringComparison.Ordinal))
            return new("tiempo_agotado", $"La actividad {actividad} no terminó a tiempo.");
        return new("error_interno", $"Error inesperado en la actividad {actividad}; el registro de la aplicación tiene el detalle con el cid de la corrida.");
    }

    private static string Recortar(string texto) => texto.Length <= 500 ? texto : texto[..500];
}

/// <summary>Life of a billing run: en_proceso -> completada | completada_con_errores | fallida; reintentar puts a finished
/// or failed run back en_proceso. At most one live (pendiente, en_proceso) run per period.</summary>
public static class EstadosCorrida
{
    public const string Fallida = "fallida";

    public static readonly IReadOnlyList<string> Todos =
        ["pendiente", "en_proceso", "completada", "completada_con_errores", Fallida, "cancelada"];
}
