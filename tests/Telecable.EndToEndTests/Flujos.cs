using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Telecable.Domain.Identidad;

namespace Telecable.EndToEndTests;

/// <summary>The two orchestrated journeys the end-to-end tests drive over HTTP: an onboarding and a billing run.</summary>
public static class Flujos
{
    /// <summary>POST /api/altas as the public portal does, with the given cid (and W3C traceparent, if any).</summary>
    public static async Task<(string Id, string CidEco)> IniciarAltaAsync(HttpClient anonimo, string cid, string? traceparent = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "api/altas") { Content = JsonContent.Create(SolicitudAlta()) };
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        req.Headers.Add("X-Correlation-Id", cid);
        if (traceparent is not null) req.Headers.Add("traceparent", traceparent);
        var r = await anonimo.SendAsync(req);
        var cuerpo = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, cuerpo);
        return (JsonDocument.Parse(cuerpo).RootElement.GetProperty("id").GetString()!, r.Headers.GetValues("X-Correlation-Id").Single());
    }

    /// <summary>Polls GET /api/altas/{id} until the saga ends; fails if it does not within the limit.</summary>
    public static async Task<JsonElement> EsperarAltaAsync(HttpClient c, string id, int segundos = 90)
    {
        var limite = DateTime.UtcNow.AddSeconds(segundos);
        while (true)
        {
            var e = JsonDocument.Parse(await c.GetStringAsync($"api/altas/{id}")).RootElement.Clone();
            if (e.GetProperty("estado").GetString() is "completada" or "fallida") return e;
            Assert.True(DateTime.UtcNow < limite, $"El alta {id} no terminó en {segundos} s: {e}");
            await Task.Delay(200);
        }
    }

    /// <summary>POST /api/facturacion/corridas (admin) with the given cid → the run's id and its orchestration instance id.</summary>
    public static async Task<(Guid Id, string InstanceId)> IniciarCorridaAsync(HttpClient admin, string periodo, string cid)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "api/facturacion/corridas")
        {
            Content = new StringContent($$"""{"periodo":"{{periodo}}"}""", Encoding.UTF8, "application/json"),
        };
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        req.Headers.Add("X-Correlation-Id", cid);
        var r = await admin.SendAsync(req);
        var cuerpo = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, cuerpo);
        var j = JsonDocument.Parse(cuerpo).RootElement;
        return (j.GetProperty("id").GetGuid(), j.GetProperty("instanceId").GetString()!);
    }

    public static async Task<JsonElement> EsperarCorridaAsync(HttpClient admin, Guid id, int segundos = 180)
    {
        var limite = DateTime.UtcNow.AddSeconds(segundos);
        while (true)
        {
            var p = JsonDocument.Parse(await admin.GetStringAsync($"api/facturacion/corridas/{id}")).RootElement.Clone();
            if (p.GetProperty("estado").GetString() != "en_proceso") return p;
            Assert.True(DateTime.UtcNow < limite, $"La corrida {id} no terminó en {segundos} s: {p}");
            await Task.Delay(300);
        }
    }

    /// <summary>A sign-up in Monterrey Centro (64000) with a fresh RFC whose check digit is right.</summary>
    private static object SolicitudAlta()
    {
        var r = Random.Shared;
        const string letras = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        string rfc;
        do
        {
            var sinDigito = new string(Enumerable.Range(0, 4).Select(_ => letras[r.Next(letras.Length)]).ToArray())
                            + $"{r.Next(50, 99):00}{r.Next(1, 13):00}{r.Next(1, 29):00}{letras[r.Next(letras.Length)]}{r.Next(10)}";
            rfc = sinDigito + Rfc.CalcularDigitoVerificador(sinDigito);
        } while (!Rfc.Validar(rfc).EsValido);
        return new
        {
            cliente = new
            {
                nombre = "CLIENTE E2E PÉREZ", rfc, email = $"e2e.{Guid.NewGuid():N}@example.com",
                telefono = "8112345678", regimenFiscal = "612", usoCfdi = "G03", cpFiscal = "64000",
                domicilio = new { calle = "Av. Constitución", numeroExterior = "100", colonia = "Monterrey Centro", cp = "64000" },
                consentimiento = new { avisoPrivacidadVersion = "2026-01", aceptaMarketing = false, origen = "portal_cliente" },
            },
            planId = "00000000-0000-0000-0000-000000002002",
            franjaHoraria = "vespertina",
        };
    }
}
