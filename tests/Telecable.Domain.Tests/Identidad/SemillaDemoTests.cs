using System.Text.RegularExpressions;
using Telecable.Domain.Identidad;

namespace Telecable.Domain.Tests.Identidad;

/// <summary>The demo seed (shared/Telecable.Infrastructure/Seed/demo.sql) holds valid customer identities.</summary>
public sealed partial class SemillaDemoTests
{
    private const string ClienteDemo = "00000000-0000-0000-0000-00000000c001";
    private const string TecnicoDemo = "00000000-0000-0000-0000-00000000e001";

    private static readonly Lazy<string> Semilla = new(() =>
        File.ReadAllText(Path.Combine(RaizDelRepositorio(), "shared", "Telecable.Infrastructure", "Seed", "demo.sql")));

    [Fact]
    public void Todo_rfc_de_la_semilla_es_valido()
    {
        var rfcs = RfcEnSql().Matches(Semilla.Value).Select(m => m.Groups[1].Value).ToList();

        Assert.True(rfcs.Count >= 60, $"Se esperaban al menos 60 RFC en demo.sql y hay {rfcs.Count}.");
        Assert.All(rfcs, rfc =>
        {
            var r = Rfc.Validar(rfc);
            Assert.True(r.EsValido, $"{rfc}: {r.Error?.Mensaje}");
            Assert.Equal(rfc, r.Valor!.Valor);
        });
        Assert.Equal(rfcs.Count, rfcs.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Cada_cliente_de_la_semilla_tiene_datos_fiscales_y_de_contacto_validos()
    {
        var clientes = FilasDe("clientes");

        Assert.Equal(60, clientes.Count);
        Assert.Contains(clientes, c => c["id"] == ClienteDemo);
        Assert.Contains(clientes, c => c["tipo_persona"] == "moral");
        foreach (var c in clientes)
        {
            var datos = DatosFiscales.Validar(c["rfc"], c["nombre"], c["regimen_fiscal"], c["uso_cfdi"], c["cp_fiscal"]);
            Assert.True(datos.EsValido, $"{c["id"]}: {string.Join("; ", datos.Errores.Select(e => e.Mensaje))}");
            Assert.Equal(c["tipo_persona"], datos.Valor!.Rfc.Tipo.ComoTexto());

            var telefono = TelefonoMx.Validar(c["telefono"]);
            Assert.True(telefono.EsValido, $"{c["id"]}: {telefono.Error?.Mensaje}");
            Assert.Equal(c["telefono"], telefono.Valor!.E164);

            var email = Email.Validar(c["email"]);
            Assert.True(email.EsValido, $"{c["id"]}: {email.Error?.Mensaje}");
            Assert.Equal(c["email"], email.Valor!.Valor);
        }
    }

    [Fact]
    public void La_semilla_incluye_al_tecnico_demo_con_telefono_valido()
    {
        var tecnicos = FilasDe("tecnicos");

        Assert.Contains(tecnicos, t => t["id"] == TecnicoDemo);
        Assert.All(tecnicos, t => Assert.True(TelefonoMx.Validar(t["telefono"]).EsValido, t["telefono"]));
    }

    /// <summary>Rows of the one-row-per-line INSERT the generator writes for <paramref name="tabla"/>.</summary>
    private static List<Dictionary<string, string?>> FilasDe(string tabla)
    {
        var lineas = Semilla.Value.Split('\n');
        var inicio = Array.FindIndex(lineas, l => l.StartsWith($"INSERT INTO {tabla} (", StringComparison.Ordinal));
        Assert.True(inicio >= 0, $"demo.sql no tiene INSERT INTO {tabla}");
        var columnas = lineas[inicio][(lineas[inicio].IndexOf('(') + 1)..lineas[inicio].IndexOf(')')]
            .Split(',', StringSplitOptions.TrimEntries);
        var filas = new List<Dictionary<string, string?>>();
        for (var i = inicio + 1; !lineas[i].StartsWith("ON CONFLICT", StringComparison.Ordinal); i++)
        {
            var valores = ValorSql().Matches(lineas[i])
                .Select(m => m.Value == "NULL" ? null : m.Value.StartsWith('\'') ? m.Value[1..^1].Replace("''", "'", StringComparison.Ordinal) : m.Value)
                .ToList();
            Assert.Equal(columnas.Length, valores.Count);
            filas.Add(columnas.Zip(valores).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
        }

        return filas;
    }

    private static string RaizDelRepositorio()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Telecable.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No se encontró Telecable.sln arriba de {AppContext.BaseDirectory}.");
    }

    // Any quoted SQL string shaped like an RFC (3-4 letters incl. Ñ/&, 6 digits, 3 characters).
    [GeneratedRegex("'([A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3})'")]
    private static partial Regex RfcEnSql();

    [GeneratedRegex("'(?:[^']|'')*'|NULL|true|false|-?[0-9]+(?:\\.[0-9]+)?")]
    private static partial Regex ValorSql();
}
