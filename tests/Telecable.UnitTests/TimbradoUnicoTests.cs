using System.Reflection;
using Telecable.Application.Facturacion;
using Telecable.Infrastructure.Facturacion;
using Telecable.Infrastructure.Pac;

namespace Telecable.UnitTests;

/// <summary>
/// One retry owner for stamping (issue 16, docs/arquitectura.md "Stamping: one retry owner"): only <see cref="TimbradoUnico"/>
/// (behind <see cref="ITimbradoUnico"/>) sends a CFDI to the PAC; the PAC adapters themselves (decorators such as PacMedido)
/// may call the one they wrap. Read from the compiled IL, async state machines included.
/// </summary>
public sealed class TimbradoUnicoTests
{
    private static readonly MethodInfo Timbrar = typeof(IPacClient).GetMethod(nameof(IPacClient.TimbrarAsync))!;

    /// <summary>The type a compiler-generated one (lambda closure, async state machine) belongs to.</summary>
    private static Type Duenio(Type t)
    {
        while (t.DeclaringType is { } d && t.Name.Contains('<')) t = d;
        return t;
    }

    private static bool Llama(MethodBase m, MethodInfo objetivo)
    {
        var il = m.GetMethodBody()?.GetILAsByteArray();
        if (il is null) return false;
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is not (0x28 or 0x6F)) continue; // call, callvirt
            try
            {
                if (m.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1), m.DeclaringType?.GetGenericArguments(), null) == objetivo) return true;
            }
            catch (Exception e) when (e is ArgumentException or BadImageFormatException)
            {
                // not a method token: a byte of another instruction's operand
            }
        }
        return false;
    }

    [Fact]
    public void Solo_TimbradoUnico_envia_CFDIs_al_PAC()
    {
        const BindingFlags todos = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var llamantes = typeof(TimbradoUnico).Assembly.GetTypes()
            .Where(t => !t.IsInterface)
            .SelectMany(t => t.GetMethods(todos).Cast<MethodBase>().Concat(t.GetConstructors(todos)).Select(m => (Tipo: Duenio(t), Metodo: m)))
            .Where(x => Llama(x.Metodo, Timbrar))
            .Select(x => x.Tipo)
            .Distinct()
            .ToList();
        Assert.Contains(typeof(TimbradoUnico), llamantes);
        var otros = llamantes.Where(t => t != typeof(TimbradoUnico) && !typeof(IPacClient).IsAssignableFrom(t)).Select(t => t.FullName).ToList();
        Assert.True(otros.Count == 0, "Llaman al PAC sin pasar por ITimbradoUnico: " + string.Join(", ", otros));
    }
}
