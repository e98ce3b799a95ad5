using Telecable.Domain.Comun;

namespace Telecable.Domain.Clientes;

/// <summary>
/// The life of a contract and the changes support may make to it. States as in SQL
/// (contratos.estado): pendiente_instalacion -> activo <-> suspendido, any -> cancelado (final).
/// A plan change is allowed while the contract is pending installation or active.
/// </summary>
public static class EstadosContrato
{
    public const string PendienteInstalacion = "pendiente_instalacion";
    public const string Activo = "activo";
    public const string Suspendido = "suspendido";
    public const string Cancelado = "cancelado";

    public const string AccionCambiarPlan = "cambiar_plan";
    public const string AccionActivar = "activar";
    public const string AccionSuspender = "suspender";
    public const string AccionReactivar = "reactivar";
    public const string AccionCancelar = "cancelar";

    public static readonly IReadOnlyList<string> Acciones = [AccionCambiarPlan, AccionActivar, AccionSuspender, AccionReactivar, AccionCancelar];

    private static readonly Dictionary<string, (string[] Desde, string? Hacia)> Reglas = new(StringComparer.Ordinal)
    {
        [AccionCambiarPlan] = ([PendienteInstalacion, Activo], null),
        [AccionActivar] = ([PendienteInstalacion], Activo),
        [AccionSuspender] = ([Activo], Suspendido),
        [AccionReactivar] = ([Suspendido], Activo),
        [AccionCancelar] = ([PendienteInstalacion, Activo, Suspendido], Cancelado),
    };

    /// <summary>The state after the action, or a 422 naming the states that allow it.</summary>
    public static string Aplicar(string estadoActual, string accion)
    {
        if (!Reglas.TryGetValue(accion, out var r))
            throw new ErrorValidacion("accion", $"Acción desconocida; use una de: {string.Join(", ", Acciones)}.");
        if (!r.Desde.Contains(estadoActual))
            throw new ErrorRegla($"No se puede '{accion}' un contrato en estado '{estadoActual}'; solo desde: {string.Join(", ", r.Desde)}.", "accion");
        return r.Hacia ?? estadoActual;
    }
}
