using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Telecable.LocalHost.Funciones;

public enum Disparador { Http, Timer, Orquestacion, Actividad }

/// <summary>One [Function] method found in the app's assemblies, with the trigger that starts it.</summary>
public sealed record Funcion(string Nombre, MethodInfo Metodo, Disparador Disparador, ParameterInfo ParametroDisparador, Attribute Atributo);

/// <summary>
/// Finds the app's functions the way the worker SDK's metadata generator does: [Function] methods whose
/// parameters carry a trigger attribute, in the Functions assembly and the assemblies it references.
/// </summary>
public static class CatalogoFunciones
{
    public static IReadOnlyList<Funcion> Descubrir(params Assembly[] ensamblados) =>
        ensamblados.Distinct()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(Leer)
            .OfType<Funcion>()
            .OrderBy(f => f.Nombre, StringComparer.Ordinal)
            .ToList();

    private static Funcion? Leer(MethodInfo m)
    {
        var f = m.GetCustomAttribute<FunctionAttribute>();
        if (f is null) return null;
        foreach (var p in m.GetParameters())
        {
            foreach (var a in p.GetCustomAttributes())
            {
                Disparador? d = a switch
                {
                    HttpTriggerAttribute => Disparador.Http,
                    TimerTriggerAttribute => Disparador.Timer,
                    OrchestrationTriggerAttribute => Disparador.Orquestacion,
                    ActivityTriggerAttribute => Disparador.Actividad,
                    _ => null,
                };
                if (d is { } disparador) return new Funcion(f.Name, m, disparador, p, a);
            }
        }
        throw new InvalidOperationException($"La función {f.Name} no tiene un disparador que el host local sepa ejecutar.");
    }
}
