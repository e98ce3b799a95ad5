using Telecable.BrowserTests.Infraestructura;

namespace Telecable.BrowserTests;

/// <summary>
/// Issue 22: the portals run under a strict Content-Security-Policy (static-web/staticwebapp.config.json:
/// script-src 'self', no inline script, style or handler). Each portal is signed in with a role that sees
/// every section and each section is opened; Chromium must report no violation. The same page then proves
/// the watch is not blind: an inline script injected on purpose is blocked and reported.
/// </summary>
[Collection(ColeccionNavegador.Nombre)]
public sealed class CspTests(HostNavegador host)
{
    private const string Vigilar = """
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile || ''}:${e.lineNumber}`));
        """;

    [Theory]
    [InlineData("portal-cliente", "cliente")]
    [InlineData("portal-tecnico", "tecnico")]
    [InlineData("backoffice", "admin")]
    [InlineData("portal-facturacion", "admin")]
    public async Task Ninguna_seccion_del_portal_viola_la_CSP(string portal, string usuario)
    {
        var p = await host.PaginaAsync();
        var consola = new List<string>();
        p.Console += (_, m) => { if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) consola.Add(m.Text); };
        await p.AddInitScriptAsync(Vigilar);

        var r = await p.GotoAsync($"/{portal}/");
        var csp = r!.Headers.GetValueOrDefault("content-security-policy") ?? "";
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);

        await Pasos.IngresarAsync(p, portal, usuario);
        var enlaces = Pasos.Navegacion(p).GetByRole(AriaRole.Link);
        var n = await enlaces.CountAsync();
        Assert.True(n > 0, $"{portal}: sin secciones");
        for (var i = 0; i < n; i++)
        {
            await enlaces.Nth(i).ClickAsync();
            await p.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
        var violaciones = await p.EvaluateAsync<string[]>("window.__csp");
        Assert.True(violaciones.Length == 0 && consola.Count == 0,
            $"{portal}: violaciones de CSP en {n} secciones: {string.Join(" | ", violaciones.Concat(consola))}");

        // The watch works: an inline script is refused and reported.
        await p.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.head.appendChild(s); }");
        await p.WaitForFunctionAsync("window.__csp.length > 0");
        Assert.Null(await p.EvaluateAsync<int?>("window.__inline ?? null"));
    }

    [Fact]
    public async Task La_portada_no_viola_la_CSP()
    {
        var p = await host.PaginaAsync();
        await p.AddInitScriptAsync(Vigilar);
        var r = await p.GotoAsync("/");
        Assert.Contains("frame-ancestors 'none'", r!.Headers.GetValueOrDefault("content-security-policy") ?? "");
        await p.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.Empty(await p.EvaluateAsync<string[]>("window.__csp"));
    }
}
