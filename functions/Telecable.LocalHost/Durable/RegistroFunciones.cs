using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Telecable.LocalHost.Funciones;

namespace Telecable.LocalHost.Durable;

/// <summary>Registers the app's [OrchestrationTrigger] and [ActivityTrigger] functions with the Durable Task worker.</summary>
internal static class RegistroFunciones
{
    public static void Registrar(DurableTaskRegistry registro, IEnumerable<Funcion> funciones, Func<IServiceProvider> servicios)
    {
        foreach (var f in funciones)
        {
            if (f.Disparador == Disparador.Orquestacion) registro.AddOrchestrator(f.Nombre, new Orquestador(f, servicios));
            else if (f.Disparador == Disparador.Actividad) registro.AddActivity(f.Nombre, new Actividad(f, servicios));
        }
    }

    private sealed class Orquestador(Funcion f, Func<IServiceProvider> servicios) : ITaskOrchestrator
    {
        public Type InputType => typeof(object);
        public Type OutputType => typeof(object);

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
        {
            var ctx = new ContextoOrquestacionFuncion(context, input);
            // Orchestrators get no scope: they must not do I/O, and their class is usually static.
            return Invocador.InvocarAsync(f, servicios(), p =>
                p.ParameterType == typeof(TaskOrchestrationContext) ? (true, ctx) : (false, null));
        }
    }

    private sealed class Actividad(Funcion f, Func<IServiceProvider> servicios) : ITaskActivity
    {
        public Type InputType => f.ParametroDisparador.ParameterType;
        public Type OutputType => typeof(object);

        public async Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            await using var alcance = servicios().CreateAsyncScope();
            var valor = input is JsonElement e && InputType != typeof(JsonElement) ? e.Deserialize(InputType) : input;
            return await Invocador.InvocarAsync(f, alcance.ServiceProvider, p =>
                p == f.ParametroDisparador ? (true, valor)
                : p.ParameterType == typeof(TaskActivityContext) ? (true, context)
                : (false, null));
        }
    }
}
