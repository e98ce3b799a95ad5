using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Pagos;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>
/// Issue 19's "Done when", one method at a time and across channels: card and SPEI end to end (reference issued, paid
/// by the emulated provider's signed webhook, applied, complement for a PPD invoice, customer notified, suspended service
/// reactivated; OXXO's is in <see cref="ReferenciasOxxoTests"/>); the same SPEI money arriving by webhook, bank statement
/// and settlement credited once; partial refunds (provider's, cumulative) and the operator's own SPEI refund of cash.
/// </summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class MetodosDePagoTests(HostPagos host)
{
    private HttpClient ComoCliente(Guid clienteId)
    {
        var c = new HttpClient { BaseAddress = host.Http.BaseAddress };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.TokenPara($"cliente-{clienteId:N}", ["cliente"], clienteId));
        return c;
    }

    private static HttpRequestMessage Post(string ruta, object cuerpo, string? clave = null)
    {
        var m = new HttpRequestMessage(HttpMethod.Post, ruta) { Content = JsonContent.Create(cuerpo) };
        m.Headers.Add("Idempotency-Key", clave ?? Guid.NewGuid().ToString());
        return m;
    }

    private Task<HttpResponseMessage> DepositoSpeiAsync(string cuerpo)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "api/webhooks/spei") { Content = new StringContent(cuerpo, Encoding.UTF8, "application/json") };
        req.Headers.TryAddWithoutValidation(FirmaSpei.Encabezado,
            FirmaSpei.Generar(Encoding.UTF8.GetBytes(cuerpo), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), HostPagos.SecretoSpei));
        return host.Http.SendAsync(req);
    }

    private async Task<string> ClabeAsync(Guid cliente)
    {
        using var c = ComoCliente(cliente); // the customer reads it where the portal shows it
        return JsonDocument.Parse(await c.GetStringAsync($"api/clientes/{cliente}/estado")).RootElement.GetProperty("clabe").GetString()!;
    }

    /// <summary>Applied, a stamped complement with SAT's payment form, one receipt, the suspended contract active.</summary>
    private async Task AfirmarCicloCompletoAsync(Guid pagoId, Guid factura, Guid contrato, string formaDePagoP)
    {
        await host.EsperarProcesoAsync(pagoId);
        Assert.Equal("aplicado", await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @pagoId", new { pagoId }));
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
        Assert.Equal("timbrado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId }));
        var xml = await host.EscalarAsync<string>("SELECT xml_sellado FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId });
        Assert.Contains($"FormaDePagoP=\"{formaDePagoP}\"", xml);
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM notificaciones WHERE pago_id = @pagoId", new { pagoId }));
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));
    }

    private async Task<string> EsperarAsync(string sql, object p, string esperado)
    {
        string? valor = null;
        for (var i = 0; i < 600 && valor != esperado; i++)
        {
            valor = await host.EscalarAsync<string>(sql, p);
            if (valor != esperado) await Task.Delay(100);
        }
        return valor!;
    }

    [Fact]
    public async Task Tarjeta_de_punta_a_punta_checkout_webhook_firmado_aplicado_complemento_aviso_y_reactivacion()
    {
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var contrato = await DatosPagos.ContratoSuspendidoAsync(host, cliente);
        var uuid = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @factura", new { factura });
        using var c = ComoCliente(cliente);

        // The customer's checkout issues the gateway's payment reference (payment intent); the emulated gateway charges
        // the card and delivers payment_intent.succeeded signed as Stripe signs.
        var r = await c.SendAsync(Post("api/pagos/en-linea", new { facturas = new[] { uuid } }));
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, texto);
        var pago = JsonDocument.Parse(texto).RootElement;
        var pagoId = pago.GetProperty("pagoId").GetGuid();
        var intento = pago.GetProperty("referencia").GetString()!;
        Assert.Equal(1L, await host.EscalarAsync<long>(
            "SELECT count(*) FROM webhook_eventos WHERE gateway = 'emulada' AND aceptado AND cuerpo LIKE '%' || @intento || '%'", new { intento }));

        await AfirmarCicloCompletoAsync(pagoId, factura, contrato, "04");

        // The gateway sends the same payment again under a new event id: 2xx, the payment already recorded, no credit.
        var otra = AdaptadorPasarelaEmulada.CuerpoPagoExitoso($"evt_{Guid.NewGuid():N}", intento, cliente, 654.82m, facturas: [factura]);
        var repetido = JsonDocument.Parse(await (await host.WebhookAsync(otra, HostPagos.Firmar(otra))).Content.ReadAsStringAsync()).RootElement;
        Assert.True(repetido.GetProperty("duplicado").GetBoolean());
        Assert.Equal(pagoId, repetido.GetProperty("pagoId").GetGuid());
        Assert.Equal(654.82m, await host.EscalarAsync<decimal>(
            "SELECT sum(a.monto) FROM pago_aplicaciones a JOIN pagos p ON p.id = a.pago_id WHERE p.cliente_id = @cliente", new { cliente }));
    }

    [Fact]
    public async Task SPEI_de_punta_a_punta_CLABE_deposito_firmado_aplicado_complemento_aviso_y_reactivacion()
    {
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var contrato = await DatosPagos.ContratoSuspendidoAsync(host, cliente);
        var clabe = await ClabeAsync(cliente);
        Assert.True(Clabe.EsValida(clabe), clabe);

        var rastreo = $"MBAN{Guid.NewGuid():N}"[..30].ToUpperInvariant();
        var r = await DepositoSpeiAsync(AdaptadorSpeiEmulado.CuerpoAbono(rastreo, clabe, 654.82m));
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, texto);
        var pagoId = JsonDocument.Parse(texto).RootElement.GetProperty("pagoId").GetGuid();

        // SAT's payment form for an electronic funds transfer is 03.
        await AfirmarCicloCompletoAsync(pagoId, factura, contrato, "03");
    }

    [Fact]
    public async Task El_mismo_SPEI_por_webhook_estado_de_cuenta_y_liquidacion_se_acredita_una_sola_vez()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var factura = await DatosPagos.FacturaAsync(host, cliente, 480m);
        var folio = await host.EscalarAsync<long>("SELECT folio FROM facturas WHERE id = @factura", new { factura });
        var clabe = await ClabeAsync(cliente);
        var rastreo = $"BNET{Guid.NewGuid():N}"[..30].ToUpperInvariant();

        // 1. The aggregator notifies the deposit: a payment, applied.
        var r = await DepositoSpeiAsync(AdaptadorSpeiEmulado.CuerpoAbono(rastreo, clabe, 480m));
        var pagoId = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        await host.EsperarProcesoAsync(pagoId);
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));

        // 2. The next morning's bank statement carries the same transfer (the bank prints the clave de rastreo in the
        //    concept, and the customer even wrote the invoice's folio as the reference): recognised, not paid, not queued.
        var hoy = RelojMexico.Hoy(DateTimeOffset.UtcNow);
        var csv = $"""
            Fecha,Concepto,Referencia,Cargo,Abono,Saldo
            {hoy:dd/MM/yyyy},SPEI RECIBIDO BANORTE /{rastreo.ToLowerInvariant()} JUAN PEREZ,{folio},,480.00,"20,480.00"
            """;
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var importado = JsonDocument.Parse(await (await cobranzas.SendAsync(Post("api/pagos/estados-de-cuenta", new { banco = "banorte", contenido = csv })))
            .Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((1, 0, 0, 1), (importado.GetProperty("abonos").GetInt32(), importado.GetProperty("aplicados").GetInt32(),
            importado.GetProperty("pendientes").GetInt32(), importado.GetProperty("yaRegistrados").GetInt32()));
        Assert.Equal(("ya_registrado", pagoId), (await host.ConsultarAsync<(string, Guid)>(
            "SELECT estado, pago_id FROM movimientos_bancarios WHERE concepto LIKE '%' || lower(@rastreo) || '%'", new { rastreo })).Single());

        // 3. The provider's settlement of the (Mexico) day lists it: a match, and reconciliation never credits.
        var conciliacion = host.Servicios.GetRequiredService<ServicioConciliacion>();
        var resultado = await conciliacion.EjecutarAsync(new ReporteLiquidacion("spei", hoy, [new MovimientoLiquidacion(rastreo, 480m)]), "prueba-doble", CancellationToken.None);
        var vista = Assert.IsType<ResultadoEjecucion.Ejecutada>(resultado).Conciliacion;
        Assert.True(vista.Coincidencias >= 1);
        var hallazgos = JsonSerializer.Serialize((await conciliacion.ObtenerAsync(vista.Id, CancellationToken.None))!.Hallazgos);
        Assert.DoesNotContain(rastreo, hallazgos);

        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE cliente_id = @cliente", new { cliente }));
        Assert.Equal(480m, await host.EscalarAsync<decimal>("SELECT sum(monto) FROM pago_aplicaciones WHERE factura_id = @factura", new { factura }));
        Assert.Equal(0m, await host.EscalarAsync<decimal?>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }) ?? 0m);
    }

    [Fact]
    public async Task Un_reembolso_parcial_con_tarjeta_reemite_el_complemento_por_lo_que_queda_y_el_siguiente_reembolsa_el_resto()
    {
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var intento = $"pi_{Guid.NewGuid():N}";
        var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso($"evt_{Guid.NewGuid():N}", intento, cliente, 654.82m, facturas: [factura]);
        var pagoId = JsonDocument.Parse(await (await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo))).Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        await host.EsperarProcesoAsync(pagoId);
        var uuidOriginal = await host.EscalarAsync<Guid>("SELECT uuid FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId });

        // The gateway refunds 154.82 of it (amount_refunded is the charge's running total, as Stripe's).
        var reembolso = AdaptadorPasarelaEmulada.CuerpoReverso($"evt_{Guid.NewGuid():N}", AdaptadorPasarelaEmulada.TipoReembolso, intento, 154.82m);
        Assert.Equal(HttpStatusCode.OK, (await host.WebhookAsync(reembolso, HostPagos.Firmar(reembolso))).StatusCode);

        Assert.Equal("reembolsado_parcial", await EsperarAsync("SELECT estado FROM pagos WHERE id = @pagoId", new { pagoId }, "reembolsado_parcial"));
        Assert.Equal("cancelado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId }));
        var remanente = await host.EscalarAsync<Guid>("SELECT pago_remanente_id FROM pago_reversos WHERE pago_id = @pagoId", new { pagoId });
        Assert.Equal((500.00m, pagoId), (await host.ConsultarAsync<(decimal, Guid)>("SELECT monto, pago_origen_id FROM pagos WHERE id = @remanente", new { remanente })).Single());
        using (var cobranzas = await host.ClienteAsync("cobranzas"))
        {
            var vista = JsonDocument.Parse(await cobranzas.GetStringAsync($"api/pagos/{pagoId}")).RootElement;
            Assert.Equal(("reembolsado_parcial", remanente), (vista.GetProperty("estado").GetString(), vista.GetProperty("pagoRemanenteId").GetGuid()));
            Assert.Equal(pagoId, JsonDocument.Parse(await cobranzas.GetStringAsync($"api/pagos/{remanente}")).RootElement.GetProperty("pagoOrigenId").GetGuid());
        }
        // What the customer kept is applied again and stamped again (SAT: a complement states money received).
        await host.EsperarProcesoAsync(remanente);
        Assert.Equal(500.00m, await host.EscalarAsync<decimal>("SELECT sum(monto) FROM pago_aplicaciones WHERE factura_id = @factura", new { factura }));
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
        var nuevo = (await host.ConsultarAsync<(string Estado, Guid Uuid, string Xml)>(
            "SELECT estado, uuid, xml_sellado AS Xml FROM complementos_pago WHERE pago_id = @remanente", new { remanente })).Single();
        Assert.Equal("timbrado", nuevo.Estado);
        Assert.NotEqual(uuidOriginal, nuevo.Uuid);
        Assert.Contains("ImpPagado=\"500.00\"", nuevo.Xml);
        Assert.Contains("ImpSaldoInsoluto=\"154.82\"", nuevo.Xml);

        // Later the gateway refunds the rest (running total 654.82): the remainder is reversed for the new 500.00 only.
        var resto = AdaptadorPasarelaEmulada.CuerpoReverso($"evt_{Guid.NewGuid():N}", AdaptadorPasarelaEmulada.TipoReembolso, intento, 654.82m);
        Assert.Equal(HttpStatusCode.OK, (await host.WebhookAsync(resto, HostPagos.Firmar(resto))).StatusCode);
        Assert.Equal("reembolsado", await EsperarAsync("SELECT estado FROM pagos WHERE id = @remanente", new { remanente }, "reembolsado"));
        Assert.Equal(500.00m, await host.EscalarAsync<decimal>("SELECT monto FROM pago_reversos WHERE pago_id = @remanente", new { remanente }));
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM pago_aplicaciones WHERE factura_id = @factura", new { factura }));
        Assert.Equal(0L, await host.EscalarAsync<long>(
            "SELECT count(*) FROM complementos_pago WHERE pago_id IN (@pagoId, @remanente) AND estado <> 'cancelado'", new { pagoId, remanente }));
    }

    [Fact]
    public async Task Efectivo_OXXO_lo_reembolsa_el_operador_por_SPEI_en_parte_y_la_tarjeta_solo_la_pasarela()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var factura = await DatosPagos.FacturaAsync(host, cliente, 300m);
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var emitida = JsonDocument.Parse(await (await cobranzas.SendAsync(Post("api/pagos/referencias", new { clienteId = cliente, monto = 350m })))
            .Content.ReadAsStringAsync()).RootElement;
        var referencia = emitida.GetProperty("referencia").GetString()!;
        var aviso = AdaptadorOxxoEmulado.Cuerpo($"evt_{Guid.NewGuid():N}", AdaptadorOxxoEmulado.TipoPagado, referencia, 350m);
        var req = new HttpRequestMessage(HttpMethod.Post, "api/webhooks/oxxo") { Content = new StringContent(aviso, Encoding.UTF8, "application/json") };
        req.Headers.TryAddWithoutValidation(AdaptadorOxxoEmulado.Encabezado,
            FirmaStripe.Generar(Encoding.UTF8.GetBytes(aviso), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), HostPagos.SecretoOxxo));
        var pagoId = JsonDocument.Parse(await (await host.Http.SendAsync(req)).Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        await host.EsperarProcesoAsync(pagoId);
        Assert.Equal(50m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));

        // Invalid requests name the field; nothing is recorded.
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/pagos/{pagoId}/reembolsos",
            new { monto = 50m, clabeDestino = "032180000118359710", claveRastreo = "DEVOL01" })), HttpStatusCode.BadRequest, "clabeDestino");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/pagos/{pagoId}/reembolsos",
            new { monto = 350.01m, clabeDestino = "032180000118359719", claveRastreo = "DEVOL01" })), HttpStatusCode.BadRequest, "monto");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/pagos/{pagoId}/reembolsos",
            new { monto = 50m, clabeDestino = "032180000118359719", claveRastreo = "DEV OL/01" })), HttpStatusCode.BadRequest, "claveRastreo");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/pagos/{Guid.NewGuid()}/reembolsos",
            new { monto = 50m, clabeDestino = "032180000118359719", claveRastreo = "DEVOL01" })), HttpStatusCode.NotFound);
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM pago_reversos WHERE pago_id = @pagoId", new { pagoId }));

        // The operator sent 100.00 back by SPEI (the aggregator cannot hand cash back) and records it; the same key replays.
        var clave = Guid.NewGuid().ToString();
        var cuerpo = new { monto = 100m, clabeDestino = "032180000118359719", claveRastreo = "DEVOL0112026", nota = "cobro duplicado" };
        var r = await cobranzas.SendAsync(Post($"api/pagos/{pagoId}/reembolsos", cuerpo, clave));
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, texto);
        Assert.Equal(texto, await (await cobranzas.SendAsync(Post($"api/pagos/{pagoId}/reembolsos", cuerpo, clave))).Content.ReadAsStringAsync());
        // Another request for the same payment (another key) is a conflict: one reversal per payment.
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/pagos/{pagoId}/reembolsos", cuerpo)), HttpStatusCode.Conflict);

        Assert.Equal("reembolsado_parcial", await EsperarAsync("SELECT estado FROM pagos WHERE id = @pagoId", new { pagoId }, "reembolsado_parcial"));
        var remanente = await host.EscalarAsync<Guid>("SELECT pago_remanente_id FROM pago_reversos WHERE pago_id = @pagoId AND origen = 'operador'", new { pagoId });
        await host.EsperarProcesoAsync(remanente);
        Assert.Equal(("oxxo", 250m), (await host.ConsultarAsync<(string, decimal)>("SELECT metodo, monto FROM pagos WHERE id = @remanente", new { remanente })).Single());
        // The 300.00 invoice now holds the 250.00 kept; the 50.00 credit the cash had left was reversed with it.
        Assert.Equal(250m, await host.EscalarAsync<decimal>("SELECT sum(monto) FROM pago_aplicaciones WHERE factura_id = @factura", new { factura }));
        Assert.Equal(0m, await host.EscalarAsync<decimal?>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }) ?? 0m);

        // A card payment is refunded at its gateway, never here.
        var intento = $"pi_{Guid.NewGuid():N}";
        var tarjeta = AdaptadorPasarelaEmulada.CuerpoPagoExitoso($"evt_{Guid.NewGuid():N}", intento, cliente, 20m);
        var pagoTarjeta = JsonDocument.Parse(await (await host.WebhookAsync(tarjeta, HostPagos.Firmar(tarjeta))).Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        var problema = await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/pagos/{pagoTarjeta}/reembolsos",
            new { monto = 20m, clabeDestino = "032180000118359719", claveRastreo = "DEVOL02" })), HttpStatusCode.Conflict);
        Assert.Contains("reembolso_por_la_pasarela", problema.GetRawText());
    }
}
