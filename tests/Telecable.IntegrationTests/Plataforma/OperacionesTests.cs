using System.Net;
using System.Text.Json;
using Telecable.Infrastructure.Seguridad;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Plataforma;

/// <summary>A host of its own (its figures are exact) whose Prometheus does not answer: nothing listens on port 9.</summary>
public sealed class HostOperaciones : HostPrueba
{
    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>
    {
        ["Operaciones:PrometheusUrl"] = "http://127.0.0.1:9",
    };
}

/// <summary>
/// The operations page's endpoint, the sampling timer and the gauges of /api/metrics, over a real database:
/// what is written in the business tables is what the figures say.
/// </summary>
public sealed class OperacionesTests(HostOperaciones host) : IClassFixture<HostOperaciones>
{
    private async Task SembrarAsync()
    {
        // Three notifications waiting two hours, a payment confirmed an hour ago and never applied (its saga
        // marked as started, so the payments timer leaves it alone), two rejected webhooks and one accepted,
        // a failed billing run.
        await host.EscalarAsync<int>("""
            INSERT INTO notificaciones (cliente_id, canal, destino, plantilla, cuerpo, estado, created_at)
            SELECT @cliente, 'whatsapp', '+528112345678', 'aviso', 'hola', 'pendiente', now() - interval '2 hours' FROM generate_series(1, 3);
            INSERT INTO pagos (cliente_id, monto, metodo, gateway, gateway_evento_id, estado, recibido_en, saga_iniciada_en)
            VALUES (@cliente, 100, 'tarjeta', 'stripe', 'evt_operaciones_1', 'confirmado', now() - interval '1 hour', now());
            INSERT INTO webhook_eventos (gateway, evento_id, aceptado, motivo_rechazo, cuerpo, cid) VALUES
              ('stripe', 'evt_r1', false, 'firma', '{}', 'c1'), ('stripe', 'evt_r2', false, 'firma', '{}', 'c2'), ('stripe', 'evt_ok', true, NULL, '{}', 'c3');
            INSERT INTO corridas_facturacion (periodo, estado, terminada_en) VALUES ('2020-01-01', 'fallida', now());
            SELECT 1;
            """, new { cliente = UsuariosDemo.ClienteDemoId });
    }

    [Fact]
    public async Task El_resumen_dice_lo_que_hay_en_la_base_y_avisa_que_prometheus_no_responde()
    {
        await SembrarAsync();
        using var admin = await host.ClienteAsync("admin");
        var r = await admin.GetAsync("api/operaciones/resumen?horas=2");
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, texto);
        var j = JsonDocument.Parse(texto).RootElement;
        Assert.Equal(2, j.GetProperty("horas").GetInt32());
        var ahora = j.GetProperty("muestras").EnumerateArray().Last();
        Assert.Equal(3, ahora.GetProperty("notificacionesPendientes").GetInt32());
        Assert.InRange(ahora.GetProperty("notificacionesAntiguedadS").GetDouble(), 7100, 7300);
        Assert.Equal(1, ahora.GetProperty("pagosSinAplicar").GetInt32());
        Assert.InRange(ahora.GetProperty("pagosSinAplicarAntiguedadS").GetDouble(), 3500, 3700);
        Assert.Equal(3, ahora.GetProperty("webhooksRecibidos15m").GetInt32());
        Assert.Equal(2, ahora.GetProperty("webhooksRechazados15m").GetInt32());
        Assert.Equal(1, ahora.GetProperty("corridasFallidas").GetInt32());
        // The demo routers have no report yet: every one is offline, zone by zone.
        var zonas = ahora.GetProperty("routers").EnumerateArray().ToList();
        Assert.NotEmpty(zonas);
        Assert.All(zonas, z => Assert.Equal(z.GetProperty("total").GetInt32(), z.GetProperty("fueraDeLinea").GetInt32()));
        Assert.Equal(await host.EscalarAsync<long>("SELECT count(*) FROM routers WHERE contrato_id IS NOT NULL"), zonas.Sum(z => z.GetProperty("total").GetInt32()));
        // Prometheus configured but down: the figures still come, with the reason and no address.
        Assert.Empty(j.GetProperty("alertas").EnumerateArray());
        Assert.Contains("Prometheus no respondió", j.GetProperty("errorAlertas").GetString());
        Assert.DoesNotContain("127.0.0.1", j.GetProperty("errorAlertas").GetString());
    }

    [Fact]
    public async Task El_timer_guarda_una_muestra_por_minuto_que_el_resumen_devuelve_antes_de_la_de_ahora()
    {
        using var admin = await host.ClienteAsync("admin");
        var antes = await host.EscalarAsync<long>("SELECT count(*) FROM operacion_muestras");
        for (var i = 0; i < 2; i++) // twice in the same minute: one sample
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/MuestrearOperacion", null)).StatusCode);
        var despues = await host.EscalarAsync<long>("SELECT count(*) FROM operacion_muestras");
        Assert.InRange(despues - antes, 1, 2); // 2 only if the minute turned between the two calls
        var j = JsonDocument.Parse(await admin.GetStringAsync("api/operaciones/resumen?horas=1")).RootElement;
        Assert.True(j.GetProperty("muestras").GetArrayLength() >= 2);
        var guardada = await host.EscalarAsync<string>("SELECT datos->>'tomadaEn' FROM operacion_muestras ORDER BY tomada_en DESC LIMIT 1");
        Assert.False(string.IsNullOrEmpty(guardada));
    }

    [Fact]
    public async Task Solo_admin_y_horas_entre_1_y_48()
    {
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/operaciones/resumen"), HttpStatusCode.Unauthorized);
        using var soporte = await host.ClienteAsync("soporte");
        await Problemas.AfirmarAsync(await soporte.GetAsync("api/operaciones/resumen"), HttpStatusCode.Forbidden);
        using var admin = await host.ClienteAsync("admin");
        await Problemas.AfirmarAsync(await admin.GetAsync("api/operaciones/resumen?horas=0"), HttpStatusCode.BadRequest, "horas");
        await Problemas.AfirmarAsync(await admin.GetAsync("api/operaciones/resumen?horas=49"), HttpStatusCode.BadRequest, "horas");
    }

    [Fact]
    public async Task Metrics_expone_los_medidores_de_operacion_y_la_disponibilidad_de_cada_dependencia()
    {
        using var admin = await host.ClienteAsync("admin");
        var texto = await admin.GetStringAsync("api/metrics");
        foreach (var nombre in new[] { "telecable_corridas_fallidas", "telecable_corridas_sin_avance_s", "telecable_cfdi_fallidas_15m", "telecable_outbox_retraso_s",
                     "telecable_outbox_pendientes", "telecable_webhooks_rechazados_15m", "telecable_pagos_sin_aplicar_antiguedad_s",
                     "telecable_notificaciones_pendientes", "telecable_notificaciones_pendientes_antiguedad_s", "telecable_routers_zona_total",
                     "telecable_routers_zona_fuera_de_linea" })
            Assert.Contains($"# TYPE {nombre} gauge", texto);
        Assert.Contains("telecable_dependencia_disponible{dependencia=\"postgres\"} 1", texto);
        Assert.Contains("telecable_dependencia_disponible{dependencia=\"durableTask\"} 1", texto);
        Assert.Contains("telecable_routers_zona_total{zona=\"", texto);
    }
}

/// <summary>Blob storage unreachable (as with Azurite stopped): /api/metrics still answers, saying which dependency is down.</summary>
public sealed class MetricasDegradadasTests(HostSinBlobs host) : IClassFixture<HostSinBlobs>
{
    [Fact]
    public async Task Metrics_responde_200_con_blob_storage_en_cero()
    {
        using var admin = await host.ClienteAsync("admin");
        var r = await admin.GetAsync("api/metrics");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var texto = await r.Content.ReadAsStringAsync();
        Assert.Contains("telecable_dependencia_disponible{dependencia=\"blobStorage\"} 0", texto);
        Assert.Contains("telecable_dependencia_disponible{dependencia=\"postgres\"} 1", texto);
    }
}
