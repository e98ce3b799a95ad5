using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Telecable.Domain.Identidad;

namespace Telecable.EndToEndTests;

/// <summary>
/// The AltaCliente saga fails at its last step and the host is killed (SIGKILL) while it compensates,
/// on the Azure Storage backend: after a restart the earlier steps are each compensated exactly once,
/// in reverse order (ticket, contract, customer).
/// </summary>
public sealed class AltaCompensacionCrashTests
{
    [Fact]
    public async Task Kill_9_durante_la_compensacion_compensa_cada_paso_una_vez_en_orden_inverso()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        var hub = $"e2e{Guid.NewGuid():N}"[..16];
        var extra = new Dictionary<string, string>
        {
            ["Pruebas__InyectarFallas"] = "true",
            ["Altas__FallarEnPaso"] = "notificacion",
            ["Altas__PausaCompensacionMs"] = "1500",
        };
        try
        {
            string id;
            await using (var primero = new HostProceso("AzureStorage", cs, hub, extra))
            {
                await primero.IniciarAsync();
                var req = new HttpRequestMessage(HttpMethod.Post, "api/altas") { Content = JsonContent.Create(Solicitud()) };
                req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                var r = await primero.Http.SendAsync(req);
                Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
                id = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

                // Kill once the first compensation is recorded, while the next one is in progress.
                var limite = DateTime.UtcNow.AddSeconds(120);
                while (await Servicios.EscalarAsync<long>(cs, "SELECT count(*) FROM altas_compensaciones WHERE alta_id = @id", new { id }) < 1)
                {
                    Assert.True(DateTime.UtcNow < limite, "La saga no empezó a compensar");
                    await Task.Delay(50);
                }
                primero.Matar();
            }
            Assert.Equal("compensando", await Servicios.EscalarAsync<string>(cs, "SELECT estado FROM altas WHERE id = @id", new { id }));

            await using var segundo = new HostProceso("AzureStorage", cs, hub, extra);
            await segundo.IniciarAsync(segundos: 240);
            var fin = DateTime.UtcNow.AddSeconds(180);
            JsonElement estado;
            while (true)
            {
                estado = JsonDocument.Parse(await segundo.Http.GetStringAsync($"api/altas/{id}")).RootElement.Clone();
                if (estado.GetProperty("estado").GetString() == "fallida") break;
                Assert.True(DateTime.UtcNow < fin, $"La saga no terminó tras el reinicio: {estado}");
                await Task.Delay(300);
            }

            await using var cn = new NpgsqlConnection(cs);
            var pasos = (await cn.QueryAsync<string>("SELECT paso FROM altas_compensaciones WHERE alta_id = @id ORDER BY seq", new { id })).ToList();
            Assert.Equal(["ticket", "contrato", "cliente"], pasos);
            var a = await cn.QuerySingleAsync<(Guid Cliente, Guid Contrato, Guid Ticket)>("SELECT cliente_id, contrato_id, ticket_id FROM altas WHERE id = @id", new { id });
            Assert.Equal("cancelado", await cn.ExecuteScalarAsync<string>("SELECT estado FROM contratos WHERE id = @c", new { c = a.Contrato }));
            Assert.Equal("cancelado", await cn.ExecuteScalarAsync<string>("SELECT estado FROM tickets WHERE id = @t", new { t = a.Ticket }));
            Assert.Equal("baja", await cn.ExecuteScalarAsync<string>("SELECT estado FROM clientes WHERE id = @c", new { c = a.Cliente }));
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }

    private static object Solicitud()
    {
        var r = new Random();
        const string alfabeto = "ABCDEFGHJKLMNPQRSTUVWXYZ123456789";
        string rfc;
        do
        {
            var sinDigito = $"LUMA{new DateOnly(1960, 1, 1).AddDays(r.Next(0, 15000)):yyMMdd}{alfabeto[r.Next(alfabeto.Length)]}{alfabeto[r.Next(alfabeto.Length)]}";
            rfc = sinDigito + Rfc.CalcularDigitoVerificador(sinDigito);
        } while (!Rfc.Validar(rfc).EsValido);
        return new
        {
            cliente = new
            {
                nombre = "LUCÍA MARTÍNEZ GARZA", rfc, email = $"lucia.{Guid.NewGuid():N}@example.com", telefono = "81 1234 5678",
                regimenFiscal = "612", usoCfdi = "G03", cpFiscal = "64000",
                domicilio = new { calle = "Av. Constitución", numeroExterior = "100", colonia = "Monterrey Centro", cp = "64000", referencias = "Portón negro" },
                consentimiento = new { avisoPrivacidadVersion = "2026-01", aceptaMarketing = false, origen = "portal_cliente" },
            },
            planId = "00000000-0000-0000-0000-000000002002",
            franjaHoraria = "vespertina",
        };
    }
}
