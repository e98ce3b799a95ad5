using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Telecable.BrowserTests.Infraestructura;

/// <summary>
/// What the demo seed lacks for the journeys, made through the real API before any test runs: last
/// month's billing run (so the customer has invoices and the billing portal has KPIs and a chart), and
/// the demo customer's support ticket worked and closed by the demo technician (so there is a ticket to rate).
/// </summary>
public static class DatosDemo
{
    public const string TicketDemo = "00000000-0000-0000-0000-000000008009";

    public static async Task PrepararAsync(string urlBase)
    {
        using var http = new HttpClient { BaseAddress = new Uri(urlBase), Timeout = TimeSpan.FromSeconds(60) };
        var tecnico = await TokenAsync(http, "tecnico");
        await FacturarAsync(http, DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM"));

        foreach (var estado in new[] { "en_camino", "en_sitio" })
            await LeerAsync(await PatchAsync(http, tecnico, $"api/tickets/{TicketDemo}/progreso", new { estado }));
        await LeerAsync(await PatchAsync(http, tecnico, $"api/tickets/{TicketDemo}/cerrar", new { nota = "Se reemplazó el cable de fibra." }));
    }

    /// <summary>Runs the billing of a period through the API (admin) and waits until it ends.</summary>
    public static async Task FacturarPeriodoAsync(string urlBase, string periodo)
    {
        using var http = new HttpClient { BaseAddress = new Uri(urlBase), Timeout = TimeSpan.FromSeconds(60) };
        await FacturarAsync(http, periodo);
    }

    private static async Task FacturarAsync(HttpClient http, string periodo)
    {
        var admin = await TokenAsync(http, "admin");
        using var inicio = new HttpRequestMessage(HttpMethod.Post, "api/facturacion/corridas") { Content = JsonContent.Create(new { periodo }) };
        inicio.Headers.Authorization = new("Bearer", admin);
        inicio.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var corrida = await LeerAsync(await http.SendAsync(inicio));
        var id = corrida.GetProperty("id").GetString();
        for (var i = 0; corrida.GetProperty("estado").GetString() == "en_proceso"; i++)
        {
            if (i > 600) throw new TimeoutException($"La corrida {periodo} no terminó: {corrida}");
            await Task.Delay(200);
            using var consulta = new HttpRequestMessage(HttpMethod.Get, $"api/facturacion/corridas/{id}");
            consulta.Headers.Authorization = new("Bearer", admin);
            corrida = await LeerAsync(await http.SendAsync(consulta));
        }
    }

    /// <summary>Pays the demo customer's invoice of the period through the payment path (PATCH .../pagar, admin) and waits
    /// until its Pagos 2.0 complement is stamped and listed with the invoice; returns the complement's UUID.</summary>
    public static async Task<string> PagarFacturaDelClienteAsync(string urlBase, string periodo)
    {
        using var http = new HttpClient { BaseAddress = new Uri(urlBase), Timeout = TimeSpan.FromSeconds(60) };
        var admin = await TokenAsync(http, "admin");
        var cliente = await TokenAsync(http, "cliente");
        async Task<JsonElement> FacturaAsync()
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, "api/facturacion/ultimas?tamano=100");
            req.Headers.Authorization = new("Bearer", cliente);
            return (await LeerAsync(await http.SendAsync(req))).GetProperty("elementos").EnumerateArray()
                .First(f => f.GetProperty("periodo").GetString()!.StartsWith(periodo, StringComparison.Ordinal));
        }
        var factura = await FacturaAsync();
        await LeerAsync(await PatchAsync(http, admin, $"api/facturacion/{factura.GetProperty("uuid").GetString()}/pagar", new { metodo = "spei" }));
        for (var i = 0; ; i++)
        {
            if (factura.GetProperty("complementos").EnumerateArray().FirstOrDefault(c => c.GetProperty("estado").GetString() == "timbrado") is
                { ValueKind: JsonValueKind.Object } c)
                return c.GetProperty("uuid").GetString()!;
            if (i > 600) throw new TimeoutException($"El complemento de la factura de {periodo} no se timbró: {factura}");
            await Task.Delay(200);
            factura = await FacturaAsync();
        }
    }

    /// <summary>A POST through the real API as a demo user (with an Idempotency-Key), for data a journey needs.</summary>
    public static async Task<JsonElement> PostAsync(string urlBase, string usuario, string ruta, object cuerpo)
    {
        using var http = new HttpClient { BaseAddress = new Uri(urlBase), Timeout = TimeSpan.FromSeconds(60) };
        using var req = new HttpRequestMessage(HttpMethod.Post, ruta) { Content = JsonContent.Create(cuerpo) };
        req.Headers.Authorization = new("Bearer", await TokenAsync(http, usuario));
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await LeerAsync(await http.SendAsync(req));
    }

    private static async Task<string> TokenAsync(HttpClient http, string usuario) =>
        (await LeerAsync(await http.PostAsJsonAsync("api/auth/token", new { usuario, password = HostNavegador.Password })))
            .GetProperty("accessToken").GetString()!;

    private static Task<HttpResponseMessage> PatchAsync(HttpClient http, string token, string ruta, object cuerpo)
    {
        var req = new HttpRequestMessage(HttpMethod.Patch, ruta) { Content = JsonContent.Create(cuerpo) };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(req);
    }

    private static async Task<JsonElement> LeerAsync(HttpResponseMessage r)
    {
        var texto = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {texto}");
        return JsonDocument.Parse(texto).RootElement.Clone();
    }
}
