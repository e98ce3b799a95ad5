using System.Reflection;
using System.Xml.Linq;

namespace Telecable.UnitTests;

/// <summary>
/// The dependency arrows between the app's projects (docs/arquitectura.md): Functions -> Orchestrations ->
/// Application -> Domain; Infrastructure -> Application (its ports) and Domain. Read twice: from each csproj's
/// ProjectReference items, and from the compiled assemblies' metadata references (what the code really uses).
/// Any other arrow fails, except the debts listed below, which must shrink: one that no longer exists fails too,
/// so that it is taken off the list.
/// </summary>
public sealed class DependenciasTests
{
    private static readonly Dictionary<string, string[]> Permitidas = new()
    {
        ["Telecable.Domain"] = [],
        ["Telecable.Application"] = ["Telecable.Domain"],
        ["Telecable.Infrastructure"] = ["Telecable.Application", "Telecable.Domain"],
        ["Telecable.Orchestrations"] = ["Telecable.Application", "Telecable.Domain"],
        // Functions is also the composition root: Registro.AgregarTelecable registers the Infrastructure adapters.
        ["Telecable.Functions"] = ["Telecable.Orchestrations", "Telecable.Application", "Telecable.Domain", "Telecable.Infrastructure"],
        // A host of the Functions app (no logic of its own).
        ["Telecable.LocalHost"] = ["Telecable.Functions", "Telecable.Orchestrations", "Telecable.Application", "Telecable.Domain", "Telecable.Infrastructure"],
        ["Telecable.RouterEmulator"] = [],
    };

    /// <summary>Known debt: arrows still to remove (empty: issue 16 paid the last one, Orchestrations -> Infrastructure).</summary>
    private static readonly HashSet<(string, string)> DeudaConocida = [];

    private static string Raiz()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Telecable.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("No se encontró Telecable.sln sobre " + AppContext.BaseDirectory);
    }

    private static IEnumerable<(string De, string A, string Donde)> FlechasDeProyectos()
    {
        var raiz = Raiz();
        foreach (var carpeta in new[] { "shared", "orchestrations", "functions", "tools" })
        foreach (var csproj in Directory.GetFiles(Path.Combine(raiz, carpeta), "*.csproj", SearchOption.AllDirectories))
        {
            var de = Path.GetFileNameWithoutExtension(csproj);
            foreach (var r in XDocument.Load(csproj).Descendants("ProjectReference"))
                yield return (de, Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')), Path.GetRelativePath(raiz, csproj));
        }
    }

    private static IEnumerable<(string De, string A, string Donde)> FlechasDeEnsamblados()
    {
        foreach (var nombre in Permitidas.Keys.Where(n => n != "Telecable.RouterEmulator"))
        {
            var a = Assembly.Load(nombre);
            foreach (var r in a.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Telecable.", StringComparison.Ordinal)))
                yield return (nombre, r.Name!, $"{nombre}.dll");
        }
    }

    [Fact]
    public void Ninguna_flecha_de_dependencia_fuera_de_las_permitidas()
    {
        var flechas = FlechasDeProyectos().Concat(FlechasDeEnsamblados()).ToList();
        Assert.Contains(flechas, f => f.De == "Telecable.Functions" && f.A == "Telecable.Orchestrations");
        var nuevas = flechas
            .Where(f => !(Permitidas.TryGetValue(f.De, out var ok) && ok.Contains(f.A)) && !DeudaConocida.Contains((f.De, f.A)))
            .Select(f => $"{f.De} -> {f.A} (en {f.Donde})")
            .Distinct()
            .ToList();
        Assert.True(nuevas.Count == 0,
            "Dependencias no permitidas (ver docs/arquitectura.md; los puertos van en Telecable.Application, los adaptadores en Infrastructure):\n"
            + string.Join("\n", nuevas));
    }

    [Fact]
    public void Cada_deuda_conocida_sigue_existiendo_o_se_quita_de_la_lista()
    {
        var flechas = FlechasDeProyectos().Concat(FlechasDeEnsamblados()).Select(f => (f.De, f.A)).ToHashSet();
        var pagadas = DeudaConocida.Where(d => !flechas.Contains(d)).Select(d => $"{d.Item1} -> {d.Item2}").ToList();
        Assert.True(pagadas.Count == 0, "Ya no existen; quítelas de DependenciasTests.DeudaConocida: " + string.Join(", ", pagadas));
    }
}

/// <summary>
/// No project of the app uses a library's internal namespace (issue 16, local host parity): those APIs change without
/// notice between patch releases. Read from each assembly's metadata type references.
/// </summary>
public sealed class NamespacesInternosTests
{
    [Fact]
    public void Ningun_ensamblado_de_la_app_usa_un_namespace_interno_de_una_biblioteca()
    {
        var usos = new List<string>();
        foreach (var nombre in new[] { "Telecable.Domain", "Telecable.Application", "Telecable.Infrastructure", "Telecable.Orchestrations", "Telecable.Functions", "Telecable.LocalHost" })
        {
            using var archivo = File.OpenRead(Assembly.Load(nombre).Location);
            using var pe = new System.Reflection.PortableExecutable.PEReader(archivo);
            var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            foreach (var h in md.TypeReferences)
            {
                var ns = md.GetString(md.GetTypeReference(h).Namespace);
                if (ns.Split('.').Contains("Internal") && !ns.StartsWith("Telecable.", StringComparison.Ordinal))
                    usos.Add($"{nombre}: {ns}.{md.GetString(md.GetTypeReference(h).Name)}");
            }
        }
        Assert.True(usos.Count == 0, "Namespaces internos en uso:\n" + string.Join("\n", usos.Distinct()));
    }
}
