using System.Net;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Plataforma;

/// <summary>A host whose blob storage is unreachable: health says which part is down, with 503.</summary>
public sealed class HostSinBlobs : HostPrueba
{
    protected override bool CargarDemo => false;

    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>
    {
        // Nothing listens on port 9: the blob probe fails fast, the rest stays up.
        ["Blob:ConnectionString"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;",
    };
}

public sealed class SaludDegradadaTests(HostSinBlobs host) : IClassFixture<HostSinBlobs>
{
    [Fact]
    public async Task Health_responde_503_y_senala_el_componente_caido()
    {
        var r = await host.Http.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        var j = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("degradado", j.GetProperty("estado").GetString());
        var c = j.GetProperty("componentes");
        Assert.Equal("caido", c.GetProperty("blobStorage").GetProperty("estado").GetString());
        Assert.Equal("ok", c.GetProperty("postgres").GetProperty("estado").GetString());
        Assert.DoesNotContain("127.0.0.1:9", c.GetProperty("blobStorage").GetProperty("error").GetString());
    }
}
