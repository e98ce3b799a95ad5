using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Application.Facturacion;
using Telecable.IntegrationTests.Pagos;

namespace Telecable.IntegrationTests.Facturacion;

/// <summary>SLA credits: an outage longer than the plan's threshold earns a credit note for its share of the month against the
/// period's invoice, exactly once; a shorter one earns nothing; the customer sees both in the portal's API.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class CreditosSlaTests(HostPagos host)
{
    [Fact]
    public async Task Una_caida_mayor_al_umbral_genera_una_nota_de_credito_y_una_menor_no()
    {
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var contrato = await DatosPagos.ContratoSuspendidoAsync(host, cliente);
        // A period no other test bills; the plan's rule: more than 4 h, credit = hours / hours of the month.
        var periodo = new DateTime(2026, 10, 1);
        await host.EscalarAsync<int>("""
            UPDATE planes SET sla_umbral_horas = 4, sla_factor = 1 WHERE id = (SELECT plan_id FROM contratos WHERE id = @contrato);
            UPDATE facturas SET contrato_id = @contrato, periodo = @periodo WHERE id = @factura;
            SELECT 1
            """, new { contrato, periodo, factura });
        var router = await host.EscalarAsync<Guid>("""
            INSERT INTO routers (serial, modelo, tecnologia_clave, contrato_id, cliente_id, mac)
            VALUES (@serial, 'ONT-SLA', (SELECT clave FROM tecnologias ORDER BY clave LIMIT 1), @contrato, @cliente, @mac::macaddr) RETURNING id
            """, new { serial = $"SLA-{Guid.NewGuid():N}"[..20].ToUpperInvariant(), contrato, cliente,
                mac = string.Join(':', Enumerable.Range(0, 6).Select(i => Random.Shared.Next(0, 256).ToString("x2", System.Globalization.CultureInfo.InvariantCulture))) });
        // 10 h (earns 10 / 744 of the month) and 2 h (below the threshold), both in October in Mexico City time.
        var larga = await Desconexion(router, "2026-10-10T12:00:00Z", "2026-10-10T22:00:00Z");
        var corta = await Desconexion(router, "2026-10-12T12:00:00Z", "2026-10-12T14:00:00Z");

        var servicio = host.Servicios.GetRequiredService<IServicioCreditosSla>();
        var r = await servicio.ProcesarAsync("prueba-sla", CancellationToken.None);
        Assert.True(r.Emitidas >= 1, r.ToString());

        var (estadoLarga, fraccion, monto, nota) = await Fila(larga);
        Assert.Equal(("emitido", 0.013441m, 8.80m), (estadoLarga, fraccion, monto!.Value));
        Assert.Equal(("no_aplica", (Guid?)null), ((await Fila(corta)).Estado, (await Fila(corta)).Nota));
        var n = (await host.ConsultarAsync<(string Origen, decimal Total, Guid FacturaId, string Tipo, Guid Uuid)>(
            "SELECT origen, total, factura_id, tipo_relacion, uuid FROM notas_credito WHERE id = @nota", new { nota })).Single();
        Assert.Equal(("sla", factura, "01"), (n.Origen, n.FacturaId, n.Tipo));
        Assert.InRange(n.Total, 8.78m, 8.80m);
        Assert.Equal(n.Total, await host.EscalarAsync<decimal>("SELECT acreditado FROM facturas WHERE id = @factura", new { factura }));

        // Again: nothing new (each outage once, each credit's note once).
        await servicio.ProcesarAsync("prueba-sla-2", CancellationToken.None);
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM notas_credito WHERE factura_id = @factura", new { factura }));
        Assert.Equal(2L, await host.EscalarAsync<long>("SELECT count(*) FROM creditos_sla WHERE contrato_id = @contrato", new { contrato }));

        // The customer sees both, the earned one with its credit note; nobody else's.
        var req = new HttpRequestMessage(HttpMethod.Get, $"api/facturacion/creditos-sla?clienteId={Guid.NewGuid()}");
        req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", host.TokenPara("dueno-sla", ["cliente"], clienteId: cliente));
        var resp = await host.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        var pagina = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, pagina.GetProperty("total").GetInt32());
        var ganada = pagina.GetProperty("elementos").EnumerateArray().Single(e => e.GetProperty("estado").GetString() == "emitido");
        Assert.Equal((n.Uuid, "2026-10", 10.00m), (ganada.GetProperty("notaCreditoUuid").GetGuid(), ganada.GetProperty("periodo").GetString(), ganada.GetProperty("horas").GetDecimal()));

        using var cobranzas = await host.ClienteAsync("cobranzas");
        var xml = await (await cobranzas.GetAsync($"api/facturacion/notas-credito/{n.Uuid}/xml")).Content.ReadAsStringAsync();
        var (codigo, salida) = await host.VerificarSatAsync([xml]);
        Assert.True(codigo == 0, salida);
    }

    private Task<Guid> Desconexion(Guid router, string desde, string hasta) => host.EscalarAsync<Guid>("""
        INSERT INTO router_desconexiones (router_id, ultimo_reporte, detectada_en, terminada_en)
        VALUES (@router, @desde::timestamptz, @desde::timestamptz + interval '30 seconds', @hasta::timestamptz) RETURNING id
        """, new { router, desde, hasta });

    private async Task<(string Estado, decimal Fraccion, decimal? Monto, Guid? Nota)> Fila(Guid desconexion) =>
        (await host.ConsultarAsync<(string, decimal, decimal?, Guid?)>(
            "SELECT estado, fraccion, monto, nota_credito_id FROM creditos_sla WHERE desconexion_id = @desconexion", new { desconexion })).Single();
}
