using System.Net;
using System.Text.Json;

namespace Telecable.IntegrationTests.Infraestructura;

/// <summary>Assertions on RFC 7807 answers.</summary>
public static class Problemas
{
    public static async Task<JsonElement> AfirmarAsync(HttpResponseMessage r, HttpStatusCode status, string? campo = null)
    {
        var cuerpo = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == status, $"Se esperaba {(int)status} y llegó {(int)r.StatusCode}: {cuerpo}");
        Assert.StartsWith("application/problem+json", r.Content.Headers.ContentType?.ToString());
        var p = JsonDocument.Parse(cuerpo).RootElement.Clone();
        Assert.Equal((int)status, p.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("title").GetString()));
        Assert.DoesNotContain("   at ", cuerpo); // never a stack trace
        if (campo is not null)
            Assert.True(p.TryGetProperty("errors", out var e) && e.TryGetProperty(campo, out _), $"Falta el error del campo '{campo}': {cuerpo}");
        return p;
    }
}
