using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Telecable.BrowserTests.Infraestructura;

namespace Telecable.BrowserTests;

/// <summary>
/// A stand-in for the local Prometheus (its GET /api/v1/alerts only), so the operations page has a firing
/// alert to list; HostNavegador points Operaciones:PrometheusUrl at it. Started on first use, once per run.
/// </summary>
public static class PrometheusFalso
{
    private static readonly Lazy<string> Direccion = new(() =>
    {
        var puerto = Servicios.PuertoLibre();
        var app = WebApplication.CreateSlimBuilder();
        app.WebHost.UseUrls($"http://127.0.0.1:{puerto}");
        var web = app.Build();
        web.MapGet("/api/v1/alerts", () => Results.Text("""
            {"status":"success","data":{"alerts":[{"labels":{"alertname":"TelecableDependenciaCaida","dependencia":"blobStorage","severity":"critical"},
             "annotations":{"summary":"Una dependencia no responde: blobStorage"},"state":"firing","activeAt":"2026-12-03T20:00:00Z","value":"0e+00"}]}}
            """, "application/json"));
        web.StartAsync().GetAwaiter().GetResult();
        return $"http://127.0.0.1:{puerto}";
    });

    public static string Url => Direccion.Value;
}

[Collection(ColeccionNavegador.Nombre)]
public sealed class OperacionesTests(HostNavegador host)
{
    [Fact]
    public async Task Admin_ve_la_pagina_de_operaciones_con_sus_graficas_y_la_alerta_disparada()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "backoffice", "admin");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Operaciones" }).ClickAsync();

        var alertas = p.GetByRole(AriaRole.Table, new() { Name = "Alertas activas de Prometheus" });
        await Expect(alertas).ToContainTextAsync("TelecableDependenciaCaida");
        await Expect(alertas).ToContainTextAsync("Disparada");
        await Expect(p.Locator("dl.kpis")).ToContainTextAsync("Routers fuera de línea");

        // Five charts, each a Chart.js instance drawn on its canvas with one point per sample.
        var graficas = p.Locator("[data-grafica] canvas[role=img]");
        await Expect(graficas).ToHaveCountAsync(5);
        await Expect(p.Locator("[data-grafica='routers'] canvas")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("MTY_"));
        // Each chart is drawn when it comes near the view (comun/graficas.js): bring them in one by one, as a person scrolling.
        for (var i = 0; i < 5; i++)
        {
            await graficas.Nth(i).ScrollIntoViewIfNeededAsync();
            await p.WaitForFunctionAsync("i => !!window.Chart?.getChart(document.querySelectorAll('[data-grafica] canvas')[i])", i);
        }
        // The canvases and their labels appear before Chart.js has drawn on them; on a busy machine the
        // drawing comes later, so wait for it (bounded) and let the assertion below name what is missing.
        const string Puntos = """
            () => [...document.querySelectorAll('[data-grafica] canvas')].map((c) => {
              const g = window.Chart?.getChart(c);
              return g && c.width > 0 && c.height > 0 ? g.data.datasets.reduce((n, d) => n + d.data.length, 0) : -1;
            })
            """;
        try { await p.WaitForFunctionAsync($"() => ({Puntos})().every((n) => n > 0)", null, new() { Timeout = 15_000 }); }
        catch (TimeoutException) { }
        var dibujadas = await p.EvaluateAsync<int[]>(Puntos);
        Assert.All(dibujadas, n => Assert.True(n > 0, $"Una gráfica no se dibujó: [{string.Join(", ", dibujadas)}]"));
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "backoffice-operaciones");
    }

    [Fact]
    public async Task Soporte_no_ve_operaciones_en_el_menu()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "backoffice", "soporte");
        await Expect(Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Clientes" })).ToBeVisibleAsync();
        await Expect(Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Operaciones" })).ToHaveCountAsync(0);
    }
}
