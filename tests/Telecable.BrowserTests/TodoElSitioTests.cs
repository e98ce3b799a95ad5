using System.Text.RegularExpressions;
using Telecable.BrowserTests.Infraestructura;
using Xunit.Abstractions;

namespace Telecable.BrowserTests;

/// <summary>
/// Issue 21 over the whole site: every page of every portal, signed in as each role, at desktop (1280 px) and phone
/// (375 px) width. Each page's visible text (and the values of visible text fields) is scanned for what a person must
/// never read: UUIDs and other hex ids, snake_case or unaccented state codes, a bare lowercase code as a whole cell,
/// UTC/ISO timestamps. At 375 px no page scrolls sideways (neither the document nor a table). Every page is
/// captured to reports/screenshots/sitio-*.png at both widths.
/// </summary>
[Collection(ColeccionNavegador.Nombre)]
public sealed partial class TodoElSitioTests(HostNavegador host, ITestOutputHelper salida)
{
    // Declared before the list that uses it: static fields initialise in order.
    private static readonly Guid ClienteDemo = Telecable.Infrastructure.Seguridad.UsuariosDemo.ClienteDemoId;

    public static TheoryData<string, string> Recorridos => new()
    {
        { "portal-cliente", "" },
        { "portal-cliente", "cliente" },
        { "portal-tecnico", "tecnico" },
        { "backoffice", "soporte" },
        { "backoffice", "admin" },
        { "portal-facturacion", "cobranzas" },
    };

    [Theory]
    [MemberData(nameof(Recorridos))]
    public async Task Ninguna_pagina_muestra_ids_codigos_ni_horas_UTC_ni_se_desborda_en_un_telefono(string portal, string usuario)
    {
        var hallazgos = new List<Hallazgo>();
        var visitadas = new HashSet<string>();
        foreach (var telefono in new[] { false, true })
        {
            var p = await host.PaginaAsync(telefono);
            if (usuario.Length > 0) await Pasos.IngresarAsync(p, portal, usuario);
            foreach (var ruta in await RutasAsync(p, portal, usuario))
            {
                var pagina = $"{portal}/{ruta}";
                visitadas.Add(pagina);
                await AbrirAsync(p, $"/{portal}/{ruta}");
                hallazgos.AddRange(await HallazgosAsync(p, pagina, telefono));
                await Pasos.CapturarAsync(p, $"sitio-{portal}-{(usuario.Length > 0 ? usuario : "publico")}-{Nombre(ruta)}-{(telefono ? "375" : "1280")}");
            }
            await p.Context.CloseAsync();
        }
        Informar($"{portal} ({(usuario.Length > 0 ? usuario : "sin sesión")})", hallazgos, visitadas);
    }

    [Fact]
    public async Task La_portada_y_el_ingreso_de_cada_portal_no_muestran_codigos_ni_se_desbordan()
    {
        var hallazgos = new List<Hallazgo>();
        var visitadas = new HashSet<string>();
        foreach (var telefono in new[] { false, true })
        {
            var p = await host.PaginaAsync(telefono);
            foreach (var ruta in new[] { "/" }.Concat(Pasos.Portales.Select(x => $"/{x}/#/ingresar")))
            {
                await AbrirAsync(p, ruta);
                visitadas.Add(ruta);
                hallazgos.AddRange(await HallazgosAsync(p, ruta, telefono));
                await Pasos.CapturarAsync(p, $"sitio-{Nombre(ruta)}-{(telefono ? "375" : "1280")}");
            }
            await p.Context.CloseAsync();
        }
        Informar("portada e ingreso", hallazgos, visitadas);
    }

    /// <summary>Every menu entry the role sees, plus the pages reached from a link (customer page, ticket page, account forms).</summary>
    private async Task<List<string>> RutasAsync(IPage p, string portal, string usuario)
    {
        await p.GotoAsync($"/{portal}/");
        await EsperarVistaAsync(p);
        if (portal == "portal-cliente")
        {
            // Coverage first: the plans page needs the zone of a postal code.
            await p.GotoAsync($"/{portal}/#/cobertura");
            await p.GetByLabel("Código postal").FillAsync("64000");
            await p.GetByRole(AriaRole.Button, new() { Name = "Consultar cobertura" }).ClickAsync();
            await Expect(p.GetByText("¡Hay cobertura en 64000")).ToBeVisibleAsync();
        }
        var rutas = await Pasos.Navegacion(p).GetByRole(AriaRole.Link).EvaluateAllAsync<string[]>("as => as.map(a => a.getAttribute('href'))");
        Assert.NotEmpty(rutas);
        var todas = rutas.ToList();
        if (portal == "portal-cliente" && usuario.Length == 0) todas.AddRange(["#/crear-cuenta", "#/verificar-cuenta", "#/restablecer"]);
        if (portal == "backoffice") todas.AddRange([$"#/cliente-{ClienteDemo}", $"#/ticket-{DatosDemo.TicketDemo}"]);
        return todas;
    }

    /// <summary>A full load (not a hash change), so the portal's first paint starts before the load event.</summary>
    private static async Task AbrirAsync(IPage p, string ruta)
    {
        await p.GotoAsync("about:blank");
        await p.GotoAsync(ruta);
        await EsperarVistaAsync(p);
    }

    /// <summary>#contenido carries aria-busy while a view renders or a request is in flight (comun/api.js).</summary>
    private static async Task EsperarVistaAsync(IPage p)
    {
        await Expect(p.Locator("main")).Not.ToContainTextAsync("Cargando…");
        await Expect(p.Locator("main")).Not.ToHaveAttributeAsync("aria-busy", "true");
    }

    private static string Nombre(string ruta) =>
        Regex.Replace(ruta.Replace("#/", ""), "[^a-z0-9]+", "-").Trim('-') is { Length: > 0 } n ? n[..Math.Min(n.Length, 40)] : "inicio";

    /// <summary>What a page shows that it must not: Que is the offending code (or the kind, for ids, times and overflow).</summary>
    private sealed record Hallazgo(string Pagina, string Que, string Contexto);

    private void Informar(string recorrido, List<Hallazgo> hallazgos, HashSet<string> visitadas)
    {
        // One line per page and offending thing (the first place it was seen).
        var distintos = hallazgos.GroupBy(h => (h.Pagina, h.Que)).Select(g => g.First()).ToList();
        salida.WriteLine($"{recorrido}: {visitadas.Count} páginas recorridas, {distintos.Count} hallazgos");
        var nuevos = distintos;
        Assert.True(nuevos.Count == 0, $"{recorrido}: {nuevos.Count} hallazgos:\n"
            + string.Join("\n", nuevos.Select(h => $"  (\"{h.Pagina}\", \"{h.Que}\"),  // «{h.Contexto}»")));
    }

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex Uuid();

    /// <summary>Other internal ids: a prefix and a long hex tail (alta-dde28a1e…).</summary>
    [GeneratedRegex(@"\b[a-z]+-[0-9a-f]{12,}\b", RegexOptions.IgnoreCase)]
    private static partial Regex IdHex();

    [GeneratedRegex(@"\b[a-z]+_[a-z0-9_]+\b")]
    private static partial Regex SnakeCase();

    /// <summary>Codes the API uses that read as misspelt Spanish (no accent) or as a code rather than a phrase.</summary>
    [GeneratedRegex(@"\b(matutina|vespertina|instalacion|atencion|conciliacion|cancelacion|verificacion|facturacion|suspension|reactivacion|notificacion)\b")]
    private static partial Regex CodigoSinAcento();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?\b|\bUTC\b|\b\d{2}:\d{2}(:\d{2})?Z\b")]
    private static partial Regex MarcaDeTiempo();

    private static IEnumerable<Hallazgo> Coincidencias(string pagina, Regex r, string texto, string? tipo) =>
        r.Matches(texto).Select(m => new Hallazgo(pagina, tipo ?? m.Value, Contexto(texto, m)));

    private static string Contexto(string texto, Match m)
    {
        var inicio = Math.Max(0, m.Index - 30);
        var fin = Math.Min(texto.Length, m.Index + m.Length + 30);
        return texto[inicio..fin].ReplaceLineEndings(" ").Trim();
    }

    private static async Task<List<Hallazgo>> HallazgosAsync(IPage p, string pagina, bool telefono)
    {
        var r = await p.EvaluateAsync<string[]>("""
            () => {
              const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
              const campos = [...document.querySelectorAll('input:is([type=text],[type=search],[type=email],[type=tel],:not([type])), textarea')]
                .filter(visible).map((e) => e.value).filter(Boolean);
              // A whole cell, term or emphasis that is a bare lowercase code (timbrada, spei): a label would be a phrase.
              const hojas = [...document.querySelectorAll('td, dd, strong, li, span, p, option, th, h3')]
                .filter((e) => e.children.length === 0 && visible(e)).map((e) => e.textContent.trim())
                .filter((t) => /^[a-z]{3,}$/.test(t));
              return [document.body.innerText, campos.join('\n'), hojas.join('\n')];
            }
            """);
        var (texto, campos, hojas) = (r[0], r[1], r[2]);
        var todo = $"{texto}\n{campos}";
        var hallazgos = Coincidencias(pagina, Uuid(), todo, "UUID")
            .Concat(Coincidencias(pagina, IdHex(), todo, "id interno"))
            .Concat(Coincidencias(pagina, SnakeCase(), todo, null))
            .Concat(Coincidencias(pagina, CodigoSinAcento(), todo, null))
            .Concat(Coincidencias(pagina, MarcaDeTiempo(), todo, "fecha ISO/UTC"))
            .Concat(hojas.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Select(h => new Hallazgo(pagina, h, "celda con solo el código")))
            .ToList();
        if (telefono)
        {
            var desbordes = await p.EvaluateAsync<string[]>("""
                () => {
                  const ancho = document.documentElement.clientWidth;
                  const fuera = [];
                  const nombre = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''}`;
                  if (document.documentElement.scrollWidth > ancho)
                    fuera.push(`la página mide ${document.documentElement.scrollWidth}px de ancho en ${ancho}px: ` +
                      [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > ancho + 1).slice(0, 3).map(nombre).join(', '));
                  // A table or a list that scrolls sideways inside its box is a sideways scroll too.
                  for (const e of document.querySelectorAll('main *'))
                    if (e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
                      fuera.push(`${nombre(e)} se desplaza a lo ancho (${e.scrollWidth}px en ${e.clientWidth}px)`);
                  return fuera;
                }
                """);
            hallazgos.AddRange(desbordes.Select(d => new Hallazgo(pagina, "desborde", d)));
        }
        return hallazgos;
    }
}
