using System.ComponentModel;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Telecable.LocalHost.Funciones;

/// <summary>
/// Calls a function method as the worker would: creates its class through DI (scoped per invocation),
/// binds each parameter from what the trigger supplies, and awaits the result.
/// </summary>
public static class Invocador
{
    public static async Task<object?> InvocarAsync(Funcion f, IServiceProvider servicios, Func<ParameterInfo, (bool Enlazado, object? Valor)> enlazar)
    {
        var instancia = f.Metodo.IsStatic ? null : ActivatorUtilities.GetServiceOrCreateInstance(servicios, f.Metodo.DeclaringType!);
        var argumentos = f.Metodo.GetParameters().Select(p => Enlazar(p, servicios, enlazar)).ToArray();
        try
        {
            var resultado = f.Metodo.Invoke(instancia, argumentos);
            return await Esperar(resultado);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private static object? Enlazar(ParameterInfo p, IServiceProvider servicios, Func<ParameterInfo, (bool, object?)> enlazar)
    {
        var (enlazado, valor) = enlazar(p);
        if (enlazado) return valor;
        if (p.ParameterType == typeof(DurableTaskClient)) return servicios.GetRequiredService<DurableTaskClient>();
        if (p.ParameterType == typeof(FunctionContext)) return new ContextoFuncionLocal(servicios);
        if (p.ParameterType == typeof(CancellationToken)) return CancellationToken.None;
        var servicio = servicios.GetService(p.ParameterType);
        if (servicio is not null) return servicio;
        if (p.HasDefaultValue) return p.DefaultValue;
        throw new InvalidOperationException($"El host local no sabe enlazar el parámetro '{p.Name}' de tipo {p.ParameterType.Name}.");
    }

    /// <summary>Converts a route or query string to the parameter's type, as the Functions binder does.</summary>
    public static object? Convertir(string? texto, Type tipo)
    {
        if (texto is null) return null;
        var destino = Nullable.GetUnderlyingType(tipo) ?? tipo;
        return destino == typeof(string) ? texto : TypeDescriptor.GetConverter(destino).ConvertFromInvariantString(texto);
    }

    private static async Task<object?> Esperar(object? resultado)
    {
        if (resultado is not Task t) return resultado is ValueTask vt ? await AsTask(vt) : resultado;
        await t;
        var tipo = t.GetType();
        return tipo.IsGenericType && tipo.GetProperty("Result") is { } r && r.PropertyType.Name != "VoidTaskResult" ? r.GetValue(t) : null;
    }

    private static async Task<object?> AsTask(ValueTask vt)
    {
        await vt;
        return null;
    }
}

/// <summary>
/// The FunctionContext the local host gives a function that asks for one: its invocation id, services and items.
/// The members it does not serve throw, so a function that starts using one fails at once under the local host
/// (and in its tests) instead of meeting a null that the real host would never give.
/// </summary>
internal sealed class ContextoFuncionLocal(IServiceProvider servicios) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId => InvocationId;
    public override TraceContext TraceContext => throw NoServido(nameof(TraceContext));
    public override BindingContext BindingContext => throw NoServido(nameof(BindingContext));
    public override RetryContext RetryContext => throw NoServido(nameof(RetryContext));
    public override IServiceProvider InstanceServices { get; set; } = servicios;
    public override FunctionDefinition FunctionDefinition => throw NoServido(nameof(FunctionDefinition));
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => throw NoServido(nameof(Features));

    private static NotSupportedException NoServido(string miembro) =>
        new($"El host local no sirve FunctionContext.{miembro}; sírvalo en Telecable.LocalHost/Funciones/Invocador.cs antes de usarlo en una función.");
}
