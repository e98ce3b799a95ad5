using System.Net;
using System.Text.Json;
using Telecable.Infrastructure.Pagos;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

[Collection(ColeccionPagos.Nombre)]
public sealed class WebhooksPagosTests(HostPagos host)
{
    private static string Evento() => $"evt_{Guid.NewGuid():N}";

    private Task<long> ContarPagosAsync(string eventoId) =>
        host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway_evento_id = @k", new { k = ServicioWebhooks.Clave("emulada", eventoId) });

    [Fact]
    public async Task El_mismo_evento_50_veces_concurrentes_crea_un_solo_pago_y_todas_reciben_2xx()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var id = Evento();
        var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(id, $"pi_{Guid.NewGuid():N}", cliente, 250.50m);
        var firma = HostPagos.Firmar(cuerpo);

        var respuestas = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => host.WebhookAsync(cuerpo, firma)));

        Assert.All(respuestas, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, await ContarPagosAsync(id));
        Assert.Equal(50, await host.EscalarAsync<long>("SELECT count(*) FROM webhook_eventos WHERE evento_id = @id AND aceptado", new { id }));
        Assert.Equal(49, await host.EscalarAsync<long>("SELECT count(*) FROM webhook_eventos WHERE evento_id = @id AND duplicado", new { id }));
        var pagoId = await host.EscalarAsync<Guid>("SELECT id FROM pagos WHERE gateway_evento_id = @k", new { k = ServicioWebhooks.Clave("emulada", id) });
        await host.EsperarProcesoAsync(pagoId);
        // No invoices: all of it becomes credit, once.
        Assert.Equal(250.50m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));

        // A later re-delivery (the gateway retrying) still answers 2xx and changes nothing.
        var otra = await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo));
        Assert.Equal(HttpStatusCode.OK, otra.StatusCode);
        Assert.True(JsonDocument.Parse(await otra.Content.ReadAsStringAsync()).RootElement.GetProperty("duplicado").GetBoolean());
        Assert.Equal(1, await ContarPagosAsync(id));
    }

    [Fact]
    public async Task Dos_eventos_distintos_del_mismo_pago_de_la_pasarela_acreditan_una_sola_vez()
    {
        // Gateways send several events for one payment (a retry under a new id, charge.succeeded after
        // payment_intent.succeeded): the second one used to create a second payment and both were applied.
        var cliente = await DatosPagos.ClienteAsync(host);
        var referencia = $"pi_{Guid.NewGuid():N}";
        var (primero, segundo) = (Evento(), Evento());
        var cuerpo1 = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(primero, referencia, cliente, 120m);
        var cuerpo2 = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(segundo, referencia, cliente, 120m);

        var r1 = await host.WebhookAsync(cuerpo1, HostPagos.Firmar(cuerpo1));
        var r2 = await host.WebhookAsync(cuerpo2, HostPagos.Firmar(cuerpo2));

        Assert.Equal(HttpStatusCode.OK, r1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
        var pagoId = JsonDocument.Parse(await r1.Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        var segunda = JsonDocument.Parse(await r2.Content.ReadAsStringAsync()).RootElement;
        Assert.True(segunda.GetProperty("duplicado").GetBoolean());
        Assert.Equal(pagoId, segunda.GetProperty("pagoId").GetGuid()); // the payment already recorded, not a new one
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE cliente_id = @cliente", new { cliente }));
        Assert.Equal(1L, await host.EscalarAsync<long>(
            "SELECT count(*) FROM outbox WHERE tipo = 'PagoRecibido' AND datos->>'referencia' = @referencia", new { referencia }));
        await host.EsperarProcesoAsync(pagoId);
        Assert.Equal(120m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));
    }

    [Fact]
    public async Task Eventos_distintos_del_mismo_pago_llegando_a_la_vez_crean_un_solo_pago()
    {
        // Concurrent deliveries share batches in LoteWebhooks: the unique index must hold inside one
        // statement and across statements.
        var cliente = await DatosPagos.ClienteAsync(host);
        var referencia = $"pi_{Guid.NewGuid():N}";
        var cuerpos = Enumerable.Range(0, 20).Select(_ => AdaptadorPasarelaEmulada.CuerpoPagoExitoso(Evento(), referencia, cliente, 30m)).ToList();

        var respuestas = await Task.WhenAll(cuerpos.Select(c => host.WebhookAsync(c, HostPagos.Firmar(c))));

        Assert.All(respuestas, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE cliente_id = @cliente", new { cliente }));
        var nuevos = 0;
        foreach (var r in respuestas)
            if (!JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("duplicado").GetBoolean()) nuevos++;
        Assert.Equal(1, nuevos);
    }

    public static TheoryData<string, string> Alteraciones => new()
    {
        { "byte_cambiado", "firma_invalida" },
        { "secreto_equivocado", "firma_invalida" },
        { "vieja_301", "marca_de_tiempo_vencida" },
        { "futura_301", "marca_de_tiempo_futura" },
        { "sin_encabezado", "encabezado_ausente" },
        { "mal_formado", "encabezado_mal_formado" },
    };

    [Theory]
    [MemberData(nameof(Alteraciones))]
    public async Task Firma_alterada_recibe_400_no_cambia_nada_y_queda_registrada_como_rechazada(string caso, string motivo)
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var id = Evento();
        var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(id, $"pi_{Guid.NewGuid():N}", cliente, 100m);
        var ahora = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (enviado, firma) = caso switch
        {
            "byte_cambiado" => (cuerpo.Replace("10000", "90000"), HostPagos.Firmar(cuerpo)),
            "secreto_equivocado" => (cuerpo, HostPagos.Firmar(cuerpo, "whsec_que_nadie_configuro")),
            "vieja_301" => (cuerpo, HostPagos.Firmar(cuerpo, t: ahora - 301)),
            "futura_301" => (cuerpo, HostPagos.Firmar(cuerpo, t: ahora + 301)),
            "sin_encabezado" => (cuerpo, (string?)null),
            _ => (cuerpo, "t=ayer;v1=firma"),
        };
        Assert.NotEqual(cuerpo == enviado, caso == "byte_cambiado");

        var r = await host.WebhookAsync(enviado, firma);

        await Problemas.AfirmarAsync(r, HttpStatusCode.BadRequest, "Stripe-Signature");
        Assert.Equal(0, await ContarPagosAsync(id));
        Assert.Equal(motivo, await host.EscalarAsync<string>(
            "SELECT motivo_rechazo FROM webhook_eventos WHERE NOT aceptado AND cuerpo = @enviado", new { enviado }));
    }

    [Fact]
    public async Task Durante_la_rotacion_verifican_el_secreto_actual_y_el_anterior()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        foreach (var secreto in new[] { HostPagos.SecretoActual, HostPagos.SecretoAnterior })
        {
            var id = Evento();
            var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(id, $"pi_{Guid.NewGuid():N}", cliente, 10m);
            Assert.Equal(HttpStatusCode.OK, (await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo, secreto))).StatusCode);
            Assert.Equal(1, await ContarPagosAsync(id));
        }
    }

    [Fact]
    public async Task Pasarela_desconocida_404_y_evento_firmado_ininteligible_400()
    {
        var r = await host.Http.PostAsync("api/pagos/webhooks/conekta", new StringContent("{}"));
        await Problemas.AfirmarAsync(r, HttpStatusCode.NotFound);

        const string cuerpo = """{"id":"evt_x","type":"payment_intent.succeeded","data":{"object":{"id":"pi_x","amount":100,"currency":"mxn","metadata":{"cliente_id":"no-es-uuid"}}}}""";
        await Problemas.AfirmarAsync(await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo)), HttpStatusCode.BadRequest);
        Assert.Equal("metadata_cliente_id_invalido", await host.EscalarAsync<string>(
            "SELECT motivo_rechazo FROM webhook_eventos WHERE cuerpo = @cuerpo", new { cuerpo }));
    }

    [Fact]
    public async Task Evento_de_otro_tipo_se_acepta_y_no_crea_pago()
    {
        var id = Evento();
        var cuerpo = "{\"id\":\"" + id + "\",\"type\":\"charge.refund.updated\",\"data\":{\"object\":{\"id\":\"re_1\"}}}";
        Assert.Equal(HttpStatusCode.OK, (await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo))).StatusCode);
        Assert.Equal(0, await ContarPagosAsync(id));
        Assert.True(await host.EscalarAsync<bool>("SELECT aceptado FROM webhook_eventos WHERE evento_id = @id", new { id }));
    }

    [Fact]
    public async Task Pago_de_un_cliente_inexistente_recibe_400_en_el_cuerpo_y_no_deja_nada_a_medias()
    {
        var (id, referencia) = (Evento(), $"pi_{Guid.NewGuid():N}");
        var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(id, referencia, Guid.NewGuid(), 99m);

        await Problemas.AfirmarAsync(await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo)), HttpStatusCode.BadRequest, "cuerpo");

        Assert.Equal(0, await ContarPagosAsync(id));
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM webhook_eventos WHERE evento_id = @id AND aceptado", new { id }));
        Assert.Equal("cliente_desconocido", await host.EscalarAsync<string>(
            "SELECT motivo_rechazo FROM webhook_eventos WHERE evento_id = @id AND NOT aceptado", new { id }));
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE datos->>'referencia' = @referencia", new { referencia }));
    }

    [Fact]
    public async Task Un_pago_de_la_pasarela_a_una_factura_PPD_timbra_un_solo_complemento_aunque_el_evento_se_repita()
    {
        // Issue 17: whichever way a payment arrives, a PPD invoice it settles gets exactly one Pagos 2.0 complement.
        var cliente = await DatosPagos.ClienteAsync(host);
        var factura = await DatosPagos.FacturaAsync(host, cliente, 116m, "PPD");
        var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(Evento(), $"pi_{Guid.NewGuid():N}", cliente, 116m);

        var r = await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var pagoId = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        await host.EsperarProcesoAsync(pagoId);
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
        Assert.Equal("timbrado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId }));

        // The gateway delivers the event again: no second payment, no second complement.
        Assert.Equal(HttpStatusCode.OK, (await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo))).StatusCode);
        await Task.Delay(1500);
        Assert.Equal(1L, await host.EscalarAsync<long>("""
            SELECT count(*) FROM complementos_pago c JOIN pagos p ON p.id = c.pago_id WHERE p.cliente_id = @cliente
            """, new { cliente }));
    }

    [Fact]
    public async Task El_webhook_responde_al_confirmar_y_el_timer_inicia_ProcesarPago_una_sola_vez()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var id = Evento();
        var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(id, $"pi_{Guid.NewGuid():N}", cliente, 75m);

        var r = await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo));

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var pagoId = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        // The payment and its PagoRecibido event were committed together, before the answer.
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'PagoRecibido' AND agregado_id = @p", new { p = pagoId.ToString() }));
        var fin = await host.EsperarProcesoAsync(pagoId);
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed, fin.RuntimeStatus);
        // The timer marks its batch as started after starting each saga, so a fast saga can end before the mark is written.
        var marcado = false;
        for (var i = 0; i < 100 && !marcado; i++)
        {
            marcado = await host.EscalarAsync<bool>("SELECT saga_iniciada_en IS NOT NULL FROM pagos WHERE id = @pagoId", new { pagoId });
            if (!marcado) await Task.Delay(100);
        }
        Assert.True(marcado, "IniciarPagosConfirmados no marcó el pago como iniciado en 10 s");

        // Fired again by hand (or by a second host), it starts nothing new: the credit stays single.
        using var admin = await host.ClienteAsync("admin");
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/IniciarPagosConfirmados", null)).StatusCode);
        Assert.Equal(75m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM movimientos_saldo WHERE pago_id = @pagoId", new { pagoId }));
    }
}
