using Telecable.Domain.Comun;

namespace Telecable.Domain.Tickets;

/// <summary>
/// The life of a ticket (tickets.estado): abierto -> asignado -> en_camino -> en_sitio ->
/// instalado (installation tickets only) -> cerrado; a support ticket is closed from en_sitio;
/// cancelado from abierto, asignado or en_camino. cerrado and cancelado are final.
/// </summary>
public static class EstadosTicket
{
    public const string Abierto = "abierto";
    public const string Asignado = "asignado";
    public const string EnCamino = "en_camino";
    public const string EnSitio = "en_sitio";
    public const string Instalado = "instalado";
    public const string Cerrado = "cerrado";
    public const string Cancelado = "cancelado";

    public const string TipoInstalacion = "instalacion";
    public const string TipoSoporte = "soporte";

    /// <summary>A ticket's priorities, lowest first (tickets.prioridad; the SLA targets of <see cref="MesaSoporte"/> use them).</summary>
    public static readonly IReadOnlyList<string> Prioridades = ["baja", "media", "alta", "urgente"];

    public static readonly IReadOnlyList<string> Todos = [Abierto, Asignado, EnCamino, EnSitio, Instalado, "en_atencion", "resuelto", Cerrado, Cancelado];

    /// <summary>The states a technician reports with PATCH /progreso.</summary>
    public static readonly IReadOnlySet<string> DeProgreso = new HashSet<string>(StringComparer.Ordinal) { EnCamino, EnSitio, Instalado };

    private static readonly Dictionary<string, string[]> Siguientes = new(StringComparer.Ordinal)
    {
        [Abierto] = [Asignado, Cancelado],
        [Asignado] = [EnCamino, Cancelado],
        [EnCamino] = [EnSitio, Cancelado],
        [EnSitio] = [Instalado, Cerrado],
        [Instalado] = [Cerrado],
        [Cerrado] = [],
        [Cancelado] = [],
    };

    public static bool EsFinal(string estado) => estado is Cerrado or Cancelado;

    /// <summary>True when the ticket of that type may go from one state to the other.</summary>
    public static bool Permitida(string tipo, string desde, string hacia) =>
        Siguientes.TryGetValue(desde, out var s) && s.Contains(hacia)
        && !(hacia == Instalado && tipo != TipoInstalacion)
        // an installation is closed only once the equipment is installed (that is what activates the contract)
        && !(hacia == Cerrado && desde == EnSitio && tipo == TipoInstalacion);

    /// <summary>Checks the transition: 400 for an unknown state, 422 naming the states reachable from here.</summary>
    public static string Validar(string tipo, string desde, string? hacia)
    {
        if (hacia is null || !Todos.Contains(hacia))
            throw new ErrorValidacion("estado", $"Estado desconocido; use uno de: {string.Join(", ", Todos)}.");
        if (!Permitida(tipo, desde, hacia))
        {
            var posibles = Todos.Where(h => Permitida(tipo, desde, h)).ToArray();
            throw new ErrorRegla($"Un ticket de {tipo} en estado '{desde}' no puede pasar a '{hacia}'; "
                + (posibles.Length == 0 ? "es un estado final." : $"solo a: {string.Join(", ", posibles)}."), "estado");
        }
        return hacia;
    }
}
