using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Application.Pagos;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Pagos;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>OXXO cash: POST /api/pagos/referencias, the voucher, and the emulated provider's signed order.paid / order.expired.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class ReferenciasOxxoTests(HostPagos host)
{
    private static string Evento() => $"evt_{Guid.NewGuid():N}";

    private static string Firmar(string cuerpo, string secreto = HostPagos.SecretoOxxo, long? t = null) =>
        FirmaStripe.Generar(Encoding.UTF8.GetBytes(cuerpo), t ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(), secreto);

    private Task<HttpResponseMessage> NotificarAsync(string cuerpo, string? firma)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "api/webhooks/oxxo") { Content = new StringContent(cuerpo, Encoding.UTF8, "application/json") };
        if (firma is not null) req.Headers.TryAddWithoutValidation(AdaptadorOxxoEmulado.Encabezado, firma);
        return host.Http.SendAsync(req);
    }

    private static HttpRequestMessage PedirReferencia(object cuerpo, string clave) => new(HttpMethod.Post, "api/pagos/referencias")
    {
        Content = new StringContent(JsonSerializer.Serialize(cuerpo), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        Headers = { { "Idempotency-Key", clave } },
    };

    private async Task<JsonElement> EmitirAsync(object cuerpo, string? usuario = "cobranzas", string? token = null)
    {
        using var http = token is null ? await host.ClienteAsync(usuario!) : new HttpClient { BaseAddress = host.Http.BaseAddress };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var r = await http.SendAsync(PedirReferencia(cuerpo, Guid.NewGuid().ToString()));
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, texto);
        return JsonDocument.Parse(texto).RootElement.Clone();
    }

    [Fact]
    public async Task Referencia_para_una_factura_PPD_pagada_en_OXXO_aplica_emite_complemento_avisa_y_reactiva_el_servicio()
    {
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var contrato = await DatosPagos.ContratoSuspendidoAsync(host, cliente);
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var clave = Guid.NewGuid().ToString();

        var r = await cobranzas.SendAsync(PedirReferencia(new { facturaId = factura }, clave));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var texto = await r.Content.ReadAsStringAsync();
        var emitida = JsonDocument.Parse(texto).RootElement;
        var referencia = emitida.GetProperty("referencia").GetString()!;
        Assert.True(ReferenciaEfectivo.EsValida(referencia), referencia);
        Assert.Equal(654.82m, emitida.GetProperty("monto").GetDecimal());
        Assert.Equal("vigente", emitida.GetProperty("estado").GetString());
        Assert.True(emitida.GetProperty("venceEn").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(2));
        // The same key and body replay the same reference (no second number issued).
        var otra = await cobranzas.SendAsync(PedirReferencia(new { facturaId = factura }, clave));
        Assert.Equal(texto, await otra.Content.ReadAsStringAsync());

        // The printable voucher carries the reference and its barcode, drawn as SVG.
        var comprobante = await cobranzas.GetStringAsync(emitida.GetProperty("comprobante").GetString()!.TrimStart('/'));
        Assert.Contains("<svg", comprobante);
        Assert.Contains(string.Join(' ', referencia.Chunk(4).Select(c => new string(c))), comprobante);

        // The customer pays at the store; the provider notifies it, signed.
        var cuerpo = AdaptadorOxxoEmulado.Cuerpo(Evento(), AdaptadorOxxoEmulado.TipoPagado, referencia, 654.82m);
        var pagado = await NotificarAsync(cuerpo, Firmar(cuerpo));
        var respuesta = await pagado.Content.ReadAsStringAsync();
        Assert.True(pagado.StatusCode == HttpStatusCode.OK, respuesta);
        var pagoId = JsonDocument.Parse(respuesta).RootElement.GetProperty("pagoId").GetGuid();
        Assert.Equal(("pagada", pagoId), (await host.ConsultarAsync<(string, Guid)>(
            "SELECT estado, pago_id FROM referencias_efectivo WHERE referencia = @referencia", new { referencia })).Single());

        await host.EsperarProcesoAsync(pagoId);
        Assert.Equal(("oxxo", "aplicado"), (await host.ConsultarAsync<(string, string)>("SELECT metodo, estado FROM pagos WHERE id = @pagoId", new { pagoId })).Single());
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
        Assert.Equal("timbrado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId }));
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM notificaciones WHERE pago_id = @pagoId", new { pagoId }));
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));
        // SAT's FormaDePagoP for cash is 01.
        var xml = await host.EscalarAsync<string>("SELECT xml_sellado FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId });
        Assert.Contains("FormaDePagoP=\"01\"", xml);

        // The provider retries (same event, new signature) and then sends the payment again under another event id:
        // 2xx both times, one payment.
        var reintento = await NotificarAsync(cuerpo, Firmar(cuerpo));
        Assert.True(JsonDocument.Parse(await reintento.Content.ReadAsStringAsync()).RootElement.GetProperty("duplicado").GetBoolean());
        var otroEvento = AdaptadorOxxoEmulado.Cuerpo(Evento(), AdaptadorOxxoEmulado.TipoPagado, referencia, 654.82m);
        var repetido = JsonDocument.Parse(await (await NotificarAsync(otroEvento, Firmar(otroEvento))).Content.ReadAsStringAsync()).RootElement;
        Assert.True(repetido.GetProperty("duplicado").GetBoolean());
        Assert.Equal(pagoId, repetido.GetProperty("pagoId").GetGuid());
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway = 'oxxo' AND referencia = @referencia", new { referencia }));
    }

    [Fact]
    public async Task El_cliente_pide_su_referencia_por_un_monto_y_el_secreto_anterior_tambien_verifica()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var emitida = await EmitirAsync(new { monto = 250m }, token: host.TokenPara("cliente-oxxo", ["cliente"], clienteId: cliente));
        Assert.Equal(cliente, emitida.GetProperty("clienteId").GetGuid());
        var referencia = emitida.GetProperty("referencia").GetString()!;

        var cuerpo = AdaptadorOxxoEmulado.Cuerpo(Evento(), AdaptadorOxxoEmulado.TipoPagado, referencia, 250m);
        var r = await NotificarAsync(cuerpo, Firmar(cuerpo, HostPagos.SecretoOxxoAnterior));

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var pagoId = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        await host.EsperarProcesoAsync(pagoId);
        Assert.Equal(250m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));
    }

    public static TheoryData<string, string> Alteraciones => new()
    {
        { "byte_cambiado", "firma_invalida" },
        { "secreto_del_proveedor_spei", "firma_invalida" },
        { "vieja_301", "marca_de_tiempo_vencida" },
        { "futura_301", "marca_de_tiempo_futura" },
        { "sin_encabezado", "encabezado_ausente" },
    };

    [Theory]
    [MemberData(nameof(Alteraciones))]
    public async Task Aviso_de_pago_falso_o_vencido_es_400_con_el_encabezado_y_la_referencia_sigue_vigente(string caso, string motivo)
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var referencia = (await EmitirAsync(new { clienteId = cliente, monto = 99.90m })).GetProperty("referencia").GetString()!;
        var cuerpo = AdaptadorOxxoEmulado.Cuerpo(Evento(), AdaptadorOxxoEmulado.TipoPagado, referencia, 99.90m);
        var ahora = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (enviado, firma) = caso switch
        {
            "byte_cambiado" => (cuerpo.Replace("9990", "9999"), Firmar(cuerpo)),
            "secreto_del_proveedor_spei" => (cuerpo, Firmar(cuerpo, HostPagos.SecretoSpei)),
            "vieja_301" => (cuerpo, Firmar(cuerpo, t: ahora - 301)),
            "futura_301" => (cuerpo, Firmar(cuerpo, t: ahora + 301)),
            _ => (cuerpo, (string?)null),
        };
        Assert.NotEqual(cuerpo == enviado, caso == "byte_cambiado");

        await Problemas.AfirmarAsync(await NotificarAsync(enviado, firma), HttpStatusCode.BadRequest, AdaptadorOxxoEmulado.Encabezado);

        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway = 'oxxo' AND referencia = @referencia", new { referencia }));
        Assert.Equal("vigente", await host.EscalarAsync<string>("SELECT estado FROM referencias_efectivo WHERE referencia = @referencia", new { referencia }));
        Assert.Equal(motivo, await host.EscalarAsync<string>(
            "SELECT motivo_rechazo FROM webhook_eventos WHERE gateway = 'oxxo' AND NOT aceptado AND cuerpo = @enviado", new { enviado }));
    }

    [Fact]
    public async Task Aviso_de_vencimiento_cierra_la_referencia_y_el_temporizador_cierra_las_que_vencieron_sin_aviso()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var avisada = (await EmitirAsync(new { clienteId = cliente, monto = 10m })).GetProperty("referencia").GetString()!;
        var callada = (await EmitirAsync(new { clienteId = cliente, monto = 20m })).GetProperty("referencia").GetString()!;

        var cuerpo = AdaptadorOxxoEmulado.Cuerpo(Evento(), AdaptadorOxxoEmulado.TipoVencido, avisada, 10m);
        Assert.Equal(HttpStatusCode.OK, (await NotificarAsync(cuerpo, Firmar(cuerpo))).StatusCode);
        Assert.Equal("vencida", await host.EscalarAsync<string>("SELECT estado FROM referencias_efectivo WHERE referencia = @avisada", new { avisada }));
        // Re-delivered: a duplicate, nothing changes.
        Assert.True(JsonDocument.Parse(await (await NotificarAsync(cuerpo, Firmar(cuerpo))).Content.ReadAsStringAsync()).RootElement.GetProperty("duplicado").GetBoolean());

        await host.EscalarAsync<int>("UPDATE referencias_efectivo SET vence_en = now() - interval '1 minute' WHERE referencia = @callada RETURNING 1", new { callada });
        Assert.True(await host.Servicios.GetRequiredService<ServicioReferenciasEfectivo>().CerrarVencidasAsync(CancellationToken.None) >= 1);
        Assert.Equal("vencida", await host.EscalarAsync<string>("SELECT estado FROM referencias_efectivo WHERE referencia = @callada", new { callada }));
    }

    [Fact]
    public async Task Aviso_de_una_referencia_que_nadie_emitio_es_400_que_la_nombra()
    {
        var huerfana = ReferenciaEfectivo.Construir("9300", 999_999_999);
        var cuerpo = AdaptadorOxxoEmulado.Cuerpo(Evento(), AdaptadorOxxoEmulado.TipoPagado, huerfana, 50m);
        var problema = await Problemas.AfirmarAsync(await NotificarAsync(cuerpo, Firmar(cuerpo)), HttpStatusCode.BadRequest, "data.object.payment_method.reference");
        Assert.Contains("referencia_desconocida", problema.GetRawText());
    }

    [Fact]
    public async Task Solicitudes_invalidas_nombran_el_campo()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        using var cobranzas = await host.ClienteAsync("cobranzas");
        async Task Afirmar(object cuerpo, string campo) =>
            await Problemas.AfirmarAsync(await cobranzas.SendAsync(PedirReferencia(cuerpo, Guid.NewGuid().ToString())), HttpStatusCode.BadRequest, campo);

        await Afirmar(new { clienteId = cliente, monto = 10_000.01m }, "monto");   // over OXXO's limit
        await Afirmar(new { clienteId = cliente, monto = 0m }, "monto");
        await Afirmar(new { clienteId = cliente }, "monto");
        await Afirmar(new { monto = 10m }, "clienteId");
        var factura = await DatosPagos.FacturaAsync(host, cliente, 300m);
        await Afirmar(new { facturaId = factura, monto = 300.01m }, "monto");
        var otro = await DatosPagos.ClienteAsync(host);
        await Afirmar(new { clienteId = otro, facturaId = factura }, "facturaId");
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM referencias_efectivo WHERE cliente_id IN (@cliente, @otro)", new { cliente, otro }));
    }
}
