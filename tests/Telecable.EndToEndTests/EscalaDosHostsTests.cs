using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Dapper;
using Npgsql;

namespace Telecable.EndToEndTests;

/// <summary>
/// Issue 24: two local host processes on one Azurite task hub and one database, as two Functions instances in Azure. A
/// billing run, a sign-up and a payment saga are under way when the second host is killed (SIGKILL); the first takes over
/// its partitions and messages, and each effect happens exactly once: every CFDI stamped once (one PAC stamp, one blob,
/// one event each), one customer, contract and ticket for the sign-up, the payment applied once.
/// </summary>
public sealed class EscalaDosHostsTests
{
    private const int Contratos = 200;

    [Fact]
    public async Task Con_un_host_muerto_a_mitad_la_corrida_el_alta_y_el_pago_terminan_una_vez_cada_uno()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        var hub = $"e2e{Guid.NewGuid():N}"[..16];
        var contenedor = $"dos{Guid.NewGuid():N}"[..20];
        // One emulated PAC (its certificate and stamp memory) for both hosts, as one PAC serves every instance in Azure.
        var extra = new Dictionary<string, string> { ["Pac__Carpeta"] = Path.Combine(Path.GetTempPath(), $"pac-{Guid.NewGuid():N}") };
        try
        {
            await using var a = new HostProceso("AzureStorage", cs, hub, extra, contenedor);
            await a.IniciarAsync();
            await using var b = new HostProceso("AzureStorage", cs, hub, extra, contenedor);
            await b.IniciarAsync();
            await using (var conexion = new NpgsqlConnection(cs)) await ContratosMasivos.InsertarAsync(conexion, Contratos, "CADH", "CLIENTE DOS HOSTS", 13);
            var (cliente, factura) = await ClienteConFacturaAsync(cs);
            using var admin = await a.ClienteAsync("admin");

            var (corrida, _) = await Flujos.IniciarCorridaAsync(admin, "2026-12", $"e2e-dos-{Guid.NewGuid():N}");
            var limite = DateTime.UtcNow.AddSeconds(180);
            while (await Servicios.EscalarAsync<long>(cs, "SELECT count(*) FROM facturas WHERE corrida_id = @corrida AND uuid IS NOT NULL", new { corrida }) < Contratos / 4)
            {
                Assert.True(DateTime.UtcNow < limite, "La corrida no avanzó antes del kill");
                await Task.Delay(50);
            }
            var (alta, _) = await Flujos.IniciarAltaAsync(a.Http, $"e2e-dos-alta-{Guid.NewGuid():N}");
            var referencia = $"pi_dos_{Guid.NewGuid():N}";
            await PagarAsync(a, cliente, factura, referencia);
            b.Matar(); // mid-way: the run is stamping, the sign-up and the payment sagas were just started

            var fin = await Flujos.EsperarCorridaAsync(admin, corrida, segundos: 420);
            Assert.Equal("completada", fin.GetProperty("estado").GetString());
            var estadoAlta = await Flujos.EsperarAltaAsync(a.Http, alta, segundos: 240);
            Assert.Equal("completada", estadoAlta.GetProperty("estado").GetString());
            var pago = await EsperarPagoAplicadoAsync(cs, referencia);

            await using var cn = new NpgsqlConnection(cs);
            var f = await cn.QuerySingleAsync<(long Total, long Uuids, long SinBlob)>("""
                SELECT count(*), count(DISTINCT uuid), count(*) FILTER (WHERE xml_blob IS NULL) FROM facturas WHERE corrida_id = @corrida AND estado = 'timbrada'
                """, new { corrida });
            Assert.Equal((Contratos, Contratos, 0L), (f.Total, f.Uuids, f.SinBlob));
            // Every stamp the PAC issued belongs to one invoice of the run (the payment is PUE: no complement).
            Assert.Equal(Contratos, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));
            Assert.Equal(0L, await cn.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM (SELECT agregado_id FROM outbox WHERE tipo = 'FacturaTimbrada' GROUP BY agregado_id HAVING count(*) > 1) x"));
            var blobs = 0;
            await foreach (var _ in new BlobContainerClient(Servicios.Azurite, contenedor).GetBlobsAsync()) blobs++;
            Assert.Equal(Contratos, blobs);

            var rfc = await cn.ExecuteScalarAsync<string>("SELECT solicitud->'cliente'->>'rfc' FROM altas WHERE id = @alta", new { alta });
            Assert.Equal(1L, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM clientes WHERE rfc = @rfc", new { rfc }));
            Assert.Equal(1L, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM contratos k JOIN clientes c ON c.id = k.cliente_id WHERE c.rfc = @rfc", new { rfc }));
            Assert.Equal(1L, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM tickets t JOIN clientes c ON c.id = t.cliente_id WHERE c.rfc = @rfc", new { rfc }));

            Assert.Equal(1L, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM pago_aplicaciones WHERE pago_id = @pago", new { pago }));
            Assert.Equal(1L, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'PagoAplicado' AND agregado_id = @p", new { p = pago.ToString() }));
            Assert.Equal(0L, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM movimientos_saldo WHERE pago_id = @pago", new { pago }));
            Assert.Equal("pagada", await cn.ExecuteScalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
            // SAT's checks over every CFDI stamped by either host run when host A is disposed (HostProceso.DisposeAsync).
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
            await Servicios.BorrarContenedorAsync(contenedor);
        }
    }

    /// <summary>
    /// Two hosts on one task hub split its control-queue partitions between them. Every local host called itself by the
    /// machine's name in the partition table, so each believed it owned all four partitions and ran every orchestration
    /// episode the others ran ("split brain", discarded histories, activity messages dequeued twice): an Azure instance
    /// has a name of its own, and so must each local host process.
    /// </summary>
    [Fact]
    public async Task Dos_hosts_en_un_task_hub_se_reparten_las_particiones_con_nombres_distintos()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        var hub = $"e2e{Guid.NewGuid():N}"[..16];
        try
        {
            await using var a = new HostProceso("AzureStorage", cs, hub);
            await a.IniciarAsync();
            await using var b = new HostProceso("AzureStorage", cs, hub);
            await b.IniciarAsync();
            var particiones = new Azure.Data.Tables.TableClient(Servicios.Azurite, $"{hub}Partitions");
            var limite = DateTime.UtcNow.AddSeconds(90);
            List<string> duenos;
            do
            {
                await Task.Delay(1_000);
                duenos = [];
                await foreach (var p in particiones.QueryAsync<Azure.Data.Tables.TableEntity>())
                    duenos.Add(p.GetString("CurrentOwner") ?? "");
            }
            // A partition between owners reads "" for a moment: wait for all four owned and split.
            while ((duenos.Contains("") || duenos.Distinct().Count() < 2) && DateTime.UtcNow < limite);

            Assert.Equal(4, duenos.Count);
            Assert.Equal(2, duenos.Distinct().Count());
            Assert.DoesNotContain("", duenos);
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }

    /// <summary>A customer with one stamped PUE invoice of 116.00 (IVA included).</summary>
    private static async Task<(Guid Cliente, Guid Factura)> ClienteConFacturaAsync(string cs)
    {
        var cliente = await Servicios.EscalarAsync<Guid>(cs, """
            INSERT INTO clientes (tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal)
            VALUES ('fisica', 'CLIENTE PAGO DOS HOSTS', 'PADH800101AB3', 'dos.hosts@example.com', '+528112345678', '612', 'G03', '64349') RETURNING id
            """);
        var factura = await Servicios.EscalarAsync<Guid>(cs, """
            INSERT INTO facturas (uuid, serie, folio, cliente_id, subtotal, iva, total, metodo_pago, forma_pago, uso_cfdi, estado, fecha_emision, fecha_vencimiento, timbrada_en)
            VALUES (gen_random_uuid(), 'A', 990000001, @cliente, 100.00, 16.00, 116.00, 'PUE', '03', 'G03', 'timbrada', now(), current_date + 10, now()) RETURNING id
            """, new { cliente });
        return (cliente, factura);
    }

    /// <summary>The gateway's webhook for the invoice, signed as Stripe signs; the IniciarPagosConfirmados timer starts its saga.</summary>
    private static async Task PagarAsync(HostProceso host, Guid cliente, Guid factura, string referencia)
    {
        await host.PagarConTarjetaAsync($"evt_dos_{Guid.NewGuid():N}", referencia, cliente, factura, 116.00m);
    }

    private static async Task<Guid> EsperarPagoAplicadoAsync(string cs, string referencia)
    {
        var limite = DateTime.UtcNow.AddSeconds(240);
        while (true)
        {
            var p = await Servicios.EscalarAsync<Guid?>(cs, "SELECT id FROM pagos WHERE (gateway_pago_id = @referencia OR referencia = @referencia) AND estado = 'aplicado'", new { referencia });
            if (p is { } id) return id;
            Assert.True(DateTime.UtcNow < limite, "El pago no quedó aplicado en 240 s");
            await Task.Delay(250);
        }
    }
}
