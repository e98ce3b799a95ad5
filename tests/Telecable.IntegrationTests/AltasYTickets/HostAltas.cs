using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Telecable.IntegrationTests.Clientes;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.AltasYTickets;

/// <summary>The local host with failure injection on (Pruebas:InyectarFallas, read by its InyectorFallasConfigurado), shared by the onboarding and ticket tests.</summary>
public sealed class HostAltas : HostPrueba
{
    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?> { ["Pruebas:InyectarFallas"] = "true" };

    /// <summary>Sets (or clears, with null) a setting of the running host; the saga's activities read it on every call.</summary>
    public void Ajustar(string clave, string? valor) => Servicios.GetRequiredService<IConfiguration>()[clave] = valor;

    public HttpClient Como(string token)
    {
        var c = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = Http.Timeout };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    public static Dictionary<string, object?> SolicitudAlta(string? rfc = null, string cp = "64000", string plan = Datos.Fibra300)
    {
        var cliente = Datos.Cliente(rfc, cp);
        ((Dictionary<string, object?>)cliente["consentimiento"]!)["origen"] = "portal_cliente";
        return new Dictionary<string, object?> { ["cliente"] = cliente, ["planId"] = plan, ["franjaHoraria"] = "vespertina" };
    }

    /// <summary>POST /api/altas (anonymous, as the portal sign-up, unless a signed-in client is given) → the alta id.</summary>
    public async Task<string> IniciarAltaAsync(object cuerpo, string? clave = null, HttpClient? como = null)
    {
        var r = await (como ?? Http).SendAsync(Datos.Post("api/altas", cuerpo, clave ?? Guid.NewGuid().ToString()));
        return (await Datos.JsonAsync(r, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
    }

    /// <summary>Polls GET /api/altas/{id} until the saga ends (completada or fallida).</summary>
    public async Task<JsonElement> EsperarAltaAsync(string id)
    {
        for (var i = 0; i < 600; i++)
        {
            var r = await Http.GetAsync($"api/altas/{id}");
            var e = await Datos.JsonAsync(r, HttpStatusCode.OK);
            if (e.GetProperty("estado").GetString() is "completada" or "fallida") return e;
            await Task.Delay(100);
        }
        throw new TimeoutException($"El alta {id} no terminó en 60 s.");
    }
}

[CollectionDefinition(Nombre)]
public sealed class ColeccionAltas : ICollectionFixture<HostAltas>
{
    public const string Nombre = "altas";
}
