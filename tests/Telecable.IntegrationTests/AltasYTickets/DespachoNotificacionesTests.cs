using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;
using Telecable.IntegrationTests.Pagos;

namespace Telecable.IntegrationTests.AltasYTickets;

/// <summary>A host whose emulated providers fail every delivery, with no wait between attempts.</summary>
public sealed class HostMensajeriaCaida : HostPrueba
{
    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>
    {
        ["Notificaciones:TasaFallaSimulada"] = "1",
        ["Notificaciones:EsperaBaseSegundos"] = "0",
        ["Notificaciones:MaxIntentos"] = "3",
    };
}

internal static class Notificaciones
{
    /// <summary>Queues a notification the way the outage detector and the payment receipt do (estado pendiente).</summary>
    public static Task<Guid> EncolarAsync(HostPrueba host, Guid cliente, string canal, string destino, string plantilla) =>
        host.EscalarAsync<Guid>("""
            INSERT INTO notificaciones (cliente_id, canal, destino, plantilla, asunto, cuerpo, estado)
            VALUES (@cliente, @canal, @destino, @plantilla, 'Aviso', 'Cuerpo del aviso de prueba.', 'pendiente') RETURNING id
            """, new { cliente, canal, destino, plantilla })!;

    public static async Task<(string Estado, int Intentos, string? Error)> EsperarAsync(HostPrueba host, Guid id, Func<(string Estado, int Intentos, string? Error), bool> listo)
    {
        var reloj = Stopwatch.StartNew();
        while (true)
        {
            var f = await host.EscalarAsync<string>("SELECT estado || '|' || intentos || '|' || coalesce(error, '') FROM notificaciones WHERE id = @id", new { id });
            var p = f!.Split('|', 3);
            var r = (p[0], int.Parse(p[1]), p[2].Length == 0 ? null : p[2]);
            if (listo(r)) return r;
            Assert.True(reloj.Elapsed < TimeSpan.FromSeconds(30), $"La notificación {id} sigue en {f}");
            await Task.Delay(200);
        }
    }
}

/// <summary>Issue 18: outage notices and payment receipts were queued 'pendiente' and nothing ever delivered them.</summary>
public sealed class DespachoNotificacionesTests(HostPrueba host) : IClassFixture<HostPrueba>
{
    [Fact]
    public async Task Las_pendientes_se_entregan_por_su_canal_y_aparecen_en_el_buzon_simulado()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var correo = $"buzon-{Guid.NewGuid():N}@example.com";
        var whatsapp = await Notificaciones.EncolarAsync(host, cliente, "whatsapp", "+528112340001", "router_desconectado");
        var email = await Notificaciones.EncolarAsync(host, cliente, "email", correo, "pago_aplicado");
        var sms = await Notificaciones.EncolarAsync(host, cliente, "sms", "+528112340001", "sin_proveedor");
        using var admin = await host.ClienteAsync("admin");
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/DespacharNotificaciones", null)).StatusCode);

        Assert.Equal(("enviada", 1, (string?)null), await Notificaciones.EsperarAsync(host, whatsapp, r => r.Estado != "pendiente"));
        Assert.Equal(("enviada", 1, (string?)null), await Notificaciones.EsperarAsync(host, email, r => r.Estado != "pendiente"));
        // No provider for a channel: dead-lettered at once with the reason, not left pending for ever.
        var s = await Notificaciones.EsperarAsync(host, sms, r => r.Estado != "pendiente");
        Assert.Equal("fallida", s.Estado);
        Assert.Contains("No hay proveedor para el canal sms", s.Error);

        var buzon = JsonDocument.Parse(await admin.GetStringAsync($"api/email-mock/mensajes?destino={Uri.EscapeDataString(correo.ToUpperInvariant())}")).RootElement.GetProperty("elementos");
        Assert.Equal(1, buzon.GetArrayLength());
        Assert.Equal("pago_aplicado", buzon[0].GetProperty("plantilla").GetString());
        Assert.Equal("enviada", buzon[0].GetProperty("estado").GetString());
        using var cliente1 = await host.ClienteAsync("cliente");
        await Problemas.AfirmarAsync(await cliente1.GetAsync("api/email-mock/mensajes"), HttpStatusCode.Forbidden);
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM notificaciones WHERE id = ANY(@ids) AND estado = 'pendiente'",
            new { ids = new[] { whatsapp, email, sms } }));
    }
}

/// <summary>A provider that keeps failing: retried with backoff, then dead-lettered with its error, once.</summary>
public sealed class DespachoConFallasTests(HostMensajeriaCaida host) : IClassFixture<HostMensajeriaCaida>
{
    [Fact]
    public async Task Un_proveedor_caido_se_reintenta_y_tras_el_maximo_queda_fallida_con_su_error()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var id = await Notificaciones.EncolarAsync(host, cliente, "email", "caido@example.com", "pago_aplicado");
        using var admin = await host.ClienteAsync("admin");
        // Each pass (the 5 s schedule or this call) makes one attempt; with no backoff configured, three passes use them up.
        var reloj = Stopwatch.StartNew();
        (string Estado, int Intentos, string? Error) r;
        while ((r = await Notificaciones.EsperarAsync(host, id, _ => true)).Estado == "pendiente")
        {
            Assert.True(r.Intentos < 3, $"Tres intentos fallidos y sigue pendiente: {r}");
            Assert.True(reloj.Elapsed < TimeSpan.FromSeconds(60), $"No llegó a fallida: {r}");
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/DespacharNotificaciones", null)).StatusCode);
            await Task.Delay(300);
        }
        Assert.Equal("fallida", r.Estado);
        Assert.Equal(3, r.Intentos);
        Assert.Contains("falla inducida", r.Error);
        // Dead letter: later passes leave it alone.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/DespacharNotificaciones", null)).StatusCode);
        await Task.Delay(1000);
        Assert.Equal(3, await host.EscalarAsync<int>("SELECT intentos FROM notificaciones WHERE id = @id", new { id }));
    }
}
