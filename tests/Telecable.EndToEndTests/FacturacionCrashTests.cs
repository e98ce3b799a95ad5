using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Dapper;
using Npgsql;
using Telecable.Domain.Identidad;

namespace Telecable.EndToEndTests;

/// <summary>
/// A billing run of 1,000 contracts on the Azure Storage durable backend, with the host killed (SIGKILL)
/// part way through: after a restart the run ends with exactly 1,000 stamped CFDIs, 1,000 blobs, no
/// duplicate UUID and gap-free folios.
/// </summary>
public sealed class FacturacionCrashTests
{
    private const int Contratos = 1000;

    [Fact]
    public async Task Kill_9_a_mitad_de_una_corrida_de_1000_termina_con_1000_cfdi_1000_blobs_sin_duplicados()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        var hub = $"e2e{Guid.NewGuid():N}"[..16];
        var contenedor = $"crash{Guid.NewGuid():N}"[..20];
        // The emulated PAC's SAT certificate and stamp memory survive the restart, as in the demo (.data/pac-emulado).
        var extra = new Dictionary<string, string> { ["Pac__Carpeta"] = Path.Combine(Path.GetTempPath(), $"pac-{Guid.NewGuid():N}") };
        try
        {
            Guid corrida;
            await using (var primero = new HostProceso("AzureStorage", cs, hub, extra, contenedor))
            {
                await primero.IniciarAsync();
                await PrepararContratosAsync(cs);
                using var admin = await primero.ClienteAsync("admin");
                var req = new HttpRequestMessage(HttpMethod.Post, "api/facturacion/corridas")
                {
                    Content = new StringContent("""{"periodo":"2026-12"}""", Encoding.UTF8, "application/json"),
                };
                req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                var r = await admin.SendAsync(req);
                Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
                corrida = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();

                var limite = DateTime.UtcNow.AddSeconds(180);
                while (await Timbradas(cs, corrida) < Contratos / 4)
                {
                    Assert.True(DateTime.UtcNow < limite, "La corrida no avanzó antes del kill");
                    await Task.Delay(50);
                }
                primero.Matar();
            }
            var antes = await Timbradas(cs, corrida);
            Assert.InRange(antes, Contratos / 4, Contratos - 1); // killed part way, not after the end

            await using var segundo = new HostProceso("AzureStorage", cs, hub, extra, contenedor);
            await segundo.IniciarAsync(segundos: 240);
            using var admin2 = await segundo.ClienteAsync("admin");
            var fin = DateTime.UtcNow.AddSeconds(300);
            while (true)
            {
                var p = JsonDocument.Parse(await admin2.GetStringAsync($"api/facturacion/corridas/{corrida}")).RootElement;
                if (p.GetProperty("pendientes").GetInt32() == 0 && p.GetProperty("estado").GetString() != "en_proceso") break;
                Assert.True(DateTime.UtcNow < fin, $"La corrida no terminó tras el reinicio: {p}");
                await Task.Delay(500);
            }

            await using var cn = new NpgsqlConnection(cs);
            var f = await cn.QuerySingleAsync<(long Total, long Uuids, long Folios, long Minimo, long Maximo, long SinBlob)>("""
                SELECT count(*), count(DISTINCT uuid), count(DISTINCT (serie, folio)), min(folio), max(folio), count(*) FILTER (WHERE xml_blob IS NULL)
                  FROM facturas WHERE corrida_id = @corrida AND estado = 'timbrada'
                """, new { corrida });
            Assert.Equal(Contratos, f.Total);
            Assert.Equal(Contratos, f.Uuids);
            Assert.Equal(Contratos, f.Folios);
            Assert.Equal(Contratos - 1, f.Maximo - f.Minimo); // gap-free
            Assert.Equal(0, f.SinBlob);
            Assert.Equal(0, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM facturas WHERE corrida_id = @corrida AND estado <> 'timbrada'", new { corrida }));
            // Every stamp the PAC issued belongs to an invoice: no CFDI was stamped twice.
            Assert.Equal(Contratos, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));

            var blobs = 0;
            await foreach (var _ in new BlobContainerClient(Servicios.Azurite, contenedor).GetBlobsAsync()) blobs++;
            Assert.Equal(Contratos, blobs);
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }

    private static Task<long> Timbradas(string cs, Guid corrida) =>
        Servicios.EscalarAsync<long>(cs, "SELECT count(*) FROM facturas WHERE corrida_id = @corrida AND estado = 'timbrada'", new { corrida })!;

    /// <summary>1,000 active contracts with valid fiscal data; the demo's own contracts are set aside.</summary>
    private static async Task PrepararContratosAsync(string cs)
    {
        await using var cn = new NpgsqlConnection(cs);
        await cn.ExecuteAsync("UPDATE contratos SET estado = 'suspendido' WHERE estado = 'activo'");
        var r = new Random(7);
        var rfcs = new HashSet<string>();
        const string alfabeto = "ABCDEFGHJKLMNPQRSTUVWXYZ123456789";
        while (rfcs.Count < Contratos)
        {
            var sinDigito = $"CAKE{new DateOnly(1950, 1, 1).AddDays(r.Next(0, 20000)):yyMMdd}{alfabeto[r.Next(alfabeto.Length)]}{alfabeto[r.Next(alfabeto.Length)]}";
            var rfc = sinDigito + Rfc.CalcularDigitoVerificador(sinDigito);
            if (Rfc.Validar(rfc).EsValido) rfcs.Add(rfc);
        }
        var filas = rfcs.Select((rfc, i) => (rfc, i, cliente: Guid.NewGuid(), domicilio: Guid.NewGuid(), contrato: Guid.NewGuid())).ToList();
        await cn.ExecuteAsync("""
            INSERT INTO clientes (id, tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal, zona_id)
            SELECT x.cliente, 'fisica', 'CLIENTE PRUEBA ' || x.i, x.rfc, lower(x.rfc) || '@example.com', '+5281' || (10000000 + x.i), '612', 'G03', '64000',
                   '00000000-0000-0000-0000-000000001001'
            FROM unnest(@clientes, @rfcs, @is) AS x(cliente, rfc, i);
            INSERT INTO domicilios (id, cliente_id, tipo, calle, numero_exterior, colonia, cp, municipio, estado)
            SELECT x.domicilio, x.cliente, 'instalacion', 'Av. Constitución', '100', 'Centro', '64000', 'Monterrey', 'Nuevo León'
            FROM unnest(@clientes, @domicilios) AS x(cliente, domicilio);
            INSERT INTO contratos (id, cliente_id, plan_id, combo_id, zona_id, domicilio_id, precio_pactado, fecha_inicio, fecha_activacion, estado, dia_corte)
            SELECT x.contrato, x.cliente,
                   CASE WHEN x.i % 3 = 0 THEN '00000000-0000-0000-0000-000000002002'::uuid END,
                   CASE x.i % 3 WHEN 1 THEN '00000000-0000-0000-0000-000000003001'::uuid WHEN 2 THEN '00000000-0000-0000-0000-000000003002'::uuid END,
                   '00000000-0000-0000-0000-000000001001', x.domicilio, CASE x.i % 3 WHEN 0 THEN 430 WHEN 1 THEN 560 ELSE 900 END,
                   '2025-12-01', '2025-12-02', 'activo', 1
            FROM unnest(@clientes, @domicilios, @contratos, @is) AS x(cliente, domicilio, contrato, i);
            """, new
        {
            clientes = filas.Select(f => f.cliente).ToArray(), rfcs = filas.Select(f => f.rfc).ToArray(), @is = filas.Select(f => f.i).ToArray(),
            domicilios = filas.Select(f => f.domicilio).ToArray(), contratos = filas.Select(f => f.contrato).ToArray(),
        });
    }
}
