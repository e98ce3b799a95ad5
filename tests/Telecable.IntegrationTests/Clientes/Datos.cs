using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Telecable.Domain.Identidad;

namespace Telecable.IntegrationTests.Clientes;

/// <summary>Fresh, valid test data (unique RFCs with a correct check digit) and request helpers.</summary>
public static class Datos
{
    public const string Cumbres = "00000000-0000-0000-0000-000000001003";
    public const string ClienteDemo = "00000000-0000-0000-0000-00000000c001";
    public const string OtroCliente = "00000000-0000-0000-0000-00000000c002";
    public const string Fibra500 = "00000000-0000-0000-0000-000000002003";
    public const string Fibra300 = "00000000-0000-0000-0000-000000002002";
    public const string Cable100 = "00000000-0000-0000-0000-000000002006";
    public const string TriplePlay = "00000000-0000-0000-0000-000000003002";

    private const string Letras = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>A valid RFC of a persona física (13) or moral (12), random enough to be unique per test.</summary>
    public static string Rfc(bool moral = false)
    {
        var r = Random.Shared;
        var sb = new StringBuilder();
        for (var i = 0; i < (moral ? 3 : 4); i++) sb.Append(Letras[r.Next(Letras.Length)]);
        sb.Append($"{r.Next(50, 99):00}{r.Next(1, 13):00}{r.Next(1, 29):00}");
        sb.Append(Letras[r.Next(Letras.Length)]).Append(r.Next(10));
        var sinDv = sb.ToString();
        return sinDv + Domain.Identidad.Rfc.CalcularDigitoVerificador(sinDv);
    }

    public static Dictionary<string, object?> Cliente(string? rfc = null, string cp = "64000") => new()
    {
        ["nombre"] = "JUAN PRUEBA PÉREZ",
        ["rfc"] = rfc ?? Rfc(),
        ["email"] = $"prueba.{Guid.NewGuid():N}@Example.COM",
        ["telefono"] = "(81) 1234-5678",
        ["regimenFiscal"] = "612",
        ["usoCfdi"] = "G03",
        ["cpFiscal"] = "64000",
        ["domicilio"] = new Dictionary<string, object?>
        {
            ["calle"] = "Av. Constitución", ["numeroExterior"] = "100", ["colonia"] = "Monterrey Centro", ["cp"] = cp, ["referencias"] = "Portón negro",
        },
        ["consentimiento"] = new Dictionary<string, object?>
        {
            ["avisoPrivacidadVersion"] = "2026-01", ["aceptaMarketing"] = false, ["origen"] = "backoffice",
        },
    };

    public static HttpRequestMessage Post(string url, object cuerpo, string? clave = null)
    {
        var m = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(cuerpo) };
        if (clave is not null) m.Headers.Add("Idempotency-Key", clave);
        return m;
    }

    public static HttpRequestMessage Patch(string url, object cuerpo, string? ifMatch = null)
    {
        var m = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent.Create(cuerpo) };
        if (ifMatch is not null) m.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return m;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage r, System.Net.HttpStatusCode esperado)
    {
        var cuerpo = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == esperado, $"Se esperaba {(int)esperado} y llegó {(int)r.StatusCode}: {cuerpo}");
        return JsonDocument.Parse(cuerpo).RootElement.Clone();
    }

    /// <summary>Creates a customer (admin) and returns its id.</summary>
    public static async Task<string> CrearAsync(HttpClient admin, Dictionary<string, object?>? cuerpo = null)
    {
        var r = await admin.SendAsync(Post("api/clientes", cuerpo ?? Cliente(), Guid.NewGuid().ToString()));
        return (await JsonAsync(r, System.Net.HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }
}
