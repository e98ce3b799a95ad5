using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;
using Telecable.IntegrationTests.Pagos;

namespace Telecable.IntegrationTests.Cobranza;

/// <summary>
/// Issue 18: nobody was reminded of an unpaid invoice and nobody was suspended. An invoice past its grace days gets
/// its reminder and the suspension once (contract suspendido, 'suspender' queued for its router, customer told how to
/// pay); a promise to pay holds the suspension; a payment that covers the debt reactivates and queues 'reactivar'.
/// </summary>
public sealed class CobranzaTests(HostPagos host) : IClassFixture<HostPagos>
{
    private const string HoyMx = "(now() AT TIME ZONE 'America/Mexico_City')::date";

    private async Task<(Guid Cliente, Guid Contrato, Guid Router, Guid Factura)> ClienteConAdeudoAsync(int diasVencida, decimal total = 464m)
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var domicilio = await host.EscalarAsync<Guid>("""
            INSERT INTO domicilios (cliente_id, tipo, calle, numero_exterior, colonia, cp, municipio, estado)
            VALUES (@cliente, 'instalacion', 'Calle de Prueba', '1', 'Centro', '64000', 'Monterrey', 'Nuevo León') RETURNING id
            """, new { cliente });
        var contrato = await host.EscalarAsync<Guid>("""
            INSERT INTO contratos (cliente_id, plan_id, zona_id, domicilio_id, precio_pactado, fecha_inicio, fecha_activacion, estado, dia_corte)
            VALUES (@cliente, (SELECT id FROM planes WHERE tipo = 'internet' ORDER BY id LIMIT 1), (SELECT id FROM zonas ORDER BY id LIMIT 1), @domicilio,
                    400, current_date - 90, current_date - 90, 'activo', 5)
            RETURNING id
            """, new { cliente, domicilio });
        var router = await host.EscalarAsync<Guid>("""
            INSERT INTO routers (serial, modelo, tecnologia_clave, contrato_id, cliente_id, mac)
            VALUES (@serial, 'HG8145V5', (SELECT clave FROM tecnologias ORDER BY clave LIMIT 1), @contrato, @cliente,
                    ('02:00:' || lpad(to_hex((random() * 255)::int), 2, '0') || ':' || lpad(to_hex((random() * 255)::int), 2, '0') || ':'
                     || lpad(to_hex((random() * 255)::int), 2, '0') || ':' || lpad(to_hex((random() * 255)::int), 2, '0'))::macaddr)
            RETURNING id
            """, new { serial = $"COB-{Guid.NewGuid():N}"[..20].ToUpperInvariant(), contrato, cliente });
        var factura = await DatosPagos.FacturaAsync(host, cliente, total, diasParaVencer: 0);
        await host.EscalarAsync<int>($"UPDATE facturas SET contrato_id = @contrato, fecha_vencimiento = {HoyMx} - @diasVencida WHERE id = @factura RETURNING 1",
            new { contrato, factura, diasVencida });
        return (cliente, contrato, router, factura);
    }

    private async Task EvaluarAsync(HttpClient admin, Func<Task<bool>> listo)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/EvaluarCobranza", null)).StatusCode);
        var reloj = Stopwatch.StartNew();
        while (!await listo())
        {
            Assert.True(reloj.Elapsed < TimeSpan.FromSeconds(30), "La cobranza no llegó al estado esperado.");
            await Task.Delay(200);
        }
    }

    private Task<long> Contar(string sql, object p) => host.EscalarAsync<long>(sql, p)!;

    [Fact]
    public async Task Vencida_tras_la_gracia_avisa_y_suspende_una_vez_y_el_pago_reactiva_con_comando_al_router()
    {
        using var admin = await host.ClienteAsync("admin");
        var (cliente, contrato, router, factura) = await ClienteConAdeudoAsync(diasVencida: 10);

        await EvaluarAsync(admin, async () => await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }) == "suspendido");
        Assert.Equal(2, await Contar("SELECT count(*) FROM cobranza_etapas WHERE factura_id = @factura", new { factura }));
        // Only the latest reminder (not three at once) and the suspension notice, each by WhatsApp and e-mail.
        Assert.Equal(4, await Contar("SELECT count(*) FROM notificaciones WHERE cliente_id = @cliente AND plantilla LIKE 'cobranza_%'", new { cliente }));
        Assert.Equal(1, await Contar("SELECT count(*) FROM notificaciones WHERE cliente_id = @cliente AND plantilla = 'cobranza_suspension' AND canal = 'whatsapp' AND cuerpo LIKE '%Paga en línea%'", new { cliente }));
        Assert.Equal(1, await Contar("SELECT count(*) FROM router_comandos WHERE router_id = @router AND tipo = 'suspender'", new { router }));
        Assert.Equal(1, await Contar("SELECT count(*) FROM outbox WHERE tipo = 'ContratoSuspendido' AND agregado_id = @c", new { c = contrato.ToString() }));

        // Again (a retried timer, another host): nothing is sent or suspended twice.
        await EvaluarAsync(admin, () => Task.FromResult(true));
        await Task.Delay(1500);
        Assert.Equal(4, await Contar("SELECT count(*) FROM notificaciones WHERE cliente_id = @cliente AND plantilla LIKE 'cobranza_%'", new { cliente }));
        Assert.Equal(1, await Contar("SELECT count(*) FROM router_comandos WHERE router_id = @router AND tipo = 'suspender'", new { router }));

        var vencidas = JsonDocument.Parse(await admin.GetStringAsync("api/cobranza/vencidas?tamano=200")).RootElement.GetProperty("elementos")
            .EnumerateArray().Single(e => e.GetProperty("facturaId").GetGuid() == factura);
        Assert.Equal(10, vencidas.GetProperty("diasVencida").GetInt32());
        Assert.Equal("suspension", vencidas.GetProperty("etapa").GetString());
        Assert.Equal("suspendido", vencidas.GetProperty("estadoContrato").GetString());

        // The customer pays the debt: the contract is active again and the router gets 'reactivar'.
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var r = await cobranzas.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 464m, metodo = "efectivo", facturas = new[] { factura } }, Guid.NewGuid().ToString()));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        var pago = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        await host.EsperarProcesoAsync(pago);
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));
        Assert.Equal(1, await Contar("SELECT count(*) FROM router_comandos WHERE router_id = @router AND tipo = 'reactivar' AND solicitado_por = 'pago'", new { router }));
    }

    [Fact]
    public async Task Revertir_el_complemento_de_un_pago_reabre_la_cobranza_y_la_evaluacion_vuelve_a_suspender()
    {
        // Issue 17: cancelling a payment's complement un-applies the payment; the invoice it had settled is overdue again,
        // and the contract that payment reactivated must fall back under collections (suspended again past its grace).
        using var admin = await host.ClienteAsync("admin");
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, contrato, router, factura) = await ClienteConAdeudoAsync(diasVencida: 10);
        await host.EscalarAsync<int>("UPDATE facturas SET metodo_pago = 'PPD', forma_pago = '99' WHERE id = @factura RETURNING 1", new { factura });
        Task<string?> EstadoContrato() => host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato });
        await EvaluarAsync(admin, async () => await EstadoContrato() == "suspendido");

        var r = await cobranzas.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 464m, metodo = "efectivo", facturas = new[] { factura } }, Guid.NewGuid().ToString()));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        var pago = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        await host.EsperarProcesoAsync(pago);
        Assert.Equal("activo", await EstadoContrato());
        Assert.Equal("timbrado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pago", new { pago }));

        var rev = await cobranzas.SendAsync(Post($"api/pagos/{pago}/complemento/cancelacion", new { }));
        Assert.True(rev.StatusCode == HttpStatusCode.OK, await rev.Content.ReadAsStringAsync());

        // Balance and status agree: the invoice is stamped and owes its total again, is listed as overdue, and its
        // suspension stage is open again (the reminders already sent stay recorded).
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
        var vencida = JsonDocument.Parse(await admin.GetStringAsync("api/cobranza/vencidas?tamano=200")).RootElement.GetProperty("elementos")
            .EnumerateArray().Single(e => e.GetProperty("facturaId").GetGuid() == factura);
        Assert.Equal((464m, "activo"), (vencida.GetProperty("saldo").GetDecimal(), vencida.GetProperty("estadoContrato").GetString()));
        Assert.Equal("recordatorio_vencida", await host.EscalarAsync<string>("SELECT string_agg(etapa, ',') FROM cobranza_etapas WHERE factura_id = @factura", new { factura }));

        // The next evaluation suspends the contract again and tells its router, once.
        await EvaluarAsync(admin, async () => await EstadoContrato() == "suspendido");
        Assert.Equal(2, await Contar("SELECT count(*) FROM router_comandos WHERE router_id = @router AND tipo = 'suspender'", new { router }));
        Assert.Equal(2, await Contar("SELECT count(*) FROM outbox WHERE tipo = 'ContratoSuspendido' AND agregado_id = @c", new { c = contrato.ToString() }));
        await EvaluarAsync(admin, () => Task.FromResult(true));
        await Task.Delay(1500);
        Assert.Equal(2, await Contar("SELECT count(*) FROM router_comandos WHERE router_id = @router AND tipo = 'suspender'", new { router }));
    }

    [Fact]
    public async Task El_verificador_por_lotes_de_los_hosts_acepta_el_complemento_timbrado_y_rechaza_uno_alterado()
    {
        // The check every test host runs over what it stamped (VerificadorSat.VerificarLoteAsync) must be able to fail.
        var (cliente, _, _, factura) = await ClienteConAdeudoAsync(diasVencida: 1);
        await host.EscalarAsync<int>("UPDATE facturas SET metodo_pago = 'PPD', forma_pago = '99' WHERE id = @factura RETURNING 1", new { factura });
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var r = await cobranzas.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 464m, metodo = "efectivo", facturas = new[] { factura } }, Guid.NewGuid().ToString()));
        var pago = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        await host.EsperarProcesoAsync(pago);
        var xml = await host.EscalarAsync<string>(
            "SELECT t.xml FROM pac_emulado_timbres t JOIN complementos_pago c ON upper(c.uuid::text) = t.uuid WHERE c.pago_id = @pago", new { pago });
        var tfdcerts = Path.Combine(host.CarpetaPac, "tfdcerts");

        var bueno = await Telecable.Pruebas.VerificadorSat.VerificarLoteAsync([("bueno", xml!)], tfdcerts);
        Assert.True(bueno.Correcto, bueno.Salida);
        var alterado = await Telecable.Pruebas.VerificadorSat.VerificarLoteAsync([("alterado", xml!.Replace("ImpPagado=\"464.00\"", "ImpPagado=\"46.40\""))], tfdcerts);
        Assert.False(alterado.Correcto);
        Assert.Contains("FAIL sello alterado", alterado.Salida);
        var sinEsquema = await Telecable.Pruebas.VerificadorSat.VerificarLoteAsync([("rfc", xml!.Replace("Rfc=\"EKU9003173C9\"", "Rfc=\"EKU9013173C9\""))], tfdcerts);
        Assert.Contains("FAIL schema rfc", sinEsquema.Salida);
    }

    [Fact]
    public async Task Una_promesa_de_pago_detiene_la_suspension_y_queda_auditada()
    {
        using var admin = await host.ClienteAsync("admin");
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, contrato, _, factura) = await ClienteConAdeudoAsync(diasVencida: 8);
        var hoy = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeBySystemTimeZoneId(DateTime.UtcNow, "America/Mexico_City"));

        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/clientes/{cliente}/promesas-pago", new { hasta = hoy.AddDays(-1).ToString("yyyy-MM-dd"), motivo = "x" })), HttpStatusCode.BadRequest, "hasta");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/clientes/{cliente}/promesas-pago", new { hasta = hoy.AddDays(40).ToString("yyyy-MM-dd"), motivo = "x" })), HttpStatusCode.BadRequest, "hasta");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/clientes/{cliente}/promesas-pago", new { hasta = hoy.AddDays(3).ToString("yyyy-MM-dd") })), HttpStatusCode.BadRequest, "motivo");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/clientes/{Guid.NewGuid()}/promesas-pago", new { hasta = hoy.AddDays(3).ToString("yyyy-MM-dd"), motivo = "x" })), HttpStatusCode.NotFound);
        var r = await cobranzas.SendAsync(Post($"api/clientes/{cliente}/promesas-pago", new { hasta = hoy.AddDays(3).ToString("yyyy-MM-dd"), motivo = "Paga el viernes con su quincena" }));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);

        await EvaluarAsync(admin, async () => await Contar("SELECT count(*) FROM cobranza_etapas WHERE factura_id = @factura", new { factura }) > 0);
        await Task.Delay(1000);
        Assert.Equal("recordatorio_vencida", await host.EscalarAsync<string>("SELECT string_agg(etapa, ',') FROM cobranza_etapas WHERE factura_id = @factura", new { factura }));
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));
        Assert.Equal(1, await Contar("SELECT count(*) FROM outbox WHERE tipo = 'PromesaPagoRegistrada' AND agregado_id = @c AND datos->>'registradaPor' = 'cobranzas'", new { c = cliente.ToString() }));
    }

    [Fact]
    public async Task Tres_dias_antes_del_vencimiento_llega_el_recordatorio_previo_y_nada_mas()
    {
        using var admin = await host.ClienteAsync("admin");
        var (cliente, contrato, _, factura) = await ClienteConAdeudoAsync(diasVencida: -3);
        await EvaluarAsync(admin, async () => await Contar("SELECT count(*) FROM cobranza_etapas WHERE factura_id = @factura", new { factura }) > 0);
        Assert.Equal("recordatorio_previo", await host.EscalarAsync<string>("SELECT string_agg(etapa, ',') FROM cobranza_etapas WHERE factura_id = @factura", new { factura }));
        Assert.Equal(1, await Contar("SELECT count(*) FROM notificaciones WHERE cliente_id = @cliente AND plantilla = 'cobranza_recordatorio_previo' AND canal = 'email' AND cuerpo LIKE '%vence el%'", new { cliente }));
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));
    }

    /// <summary>Issue 18: "the demo seed includes customers at every stage (current, reminded, suspended, promise-to-pay)".</summary>
    [Fact]
    public async Task La_semilla_demo_tiene_un_cliente_en_cada_etapa()
    {
        const string F = "00000000-0000-0000-0000-00000000f00";
        // c002 current: due in 8 days, nothing sent.
        Assert.Equal(8, await host.EscalarAsync<int>($"SELECT fecha_vencimiento - {HoyMx} FROM facturas WHERE id = '{F}1'"));
        Assert.Equal(0L, await Contar($"SELECT count(*) FROM cobranza_etapas WHERE factura_id = '{F}1'", new { }));
        // c003 reminded: due yesterday, the overdue reminder recorded, still active.
        Assert.Equal("recordatorio_vencida", await host.EscalarAsync<string>($"SELECT string_agg(etapa, ',') FROM cobranza_etapas WHERE factura_id = '{F}2'"));
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = '00000000-0000-0000-0000-00000000b003'"));
        // c005 suspended: 10 days overdue, contract suspended, its router told to suspend.
        Assert.Equal(1L, await Contar($"SELECT count(*) FROM cobranza_etapas WHERE factura_id = '{F}3' AND etapa = 'suspension'", new { }));
        Assert.Equal("suspendido", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = '00000000-0000-0000-0000-00000000b005'"));
        Assert.Equal(1L, await Contar("SELECT count(*) FROM router_comandos WHERE router_id = '00000000-0000-0000-0000-000000007005' AND tipo = 'suspender'", new { }));
        // c009 on a promise to pay: 8 days overdue (past the 5 grace days) and still active because the promise holds it.
        Assert.True(await host.EscalarAsync<bool>($"SELECT hasta > {HoyMx} FROM promesas_pago WHERE cliente_id = '00000000-0000-0000-0000-00000000c009'"));
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = '00000000-0000-0000-0000-00000000b009'"));

        using var cobranzas = await host.ClienteAsync("cobranzas");
        var vencidas = JsonDocument.Parse(await cobranzas.GetStringAsync("api/cobranza/vencidas?tamano=200")).RootElement.GetProperty("elementos")
            .EnumerateArray().ToDictionary(e => e.GetProperty("facturaId").GetGuid().ToString(), e => e);
        Assert.Equal("suspendido", vencidas[$"{F}3"].GetProperty("estadoContrato").GetString());
        Assert.Equal(JsonValueKind.String, vencidas[$"{F}4"].GetProperty("promesaHasta").ValueKind);
        Assert.False(vencidas.ContainsKey($"{F}1"));
    }

    private static HttpRequestMessage Post(string ruta, object cuerpo)
    {
        var m = new HttpRequestMessage(HttpMethod.Post, ruta) { Content = System.Net.Http.Json.JsonContent.Create(cuerpo) };
        m.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return m;
    }
}
