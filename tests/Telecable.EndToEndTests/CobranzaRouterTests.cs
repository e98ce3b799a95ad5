using System.Net;
using System.Text.Json;

namespace Telecable.EndToEndTests;

/// <summary>
/// Issue 18, end to end with nothing in-process: the local host and the router emulator run as their own processes and talk
/// HTTP. A demo customer's invoice goes past its grace days, the collections timer suspends the contract, the emulated router
/// receives 'suspender' in the answer to its report and reports itself suspended (no traffic); the customer pays through the
/// payment gateway's signed webhook, the payment saga reactivates the contract and the router, which reports itself back in
/// service. Every router state asserted is what the router reported (GET /api/router/status), not what the server intended.
/// </summary>
public sealed class CobranzaRouterTests
{
    private const string Cliente = "00000000-0000-0000-0000-00000000c002";
    private const string Contrato = "00000000-0000-0000-0000-00000000b002";
    private const string Router = "00000000-0000-0000-0000-000000007002";
    private const string HoyMx = "(now() AT TIME ZONE 'America/Mexico_City')::date";

    [Fact]
    public async Task Vencida_suspendida_pagada_por_webhook_y_reactivada_vista_por_el_router_emulado()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        try
        {
            await using var host = new HostProceso("InMemory", cs, $"e2e{Guid.NewGuid():N}"[..16]);
            await host.IniciarAsync();
            using var admin = await host.ClienteAsync("admin");
            var p = new { cliente = Guid.Parse(Cliente), contrato = Guid.Parse(Contrato), router = Guid.Parse(Router) };

            // An invoice of the demo customer c002 (current until now), 10 days past due: beyond the plan's 5 grace days.
            var factura = await Servicios.EscalarAsync<Guid>(cs, $"""
                INSERT INTO facturas (uuid, serie, folio, cliente_id, contrato_id, subtotal, iva, total, metodo_pago, forma_pago, uso_cfdi, estado,
                                      fecha_emision, fecha_vencimiento, timbrada_en)
                VALUES (gen_random_uuid(), 'A', 900000001, @cliente, @contrato, 100.00, 16.00, 116.00, 'PUE', '03', 'G03', 'timbrada',
                        now() - interval '20 days', {HoyMx} - 10, now() - interval '20 days')
                RETURNING id
                """, p);

            var serial = await Servicios.EscalarAsync<string>(cs, "SELECT serial FROM routers WHERE id = @router", p);
            var claves = JsonSerializer.Deserialize<Dictionary<string, string>>(
                await File.ReadAllTextAsync(Path.Combine(Servicios.RaizRepo, "tools", "Telecable.RouterEmulator", "claves-demo.json")))!;
            await using var emulador = EmuladorProceso.Iniciar(host, new Dictionary<string, string> { [serial!] = claves[serial!] }, intervalo: 2);
            var router = await EsperarRouterAsync(admin, emulador, e => e.GetProperty("estado").GetString() == "en_linea", "en línea");
            Assert.True(router.GetProperty("bajadaMbps").GetDecimal() > 0);

            // The collections timer: the latest reminder and the suspension, the router told.
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/EvaluarCobranza", null)).StatusCode);
            router = await EsperarRouterAsync(admin, emulador, e => e.GetProperty("estado").GetString() == "suspendido", "suspendido");
            Assert.Equal(0m, router.GetProperty("bajadaMbps").GetDecimal());
            Assert.Equal(0, router.GetProperty("clientesConectados").GetInt32());
            Assert.Equal("suspendido", await Servicios.EscalarAsync<string>(cs, "SELECT estado FROM contratos WHERE id = @contrato", p));
            Assert.Equal("ejecutado", await Servicios.EscalarAsync<string>(cs,
                "SELECT estado FROM router_comandos WHERE router_id = @router AND tipo = 'suspender' ORDER BY created_at DESC LIMIT 1", p));
            Assert.Equal(1L, await Servicios.EscalarAsync<long>(cs,
                "SELECT count(*) FROM notificaciones WHERE cliente_id = @cliente AND plantilla = 'cobranza_suspension' AND canal = 'whatsapp'", p));
            // A suspended router stays suspended: a few more reports do not bring it back on their own.
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.Equal("suspendido", (await EstadoAsync(admin)).GetProperty("estado").GetString());

            // The customer pays at the gateway: its webhook, signed as Stripe signs (HMAC-SHA256 over "t.body").
            await host.PagarConTarjetaAsync($"evt_e2e_{Guid.NewGuid():N}", $"pi_e2e_{Guid.NewGuid():N}", p.cliente, factura, 116.00m);

            // The payment saga reactivates the contract and queues 'reactivar'; the router obeys and reports itself back.
            router = await EsperarRouterAsync(admin, emulador, e => e.GetProperty("estado").GetString() == "en_linea", "reactivado", segundos: 120);
            Assert.True(router.GetProperty("bajadaMbps").GetDecimal() > 0);
            Assert.Equal("activo", await Servicios.EscalarAsync<string>(cs, "SELECT estado FROM contratos WHERE id = @contrato", p));
            Assert.Equal("pagada", await Servicios.EscalarAsync<string>(cs, "SELECT estado FROM facturas WHERE id = @factura", new { factura }));
            Assert.Equal("ejecutado", await Servicios.EscalarAsync<string>(cs,
                "SELECT estado FROM router_comandos WHERE router_id = @router AND tipo = 'reactivar' AND solicitado_por = 'pago'", p));
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }

    private static async Task<JsonElement> EstadoAsync(HttpClient admin) =>
        JsonDocument.Parse(await admin.GetStringAsync($"api/router/status/{Router}")).RootElement.Clone();

    /// <summary>Polls the router's reported state (a generous deadline for a loaded 2-core machine; not a timing assertion).</summary>
    private static async Task<JsonElement> EsperarRouterAsync(HttpClient admin, EmuladorProceso emulador, Func<JsonElement, bool> condicion, string que,
        int segundos = 60)
    {
        var limite = DateTime.UtcNow.AddSeconds(segundos);
        while (true)
        {
            var e = await EstadoAsync(admin);
            if (condicion(e)) return e;
            Assert.False(emulador.Terminado, $"El emulador terminó:\n{string.Join('\n', emulador.Salida)}");
            Assert.True(DateTime.UtcNow < limite, $"El router no quedó {que} en {segundos} s: {e}\n{string.Join('\n', emulador.Salida.TakeLast(20))}");
            await Task.Delay(250);
        }
    }
}
