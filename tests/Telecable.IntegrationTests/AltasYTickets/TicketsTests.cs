using System.Net;
using System.Net.Http.Json;
using Telecable.IntegrationTests.Clientes;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.AltasYTickets;

[Collection(ColeccionAltas.Nombre)]
public sealed class TicketsTests(HostAltas host)
{
    private const string ContratoDemo = "00000000-0000-0000-0000-00000000b001";   // demo customer c001
    private const string TicketDemoSoporte = "00000000-0000-0000-0000-000000008009"; // c001, technician e001, asignado

    private const string ZonaCentro = "00000000-0000-0000-0000-000000001001";    // CP 64000: technicians e001, e002, e008
    private const string ZonaGuadalupe = "00000000-0000-0000-0000-000000001004"; // CP 67100: technicians e003, e010 (none in common)

    private async Task<(string ClienteId, string ContratoId)> ContratoNuevoAsync(HttpClient admin, string cp = "64000")
    {
        var cliente = await Datos.CrearAsync(admin, Datos.Cliente(cp: cp));
        var r = await admin.SendAsync(Datos.Post($"api/clientes/{cliente}/contratos", new { planId = Datos.Fibra300 }, Guid.NewGuid().ToString()));
        return (cliente, (await Datos.JsonAsync(r, HttpStatusCode.Created)).GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task Instalacion_asigna_un_tecnico_de_la_zona_sin_pasar_su_capacidad_diaria()
    {
        using var admin = await host.ClienteAsync("admin");
        var fecha = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd");
        // zone of 64000 (MTY centro): technicians e001 (4/day), e002 (4/day), e008 (4/day), plus any the seed adds
        var capacidad = await host.EscalarAsync<long>("""
            SELECT coalesce(sum(t.capacidad_diaria), 0) FROM tecnicos t JOIN tecnico_zonas tz ON tz.tecnico_id = t.id
            WHERE t.activo AND tz.zona_id = '00000000-0000-0000-0000-000000001001'
            """);
        var ocupados = await host.EscalarAsync<long>("SELECT count(*) FROM tickets WHERE fecha_programada = @f::date AND estado <> 'cancelado'", new { f = fecha });
        for (var i = 0; i < capacidad - ocupados; i++)
        {
            var (_, contrato) = await ContratoNuevoAsync(admin);
            var t = await Datos.JsonAsync(await admin.PostAsJsonAsync("api/tickets/instalacion", new { contratoId = contrato, fechaProgramada = fecha }), HttpStatusCode.Created);
            Assert.Equal("asignado", t.GetProperty("estado").GetString());
            Assert.Equal(fecha, t.GetProperty("fechaProgramada").GetString());
        }
        var (_, sinLugar) = await ContratoNuevoAsync(admin);
        await Problemas.AfirmarAsync(await admin.PostAsJsonAsync("api/tickets/instalacion", new { contratoId = sinLugar, fechaProgramada = fecha }),
            HttpStatusCode.UnprocessableEntity, "fechaProgramada");
        Assert.Equal(0L, await host.EscalarAsync<long>("""
            SELECT count(*) FROM (SELECT t.id FROM tickets k JOIN tecnicos t ON t.id = k.tecnico_id
                                  WHERE k.fecha_programada = @f::date AND k.estado <> 'cancelado'
                                  GROUP BY t.id, t.capacidad_diaria HAVING count(*) > t.capacidad_diaria) x
            """, new { f = fecha }));
        Assert.Equal(0L, await host.EscalarAsync<long>("""
            SELECT count(*) FROM tickets k JOIN contratos c ON c.id = k.contrato_id
            WHERE k.fecha_programada = @f::date AND NOT EXISTS (SELECT 1 FROM tecnico_zonas tz WHERE tz.tecnico_id = k.tecnico_id AND tz.zona_id = c.zona_id)
            """, new { f = fecha }));
    }

    /// <summary>
    /// Zone A's assignment is held open mid-transaction (a test trigger makes its ticket INSERT wait on a lock this test
    /// holds); an assignment in zone B, whose technicians are all different, must complete meanwhile instead of queueing
    /// behind it. Whether B waits is read from pg_stat_activity, not from a clock.
    /// </summary>
    [Fact]
    public async Task Asignacion_en_otra_zona_no_espera_a_la_que_esta_en_curso()
    {
        using var admin = await host.ClienteAsync("admin");
        var fecha = DateTime.UtcNow.AddDays(45).ToString("yyyy-MM-dd");
        var (_, contratoA) = await ContratoNuevoAsync(admin, "64000");
        var (_, contratoB) = await ContratoNuevoAsync(admin, "67100");
        Assert.Equal(Guid.Parse(ZonaCentro), await host.EscalarAsync<Guid>("SELECT zona_id FROM contratos WHERE id = @contratoA::uuid", new { contratoA }));
        Assert.Equal(Guid.Parse(ZonaGuadalupe), await host.EscalarAsync<Guid>("SELECT zona_id FROM contratos WHERE id = @contratoB::uuid", new { contratoB }));

        const long Retencion = 7_240_001;
        var sufijo = Guid.NewGuid().ToString("N")[..8];
        await using var cn = new Npgsql.NpgsqlConnection(host.ConnectionString);
        await cn.OpenAsync();
        await Dapper.SqlMapper.ExecuteAsync(cn, $"""
            CREATE FUNCTION prueba_retener_{sufijo}() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
                IF NEW.contrato_id = '{contratoA}'::uuid THEN PERFORM pg_advisory_xact_lock({Retencion}); END IF;
                RETURN NEW;
            END $f$;
            CREATE TRIGGER prueba_retener_{sufijo} BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION prueba_retener_{sufijo}();
            SELECT pg_advisory_lock({Retencion});
            """);
        Task<HttpResponseMessage>? a = null;
        try
        {
            a = admin.PostAsJsonAsync("api/tickets/instalacion", new { contratoId = contratoA, fechaProgramada = fecha });
            // A is inside its assignment transaction once its INSERT waits on the advisory lock held here.
            var pidA = await EsperarAsync(() => Dapper.SqlMapper.ExecuteScalarAsync<int?>(cn, $"""
                SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = {Retencion} LIMIT 1
                """), "la asignación de la zona A no llegó a su INSERT");
            var b = admin.PostAsJsonAsync("api/tickets/instalacion", new { contratoId = contratoB, fechaProgramada = fecha });
            // Either B completes, or some backend other than A's waits on a lock: B queued behind A.
            int? esperando = null;
            await EsperarAsync(async () =>
            {
                if (b.IsCompleted) return (int?)1;
                esperando = await Dapper.SqlMapper.ExecuteScalarAsync<int?>(cn, """
                    SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> @pidA LIMIT 1
                    """, new { pidA });
                return esperando;
            }, "la asignación de la zona B ni terminó ni esperó un bloqueo");
            Assert.True(esperando is null, "La asignación de la zona B esperó a la de la zona A (otra zona, otros técnicos).");
            var ticketB = await Datos.JsonAsync(await b, HttpStatusCode.Created);
            Assert.Contains(ticketB.GetProperty("tecnicoId").GetString(), new[] { "00000000-0000-0000-0000-00000000e003", "00000000-0000-0000-0000-00000000e010" });
        }
        finally
        {
            await Dapper.SqlMapper.ExecuteAsync(cn, $"SELECT pg_advisory_unlock({Retencion})");
            if (a is not null) await Datos.JsonAsync(await a, HttpStatusCode.Created);
            await Dapper.SqlMapper.ExecuteAsync(cn, $"DROP TRIGGER prueba_retener_{sufijo} ON tickets; DROP FUNCTION prueba_retener_{sufijo}();");
        }
    }

    /// <summary>Many sign-ups of one zone and one day at once: every technician ends at most at their daily capacity, and the
    /// zone's whole free capacity is used (the rest are 422).</summary>
    [Fact]
    public async Task Asignaciones_simultaneas_en_una_zona_no_pasan_la_capacidad_de_ningun_tecnico()
    {
        using var admin = await host.ClienteAsync("admin");
        var fecha = DateTime.UtcNow.AddDays(50).ToString("yyyy-MM-dd");
        var libres = await host.EscalarAsync<long>("""
            SELECT coalesce(sum(t.capacidad_diaria - (SELECT count(*) FROM tickets k WHERE k.tecnico_id = t.id AND k.fecha_programada = @f::date AND k.estado <> 'cancelado')), 0)
            FROM tecnicos t JOIN tecnico_zonas tz ON tz.tecnico_id = t.id WHERE t.activo AND tz.zona_id = @ZonaGuadalupe::uuid
            """, new { f = fecha, ZonaGuadalupe });
        var contratos = new List<string>();
        for (var i = 0; i < libres + 3; i++) contratos.Add((await ContratoNuevoAsync(admin, "67100")).ContratoId);
        var respuestas = await Task.WhenAll(contratos.Select(c => admin.PostAsJsonAsync("api/tickets/instalacion", new { contratoId = c, fechaProgramada = fecha })));
        Assert.Equal(libres, respuestas.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(3, respuestas.Count(r => r.StatusCode == HttpStatusCode.UnprocessableEntity));
        Assert.Equal(0L, await host.EscalarAsync<long>("""
            SELECT count(*) FROM (SELECT t.id FROM tickets k JOIN tecnicos t ON t.id = k.tecnico_id
                                  WHERE k.fecha_programada = @f::date AND k.estado <> 'cancelado'
                                  GROUP BY t.id, t.capacidad_diaria HAVING count(*) > t.capacidad_diaria) x
            """, new { f = fecha }));
    }

    private static async Task<T> EsperarAsync<T>(Func<Task<T?>> condicion, string motivo) where T : struct
    {
        for (var i = 0; i < 600; i++)
        {
            if (await condicion() is { } v) return v;
            await Task.Delay(100);
        }
        throw new TimeoutException($"En 60 s {motivo}.");
    }

    [Fact]
    public async Task Cliente_abre_ticket_solo_de_su_contrato_y_ve_solo_los_suyos()
    {
        using var cliente = await host.ClienteAsync("cliente");
        using var admin = await host.ClienteAsync("admin");
        var (_, ajeno) = await ContratoNuevoAsync(admin);
        await Problemas.AfirmarAsync(await cliente.PostAsJsonAsync("api/tickets", new { contratoId = ajeno, descripcion = "No hay señal" }), HttpStatusCode.NotFound);
        var t = await Datos.JsonAsync(await cliente.PostAsJsonAsync("api/tickets", new { contratoId = ContratoDemo, descripcion = "No hay señal", prioridad = "alta" }),
            HttpStatusCode.Created);
        Assert.Equal("abierto", t.GetProperty("estado").GetString());
        Assert.Equal("soporte", t.GetProperty("tipo").GetString());
        var lista = await Datos.JsonAsync(await cliente.GetAsync("api/tickets"), HttpStatusCode.OK);
        Assert.All(lista.GetProperty("elementos").EnumerateArray(), x => Assert.Equal(Datos.ClienteDemo, x.GetProperty("clienteId").GetString()));
        await Problemas.AfirmarAsync(await cliente.PostAsJsonAsync("api/tickets", new { contratoId = ContratoDemo }), HttpStatusCode.BadRequest, "descripcion");
        using var cobranzas = await host.ClienteAsync("cobranzas");
        await Problemas.AfirmarAsync(await cobranzas.PostAsJsonAsync("api/tickets", new { contratoId = ContratoDemo, descripcion = "x" }), HttpStatusCode.Forbidden);
        // a customer cannot move tickets
        await Problemas.AfirmarAsync(await cliente.SendAsync(Datos.Patch($"api/tickets/{t.GetProperty("id").GetString()}/cerrar", new { })), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Tecnico_ve_solo_sus_tickets_y_las_transiciones_no_permitidas_son_422()
    {
        using var tecnico = await host.ClienteAsync("tecnico"); // e001
        var mios = await Datos.JsonAsync(await tecnico.GetAsync("api/tickets?tecnico=me"), HttpStatusCode.OK);
        Assert.NotEmpty(mios.GetProperty("elementos").EnumerateArray());
        Assert.All(mios.GetProperty("elementos").EnumerateArray(), x => Assert.Equal("00000000-0000-0000-0000-00000000e001", x.GetProperty("tecnicoId").GetString()));
        var deOtro = await Datos.JsonAsync(await tecnico.GetAsync("api/tickets?tecnico=00000000-0000-0000-0000-00000000e002"), HttpStatusCode.OK);
        Assert.Empty(deOtro.GetProperty("elementos").EnumerateArray());
        Assert.Equal(0, deOtro.GetProperty("total").GetInt64());
        await Problemas.AfirmarAsync(await tecnico.GetAsync("api/tickets?estado=inexistente"), HttpStatusCode.BadRequest, "estado");
        await Problemas.AfirmarAsync(await tecnico.GetAsync("api/tickets/no-es-guid"), HttpStatusCode.BadRequest);

        // support ticket: asignado -> cerrar is not allowed; en_camino -> en_sitio -> cerrar is
        await Problemas.AfirmarAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{TicketDemoSoporte}/cerrar", new { })), HttpStatusCode.UnprocessableEntity, "estado");
        await Problemas.AfirmarAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{TicketDemoSoporte}/progreso", new { estado = "cerrado" })), HttpStatusCode.BadRequest, "estado");
        await Datos.JsonAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{TicketDemoSoporte}/progreso", new { estado = "en_camino" })), HttpStatusCode.OK);
        await Datos.JsonAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{TicketDemoSoporte}/progreso", new { estado = "en_sitio", nota = "Revisando conectores" })), HttpStatusCode.OK);
        await Problemas.AfirmarAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{TicketDemoSoporte}/progreso", new { estado = "instalado", serialRouter = "ABC-123456" })),
            HttpStatusCode.UnprocessableEntity, "estado");
        var cerrado = await Datos.JsonAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{TicketDemoSoporte}/cerrar", new { nota = "Conector reemplazado" })), HttpStatusCode.OK);
        Assert.Equal("cerrado", cerrado.GetProperty("estado").GetString());
        Assert.Contains(cerrado.GetProperty("eventos").EnumerateArray(), e => e.TryGetProperty("nota", out var n) && n.GetString() == "Revisando conectores");
        await Problemas.AfirmarAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{TicketDemoSoporte}/progreso", new { estado = "en_camino" })), HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Feedback_antes_de_cerrar_es_422()
    {
        using var cliente = await host.ClienteAsync("cliente");
        var t = await Datos.JsonAsync(await cliente.PostAsJsonAsync("api/tickets", new { contratoId = ContratoDemo, descripcion = "Lento por las noches" }), HttpStatusCode.Created);
        await Problemas.AfirmarAsync(await cliente.PostAsJsonAsync($"api/tickets/{t.GetProperty("id").GetString()}/feedback", new { calificacion = 3 }),
            HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Notificacion_del_personal_sale_por_el_mock_de_whatsapp()
    {
        using var soporte = await host.ClienteAsync("soporte");
        var marca = Guid.NewGuid().ToString("N");
        var n = await Datos.JsonAsync(await soporte.PostAsJsonAsync("api/notificaciones",
            new { destino = "(81) 5555-0199", plantilla = "aviso_mantenimiento", cuerpo = $"Mantenimiento esta noche {marca}" }), HttpStatusCode.Created);
        Assert.Equal("enviada", n.GetProperty("estado").GetString());
        Assert.Equal("+528155550199", n.GetProperty("destino").GetString());
        var recibidos = await Datos.JsonAsync(await soporte.GetAsync("api/whatsapp-mock/mensajes?destino=8155550199"), HttpStatusCode.OK);
        Assert.Contains(recibidos.GetProperty("elementos").EnumerateArray(), m => m.GetProperty("cuerpo").GetString()!.Contains(marca));
        var historial = await Datos.JsonAsync(await soporte.GetAsync("api/notificaciones?destino=8155550199&tamano=5"), HttpStatusCode.OK);
        Assert.Contains(historial.GetProperty("elementos").EnumerateArray(), m => m.GetProperty("cuerpo").GetString()!.Contains(marca));
        await Problemas.AfirmarAsync(await soporte.PostAsJsonAsync("api/notificaciones", new { plantilla = "x", cuerpo = "y" }), HttpStatusCode.BadRequest, "destino");
        await Problemas.AfirmarAsync(await soporte.PostAsJsonAsync("api/notificaciones", new { destino = "123", plantilla = "x", cuerpo = "y" }), HttpStatusCode.BadRequest, "destino");
        using var tecnico = await host.ClienteAsync("tecnico");
        await Problemas.AfirmarAsync(await tecnico.GetAsync("api/notificaciones"), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/whatsapp-mock/mensajes"), HttpStatusCode.Unauthorized);
    }
}
