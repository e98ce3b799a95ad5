using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Telecable.IntegrationTests.Clientes;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Soporte;

/// <summary>Issue 21: support tickets used to stay abierto forever; now the desk carries them to the end.</summary>
[Collection(ColeccionHost.Nombre)]
public sealed class MesaSoporteTests(HostPrueba host)
{
    private const string ContratoDemo = "00000000-0000-0000-0000-00000000b001";

    private static async Task<JsonElement> Ok(Task<HttpResponseMessage> r) => await Datos.JsonAsync(await r, HttpStatusCode.OK);

    private async Task<string> TicketAsync(HttpClient cliente, string? clave = null)
    {
        var m = Datos.Post("api/tickets", new { contratoId = ContratoDemo, descripcion = "No tengo internet desde ayer" }, clave);
        return (await Datos.JsonAsync(await cliente.SendAsync(m), HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Ciclo_completo_entre_cliente_y_agente_con_notas_internas_reapertura_y_linea_de_tiempo()
    {
        using var cliente = await host.ClienteAsync("cliente");
        using var soporte = await host.ClienteAsync("soporte");
        var id = await TicketAsync(cliente);

        var t = await Ok(soporte.PostAsJsonAsync($"api/tickets/{id}/asignacion", new { agente = "soporte" }));
        Assert.Equal("asignado", t.GetProperty("estado").GetString());
        Assert.Equal("soporte", t.GetProperty("agente").GetString());
        Assert.Equal("en_atencion", (await Ok(soporte.PostAsJsonAsync($"api/tickets/{id}/atencion", new { }))).GetProperty("estado").GetString());

        await Ok(soporte.PostAsJsonAsync($"api/tickets/{id}/notas", new { texto = "Cliente con historial de cortes: revisar nodo 7", interna = true }));
        await Ok(soporte.PostAsJsonAsync($"api/tickets/{id}/notas", new { texto = "Estamos revisando su línea." }));
        await Ok(cliente.PostAsJsonAsync($"api/tickets/{id}/notas", new { texto = "Gracias, sigo sin servicio." }));
        await Problemas.AfirmarAsync(await cliente.PostAsJsonAsync($"api/tickets/{id}/notas", new { texto = "x", interna = true }), HttpStatusCode.BadRequest, "interna");

        var visto = await cliente.GetStringAsync($"api/tickets/{id}");
        Assert.DoesNotContain("nodo 7", visto);
        Assert.Contains("Estamos revisando su línea.", visto);
        Assert.Contains("nodo 7", await soporte.GetStringAsync($"api/tickets/{id}"));

        // The customer may not move the desk's states, only their own decisions.
        await Problemas.AfirmarAsync(await cliente.PostAsJsonAsync($"api/tickets/{id}/atencion", new { }), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await soporte.PostAsJsonAsync($"api/tickets/{id}/resolucion", new { }), HttpStatusCode.BadRequest, "motivo");
        Assert.Equal("resuelto", (await Ok(soporte.PostAsJsonAsync($"api/tickets/{id}/resolucion", new { motivo = "Se reinició el puerto del nodo." })))
            .GetProperty("estado").GetString());
        var reabierto = await Ok(cliente.PostAsJsonAsync($"api/tickets/{id}/reapertura", new { motivo = "Volvió a fallar" }));
        Assert.Equal("asignado", reabierto.GetProperty("estado").GetString());
        await Ok(soporte.PostAsJsonAsync($"api/tickets/{id}/resolucion", new { motivo = "Se cambió el módem." }));
        Assert.Equal("cerrado", (await Ok(cliente.PostAsJsonAsync($"api/tickets/{id}/confirmacion", new { }))).GetProperty("estado").GetString());
        var p = await Problemas.AfirmarAsync(await cliente.PostAsJsonAsync($"api/tickets/{id}/cancelacion", new { motivo = "ya no" }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("cerrado", p.GetProperty("detail").GetString());

        var linea = await Ok(cliente.GetAsync($"api/clientes/{Datos.ClienteDemo}/linea-tiempo?tamano=50"));
        var tipos = linea.GetProperty("elementos").EnumerateArray()
            .Where(e => e.GetProperty("datos").GetProperty("ticketId").GetString() == id).Select(e => e.GetProperty("tipo").GetString()).ToList();
        Assert.Equal(["ticket_confirmar", "ticket_resolver", "ticket_reabrir", "ticket_resolver", "ticket_mensaje", "ticket_mensaje", "ticket_atender", "ticket_asignar"], tipos);
    }

    [Fact]
    public async Task Asignar_a_un_tecnico_que_atiende_y_resuelve_y_el_cliente_cancela_otro()
    {
        using var cliente = await host.ClienteAsync("cliente");
        using var soporte = await host.ClienteAsync("soporte");
        using var tecnico = await host.ClienteAsync("tecnico");
        var id = await TicketAsync(cliente);
        await Problemas.AfirmarAsync(await tecnico.PostAsJsonAsync($"api/tickets/{id}/atencion", new { }), HttpStatusCode.NotFound);
        await Ok(soporte.PostAsJsonAsync($"api/tickets/{id}/asignacion", new { tecnicoId = "00000000-0000-0000-0000-00000000e001" }));
        await Ok(tecnico.PostAsJsonAsync($"api/tickets/{id}/atencion", new { }));
        Assert.Equal("resuelto", (await Ok(tecnico.PostAsJsonAsync($"api/tickets/{id}/resolucion", new { motivo = "Conector reemplazado" })))
            .GetProperty("estado").GetString());

        var otro = await TicketAsync(cliente);
        Assert.Equal("cancelado", (await Ok(cliente.PostAsJsonAsync($"api/tickets/{otro}/cancelacion", new { motivo = "Ya funciona" }))).GetProperty("estado").GetString());
        await Problemas.AfirmarAsync(await soporte.PostAsJsonAsync($"api/tickets/{otro}/asignacion", new { agente = "nadie-existe" }), HttpStatusCode.BadRequest, "agente");
    }

    [Fact]
    public async Task La_misma_idempotency_key_dos_veces_abre_un_solo_ticket()
    {
        using var cliente = await host.ClienteAsync("cliente");
        var clave = Guid.NewGuid().ToString();
        var antes = await host.EscalarAsync<long>("SELECT count(*) FROM tickets");
        var respuestas = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => cliente.SendAsync(
            Datos.Post("api/tickets", new { contratoId = ContratoDemo, descripcion = "Doble clic" }, clave))));
        Assert.Contains(respuestas, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(respuestas, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        var repetida = await cliente.SendAsync(Datos.Post("api/tickets", new { contratoId = ContratoDemo, descripcion = "Doble clic" }, clave));
        Assert.Equal(HttpStatusCode.Created, repetida.StatusCode);
        Assert.Equal(antes + 1, await host.EscalarAsync<long>("SELECT count(*) FROM tickets"));
    }

    [Fact]
    public async Task La_bandeja_marca_vencidos_por_tipo_y_prioridad_y_los_pone_primero()
    {
        using var cliente = await host.ClienteAsync("cliente");
        using var soporte = await host.ClienteAsync("soporte");
        var viejo = await TicketAsync(cliente);   // media: 24 h
        var nuevo = await TicketAsync(cliente);
        await host.EscalarAsync<int>("UPDATE tickets SET created_at = now() - interval '25 hours' WHERE id = @viejo::uuid RETURNING 1", new { viejo });
        var bandeja = await Ok(soporte.GetAsync("api/soporte/bandeja?vencidos=true&tamano=100"));
        var ids = bandeja.GetProperty("elementos").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Contains(viejo, ids);
        Assert.DoesNotContain(nuevo, ids);
        Assert.All(bandeja.GetProperty("elementos").EnumerateArray(), e => Assert.True(e.GetProperty("vencido").GetBoolean()));
        var todos = await Ok(soporte.GetAsync("api/soporte/bandeja?tamano=100&estado=abierto"));
        var fila = todos.GetProperty("elementos").EnumerateArray().First(e => e.GetProperty("id").GetString() == nuevo);
        Assert.False(fila.GetProperty("vencido").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(fila.GetProperty("cliente").GetString()));
        Assert.True(fila.GetProperty("venceEn").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(23));
        await Problemas.AfirmarAsync(await soporte.GetAsync("api/soporte/bandeja?tipo=instalacion"), HttpStatusCode.BadRequest, "tipo");
        await Problemas.AfirmarAsync(await cliente.GetAsync("api/soporte/bandeja"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Un_tecnico_solo_atiende_y_ve_en_sus_visitas_los_tickets_asignados_a_el_con_los_datos_del_cliente()
    {
        using var cliente = await host.ClienteAsync("cliente");
        using var soporte = await host.ClienteAsync("soporte");
        using var tecnico = await host.ClienteAsync("tecnico");
        var suyo = await TicketAsync(cliente);
        var ajeno = await TicketAsync(cliente);
        await Ok(soporte.PostAsJsonAsync($"api/tickets/{suyo}/asignacion", new { tecnicoId = "00000000-0000-0000-0000-00000000e001" }));
        await Ok(soporte.PostAsJsonAsync($"api/tickets/{ajeno}/asignacion", new { tecnicoId = "00000000-0000-0000-0000-00000000e002" }));

        // Another technician's ticket does not exist for this one: no attending, resolving or reading it.
        await Problemas.AfirmarAsync(await tecnico.PostAsJsonAsync($"api/tickets/{ajeno}/atencion", new { }), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await tecnico.PostAsJsonAsync($"api/tickets/{ajeno}/resolucion", new { motivo = "x" }), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await tecnico.GetAsync($"api/tickets/{ajeno}"), HttpStatusCode.NotFound);

        var visitas = (await Ok(tecnico.GetAsync("api/tecnico/visitas?tamano=500"))).GetProperty("elementos").EnumerateArray().ToList();
        Assert.DoesNotContain(visitas, v => v.GetProperty("id").GetString() == ajeno);
        var v = visitas.Single(x => x.GetProperty("id").GetString() == suyo);
        Assert.False(string.IsNullOrWhiteSpace(v.GetProperty("cliente").GetString()));
        Assert.StartsWith("+52", v.GetProperty("telefono").GetString());
        Assert.Contains("C.P. ", v.GetProperty("direccion").GetString());
        Assert.False(string.IsNullOrWhiteSpace(v.GetProperty("plan").GetString()));
        // Every ticket listed is this technician's (checked in the database, not by the answer's own word).
        var ids = visitas.Select(x => Guid.Parse(x.GetProperty("id").GetString()!)).ToArray();
        Assert.Equal(0, await host.EscalarAsync<long>(
            "SELECT count(*) FROM tickets WHERE id = ANY(@ids) AND tecnico_id <> '00000000-0000-0000-0000-00000000e001'", new { ids }));

        await Ok(tecnico.PostAsJsonAsync($"api/tickets/{suyo}/atencion", new { }));
        await Ok(tecnico.PostAsJsonAsync($"api/tickets/{suyo}/resolucion", new { motivo = "Se cambió el conector." }));
        await Problemas.AfirmarAsync(await cliente.GetAsync("api/tecnico/visitas"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task La_bandeja_filtra_por_prioridad_y_tecnico_y_el_detalle_trae_las_notas_internas_con_nombres()
    {
        using var cliente = await host.ClienteAsync("cliente");
        using var soporte = await host.ClienteAsync("soporte");
        var urgente = (await Datos.JsonAsync(await cliente.SendAsync(Datos.Post("api/tickets",
            new { contratoId = ContratoDemo, descripcion = "Sin servicio en todo el edificio", prioridad = "urgente" })), HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        await Ok(soporte.PostAsJsonAsync($"api/tickets/{urgente}/asignacion", new { tecnicoId = "00000000-0000-0000-0000-00000000e003" }));
        await Ok(soporte.PostAsJsonAsync($"api/tickets/{urgente}/notas", new { texto = "Revisar el amplificador del poste", interna = true }));

        var porPrioridad = (await Ok(soporte.GetAsync("api/soporte/bandeja?prioridad=urgente&tamano=100"))).GetProperty("elementos").EnumerateArray().ToList();
        Assert.Contains(porPrioridad, e => e.GetProperty("id").GetString() == urgente);
        Assert.All(porPrioridad, e => Assert.Equal("urgente", e.GetProperty("prioridad").GetString()));
        var porTecnico = (await Ok(soporte.GetAsync("api/soporte/bandeja?tecnico=00000000-0000-0000-0000-00000000e003&tamano=100")))
            .GetProperty("elementos").EnumerateArray().ToList();
        Assert.Contains(porTecnico, e => e.GetProperty("id").GetString() == urgente);
        Assert.All(porTecnico, e => Assert.Equal("Miguel Ángel Rodríguez Leal", e.GetProperty("tecnico").GetString()));
        await Problemas.AfirmarAsync(await soporte.GetAsync("api/soporte/bandeja?prioridad=altisima"), HttpStatusCode.BadRequest, "prioridad");

        var detalle = await Ok(soporte.GetAsync($"api/soporte/tickets/{urgente}"));
        Assert.Equal("asignado", detalle.GetProperty("ticket").GetProperty("estado").GetString());
        var nota = detalle.GetProperty("eventos").EnumerateArray()
            .Single(e => e.TryGetProperty("nota", out var n) && n.GetString() == "Revisar el amplificador del poste");
        Assert.True(nota.GetProperty("interna").GetBoolean());
        Assert.Equal("Sofía Soporte", nota.GetProperty("actor").GetString());
        await Problemas.AfirmarAsync(await cliente.GetAsync($"api/soporte/tickets/{urgente}"), HttpStatusCode.Forbidden);

        var responsables = (await Ok(soporte.GetAsync("api/soporte/responsables"))).GetProperty("elementos").EnumerateArray().ToList();
        Assert.Contains(responsables, r => r.GetProperty("tipo").GetString() == "agente" && r.GetProperty("clave").GetString() == "soporte");
        Assert.Contains(responsables, r => r.GetProperty("tipo").GetString() == "tecnico" && r.GetProperty("nombre").GetString() == "Miguel Ángel Rodríguez Leal");
    }

    [Fact]
    public async Task Faq_publica_con_las_preguntas_sembradas()
    {
        var faq = await Ok(host.Http.GetAsync("api/faq"));
        Assert.True(faq.GetProperty("elementos").GetArrayLength() > 0);
        Assert.All(faq.GetProperty("elementos").EnumerateArray(), f => Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("respuesta").GetString())));
    }
}
