using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;

namespace Telecable.IntegrationTests.Pagos;

[Collection(ColeccionPagos.Nombre)]
public sealed class ClabeClienteTests(HostPagos host)
{
    private async Task<string> ClabeAsync(HttpClient http, Guid cliente)
    {
        var r = await http.GetAsync($"api/clientes/{cliente}/estado");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("clabe").GetString()!;
    }

    [Fact]
    public async Task Cada_cliente_tiene_una_CLABE_valida_propia_y_estable_que_ve_el_mismo_y_el_personal()
    {
        var (a, b) = (await DatosPagos.ClienteAsync(host), await DatosPagos.ClienteAsync(host));
        using var soporte = await host.ClienteAsync("soporte");
        using var propio = new HttpClient { BaseAddress = host.Http.BaseAddress };
        propio.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.TokenPara("cliente-a", [Roles.Cliente], a));

        // Concurrent first reads issue one CLABE, not one each.
        var primeras = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ClabeAsync(soporte, a)));
        var clabeA = Assert.Single(primeras.Distinct());

        Assert.True(Clabe.EsValida(clabeA), clabeA);
        Assert.StartsWith("6461801234", clabeA); // the demo prefix (Spei:PrefijoClabe default)
        Assert.Equal(clabeA, await ClabeAsync(propio, a));
        Assert.Equal(clabeA, await host.EscalarAsync<string>("SELECT clabe FROM clientes WHERE id = @a", new { a }));
        var clabeB = await ClabeAsync(soporte, b);
        Assert.True(Clabe.EsValida(clabeB));
        Assert.NotEqual(clabeA, clabeB);
        // Another customer's state (and so their CLABE) stays hidden: 404.
        Assert.Equal(HttpStatusCode.NotFound, (await propio.GetAsync($"api/clientes/{b}/estado")).StatusCode);
    }
}
