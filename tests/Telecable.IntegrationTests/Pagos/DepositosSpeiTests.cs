using System.Net;
using System.Text;
using System.Text.Json;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Pagos;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>POST /api/webhooks/spei: the emulated SPEI provider's deposit notices, signed with X-Spei-Firma.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class DepositosSpeiTests(HostPagos host)
{
    private static string Rastreo() => $"MBAN{Guid.NewGuid():N}"[..30];

    private static string Firmar(string cuerpo, string secreto = HostPagos.SecretoSpei, long? t = null) =>
        FirmaSpei.Generar(Encoding.UTF8.GetBytes(cuerpo), t ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(), secreto);

    private Task<HttpResponseMessage> DepositoAsync(string cuerpo, string? firma)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "api/webhooks/spei") { Content = new StringContent(cuerpo, Encoding.UTF8, "application/json") };
        if (firma is not null) req.Headers.TryAddWithoutValidation(FirmaSpei.Encabezado, firma);
        return host.Http.SendAsync(req);
    }

    /// <summary>A customer with its CLABE issued (the way the portal gets it: its state).</summary>
    private async Task<(Guid Cliente, string Clabe)> ClienteConClabeAsync()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        using var soporte = await host.ClienteAsync("soporte");
        var r = await soporte.GetAsync($"api/clientes/{cliente}/estado");
        r.EnsureSuccessStatusCode();
        return (cliente, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("clabe").GetString()!);
    }

    private Task<long> PagosAsync(string rastreo) =>
        host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway = 'spei' AND referencia = @rastreo", new { rastreo });

    [Fact]
    public async Task Un_deposito_a_la_CLABE_del_cliente_paga_su_factura_mas_antigua_y_reenviado_no_acredita_dos_veces()
    {
        var (cliente, clabe) = await ClienteConClabeAsync();
        var antigua = await DatosPagos.FacturaAsync(host, cliente, 300m, diasParaVencer: -20);
        var reciente = await DatosPagos.FacturaAsync(host, cliente, 300m, diasParaVencer: 10);
        var rastreo = Rastreo();
        var cuerpo = AdaptadorSpeiEmulado.CuerpoAbono(rastreo, clabe, 300m);

        var r = await DepositoAsync(cuerpo, Firmar(cuerpo));

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var pagoId = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        Assert.Equal((cliente, "spei", "confirmado"), (await host.ConsultarAsync<(Guid, string, string)>(
            "SELECT cliente_id, metodo, estado FROM pagos WHERE id = @pagoId", new { pagoId })).Single());
        // The IniciarPagosConfirmados timer starts ProcesarPago, which applies it to the oldest open invoice.
        await host.EsperarProcesoAsync(pagoId);
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @antigua", new { antigua }));
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @reciente", new { reciente }));

        // The provider re-sends the notice (new timestamp, same claveRastreo): 2xx, nothing new.
        var otra = await DepositoAsync(cuerpo, Firmar(cuerpo));
        Assert.Equal(HttpStatusCode.OK, otra.StatusCode);
        Assert.True(JsonDocument.Parse(await otra.Content.ReadAsStringAsync()).RootElement.GetProperty("duplicado").GetBoolean());
        Assert.Equal(1, await PagosAsync(rastreo));
        Assert.Equal(300m, await host.EscalarAsync<decimal>("SELECT coalesce(sum(monto), 0) FROM pago_aplicaciones WHERE pago_id = @pagoId", new { pagoId }));
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @reciente", new { reciente }));
    }

    public static TheoryData<string, string> Alteraciones => new()
    {
        { "byte_cambiado", "firma_invalida" },
        { "secreto_de_la_pasarela_de_tarjetas", "firma_invalida" },
        { "vieja_301", "marca_de_tiempo_vencida" },
        { "futura_301", "marca_de_tiempo_futura" },
        { "sin_encabezado", "encabezado_ausente" },
    };

    [Theory]
    [MemberData(nameof(Alteraciones))]
    public async Task Firma_falsa_o_vencida_recibe_400_con_el_encabezado_y_no_crea_pago(string caso, string motivo)
    {
        var (_, clabe) = await ClienteConClabeAsync();
        var rastreo = Rastreo();
        var cuerpo = AdaptadorSpeiEmulado.CuerpoAbono(rastreo, clabe, 150m);
        var (enviado, firma) = caso switch
        {
            "byte_cambiado" => (cuerpo.Replace("150", "950"), Firmar(cuerpo)),
            "secreto_de_la_pasarela_de_tarjetas" => (cuerpo, Firmar(cuerpo, HostPagos.SecretoActual)),
            "vieja_301" => (cuerpo, Firmar(cuerpo, t: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 301)),
            "futura_301" => (cuerpo, Firmar(cuerpo, t: DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 301)),
            _ => (cuerpo, (string?)null),
        };
        Assert.NotEqual(cuerpo == enviado, caso == "byte_cambiado");

        await Problemas.AfirmarAsync(await DepositoAsync(enviado, firma), HttpStatusCode.BadRequest, FirmaSpei.Encabezado);

        Assert.Equal(0, await PagosAsync(rastreo));
        Assert.Equal(motivo, await host.EscalarAsync<string>(
            "SELECT motivo_rechazo FROM webhook_eventos WHERE gateway = 'spei' AND NOT aceptado AND cuerpo = @enviado", new { enviado }));
    }

    [Fact]
    public async Task Deposito_a_una_CLABE_que_no_es_de_ningun_cliente_es_un_problema_que_la_nombra()
    {
        var huerfana = Clabe.Construir("6461801234", 9_999_999); // valid, never issued by these tests' sequence
        var rastreo = Rastreo();
        var cuerpo = AdaptadorSpeiEmulado.CuerpoAbono(rastreo, huerfana, 80m);

        var problema = await Problemas.AfirmarAsync(await DepositoAsync(cuerpo, Firmar(cuerpo)), HttpStatusCode.BadRequest, "clabeBeneficiario");

        Assert.Contains("clabe_desconocida", problema.GetRawText());
        Assert.Equal(0, await PagosAsync(rastreo));
        Assert.Equal("clabe_desconocida", await host.EscalarAsync<string>(
            "SELECT motivo_rechazo FROM webhook_eventos WHERE gateway = 'spei' AND evento_id = @rastreo", new { rastreo }));
    }
}
