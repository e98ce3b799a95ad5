using System.Net;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Plataforma;

/// <summary>The problems the local host writes itself look like the API's: Respuestas.Problema, with the caller's cid.</summary>
[Collection(ColeccionHost.Nombre)]
public sealed class HostLocalParidadTests(HostPrueba host)
{
    [Fact]
    public async Task Un_endpoint_que_no_existe_responde_el_problema_de_la_API_con_el_cid()
    {
        using var m = new HttpRequestMessage(HttpMethod.Get, "api/no-existe-en-absoluto");
        m.Headers.Add("X-Correlation-Id", "paridad-cid-1");
        var r = await host.Http.SendAsync(m);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal("paridad-cid-1", r.Headers.GetValues("X-Correlation-Id").Single());
        var p = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("paridad-cid-1", p.GetProperty("cid").GetString());
        Assert.Equal("/api/no-existe-en-absoluto", p.GetProperty("instance").GetString());
        Assert.Equal(404, p.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task El_endpoint_de_timers_sin_token_responde_401_con_cid()
    {
        var r = await host.Http.PostAsync("admin/functions/RelayarOutbox", null);
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        var p = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrEmpty(p.GetProperty("cid").GetString()));
        Assert.Equal(p.GetProperty("cid").GetString(), r.Headers.GetValues("X-Correlation-Id").Single());
    }
}
