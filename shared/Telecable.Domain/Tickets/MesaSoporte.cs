using Telecable.Domain.Comun;

namespace Telecable.Domain.Tickets;

/// <summary>
/// The support desk's life of a support or outage ticket: abierto -> asignado -> en_atencion -> resuelto -> cerrado,
/// reassignment while open, reopening a resolved or closed ticket, cancelling one not yet resolved; and the SLA target
/// for resolution by kind and priority. Installation tickets keep their field flow (<see cref="EstadosTicket"/>).
/// </summary>
public static class MesaSoporte
{
    public const string TipoFalla = "falla";
    public const string EnAtencion = "en_atencion";
    public const string Resuelto = "resuelto";

    public const string Asignar = "asignar";
    public const string Atender = "atender";
    public const string Resolver = "resolver";
    public const string Confirmar = "confirmar";
    public const string Reabrir = "reabrir";
    public const string Cancelar = "cancelar";

    public static bool EsDeMesa(string tipo) => tipo is EstadosTicket.TipoSoporte or TipoFalla;

    private static readonly Dictionary<string, string[]> Desde = new(StringComparer.Ordinal)
    {
        [Asignar] = [EstadosTicket.Abierto, EstadosTicket.Asignado, EnAtencion],
        [Atender] = [EstadosTicket.Asignado],
        [Resolver] = [EstadosTicket.Asignado, EnAtencion],
        [Confirmar] = [Resuelto],
        [Reabrir] = [Resuelto, EstadosTicket.Cerrado],
        [Cancelar] = [EstadosTicket.Abierto, EstadosTicket.Asignado, EnAtencion],
    };

    /// <summary>
    /// The state an action leads to from <paramref name="estado"/> (a reopened ticket goes back to whoever had it, or
    /// to the queue); 422 naming what is possible otherwise.
    /// </summary>
    public static string Siguiente(string tipo, string estado, string accion, bool tieneResponsable)
    {
        if (!EsDeMesa(tipo))
            throw new ErrorRegla("Las instalaciones siguen su propio avance (en camino, en sitio, instalado); la mesa de soporte no las mueve.", "id");
        if (!Desde.TryGetValue(accion, out var origenes)) throw new ArgumentOutOfRangeException(nameof(accion), accion, null);
        if (!origenes.Contains(estado))
        {
            var posibles = Desde.Where(d => d.Value.Contains(estado)).Select(d => d.Key).ToArray();
            throw new ErrorRegla($"Un ticket {Etiqueta(estado)} no admite «{accion}»; "
                + (posibles.Length == 0 ? "ya no admite cambios." : $"admite: {string.Join(", ", posibles)}."), "estado");
        }
        return accion switch
        {
            Asignar => EstadosTicket.Asignado,
            Atender => EnAtencion,
            Resolver => Resuelto,
            Confirmar => EstadosTicket.Cerrado,
            Reabrir => tieneResponsable ? EstadosTicket.Asignado : EstadosTicket.Abierto,
            _ => EstadosTicket.Cancelado,
        };
    }

    /// <summary>Hours to resolve, by kind and priority: an outage (the service is down) is tighter than a question.</summary>
    public static TimeSpan ObjetivoResolucion(string tipo, string prioridad) => TimeSpan.FromHours((tipo, prioridad) switch
    {
        (TipoFalla, "urgente") => 2,
        (TipoFalla, "alta") => 4,
        (TipoFalla, "media") => 8,
        (TipoFalla, _) => 24,
        (_, "urgente") => 4,
        (_, "alta") => 8,
        (_, "media") => 24,
        _ => 72,
    });

    public static DateTimeOffset Vence(string tipo, string prioridad, DateTimeOffset creado) => creado + ObjetivoResolucion(tipo, prioridad);

    /// <summary>Overdue: still unresolved past its target, or resolved after it.</summary>
    public static bool Vencido(string tipo, string prioridad, string estado, DateTimeOffset creado, DateTimeOffset? resuelto, DateTimeOffset ahora)
    {
        var vence = Vence(tipo, prioridad, creado);
        return estado switch
        {
            EstadosTicket.Cancelado => false,
            Resuelto or EstadosTicket.Cerrado => resuelto is { } r && r > vence,
            _ => ahora > vence,
        };
    }

    /// <summary>The state as a person reads it.</summary>
    public static string Etiqueta(string estado) => estado switch
    {
        EstadosTicket.Abierto => "abierto",
        EstadosTicket.Asignado => "asignado",
        EnAtencion => "en atención",
        Resuelto => "resuelto",
        EstadosTicket.Cerrado => "cerrado",
        EstadosTicket.Cancelado => "cancelado",
        _ => estado.Replace('_', ' '),
    };
}
