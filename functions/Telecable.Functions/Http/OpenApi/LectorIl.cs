using System.Reflection;
using System.Reflection.Emit;

namespace Telecable.Functions.Http.OpenApi;

/// <summary>
/// Walks the IL of a method and yields what it calls, loads and reads. The OpenAPI document is derived from
/// what each function really does (which Permiso it passes to Api, which type it reads, which helper answers)
/// rather than from attributes that could drift from the code.
/// </summary>
internal static class LectorIl
{
    private static readonly Dictionary<short, OpCode> Codigos = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>One instruction with its operand resolved where it names a member, string or integer.</summary>
    internal readonly record struct Instruccion(OpCode Codigo, MethodBase? Metodo, FieldInfo? Campo, string? Texto, int? Entero);

    public static IEnumerable<Instruccion> Leer(MethodBase metodo)
    {
        var il = metodo.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var modulo = metodo.Module;
        var argsTipo = metodo.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var argsMetodo = metodo.IsGenericMethod ? metodo.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            OpCode op;
            if (il[i] == 0xFE) { op = Codigos[unchecked((short)(0xFE00 | il[i + 1]))]; i += 2; }
            else { op = Codigos[il[i]]; i += 1; }

            MethodBase? m = null; FieldInfo? f = null; string? s = null; int? n = null;
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineVar: i += 1; break;
                case OperandType.ShortInlineI: n = (sbyte)il[i]; i += 1; break;
                case OperandType.InlineVar: i += 2; break;
                case OperandType.InlineI: n = BitConverter.ToInt32(il, i); i += 4; break;
                case OperandType.InlineMethod:
                    m = Resolver(() => modulo.ResolveMethod(BitConverter.ToInt32(il, i), argsTipo, argsMetodo)); i += 4; break;
                case OperandType.InlineField:
                    f = Resolver(() => modulo.ResolveField(BitConverter.ToInt32(il, i), argsTipo, argsMetodo)); i += 4; break;
                case OperandType.InlineString:
                    s = Resolver(() => modulo.ResolveString(BitConverter.ToInt32(il, i))); i += 4; break;
                case OperandType.InlineI8 or OperandType.InlineR: i += 8; break;
                case OperandType.InlineSwitch: i += 4 + 4 * BitConverter.ToInt32(il, i); break;
                default: i += 4; break; // InlineBrTarget, InlineSig, InlineTok, InlineType, ShortInlineR
            }
            if (op == OpCodes.Ldc_I4_M1) n = -1;
            else if (op.Value >= OpCodes.Ldc_I4_0.Value && op.Value <= OpCodes.Ldc_I4_8.Value) n = op.Value - OpCodes.Ldc_I4_0.Value;
            yield return new Instruccion(op, m, f, s, n);
        }
    }

    private static T? Resolver<T>(Func<T?> f) where T : class
    {
        try { return f(); }
        catch (ArgumentException) { return null; } // a token of a generic context we did not supply
    }

    /// <summary>
    /// The method and the compiler-generated code it owns: its lambdas, closures, local functions and async
    /// state machines (all named after it, e.g. &lt;CrearCliente&gt;b__5_0 and &lt;&lt;CrearCliente&gt;b__5_0&gt;d),
    /// plus private helpers of the same class it calls, with theirs.
    /// </summary>
    public static IReadOnlyList<MethodBase> CuerposDe(MethodInfo funcion)
    {
        var clase = funcion.DeclaringType!;
        var anidados = Anidados(clase).ToList();
        var vistos = new HashSet<MethodBase>();
        var pendientes = new Queue<MethodBase>([funcion]);
        while (pendientes.Count > 0)
        {
            var m = pendientes.Dequeue();
            if (!vistos.Add(m)) continue;
            var marca = $"<{m.Name}>";
            foreach (var t in anidados)
            {
                var delTipo = t.Name.Contains(marca, StringComparison.Ordinal);
                foreach (var g in t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (delTipo || g.Name.Contains(marca, StringComparison.Ordinal)) pendientes.Enqueue(g);
            }
            foreach (var ins in Leer(m))
                if (ins.Metodo is { } llamado && llamado.DeclaringType == clase && llamado.GetCustomAttribute<Microsoft.Azure.Functions.Worker.FunctionAttribute>() is null)
                    pendientes.Enqueue(llamado);
        }
        return vistos.ToList();
    }

    private static IEnumerable<Type> Anidados(Type t)
    {
        foreach (var n in t.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
        {
            yield return n;
            foreach (var nn in Anidados(n)) yield return nn;
        }
    }
}
