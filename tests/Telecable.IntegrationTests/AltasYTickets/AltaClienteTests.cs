using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Application.Altas;
using Telecable.Infrastructure.AltasYTickets;
using Telecable.IntegrationTests.Clientes;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.AltasYTickets;

[Collection(ColeccionAltas.Nombre)]
public sealed class AltaClienteTests(HostAltas host)
{
    private static string HoyMexico() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/Monterrey")).DateTime).ToString("yyyy-MM-dd");

    /// <summary>A string property, or null when absent (the API omits nulls).</summary>
    private static string? Texto(JsonElement e, string p) => e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string[] Compensados(JsonElement alta) =>
        alta.GetProperty("compensaciones").EnumerateArray().Select(c => c.GetProperty("paso").GetString()!).ToArray();

    private static Dictionary<string, string> EstadosPasos(JsonElement alta) =>
        alta.GetProperty("pasos").EnumerateArray().ToDictionary(p => p.GetProperty("paso").GetString()!, p => p.GetProperty("estado").GetString()!);

    [Fact]
    public async Task De_la_solicitud_al_contrato_activo_con_ticket_cerrado_y_calificado()
    {
        var cuerpo = HostAltas.SolicitudAlta();
        var clave = Guid.NewGuid().ToString();
        var id = await host.IniciarAltaAsync(cuerpo, clave);
        Assert.Equal(id, await host.IniciarAltaAsync(cuerpo, clave)); // a repeat replays, never a second saga

        var alta = await host.EsperarAltaAsync(id);
        Assert.True(alta.GetProperty("estado").GetString() == "completada", alta.ToString());
        Assert.All(EstadosPasos(alta).Values, e => Assert.Equal("completado", e));
        Assert.True(alta.GetProperty("clienteCreado").GetBoolean());
        var clienteId = Guid.Parse(alta.GetProperty("clienteId").GetString()!);
        var contratoId = Guid.Parse(alta.GetProperty("contratoId").GetString()!);
        var ticketId = alta.GetProperty("ticketId").GetString()!;
        var tecnicoId = Guid.Parse(alta.GetProperty("tecnicoId").GetString()!);
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM altas WHERE solicitud->'cliente'->>'rfc' = @rfc", new { rfc = ((Dictionary<string, object?>)cuerpo["cliente"]!)["rfc"] }));
        Assert.Equal("pendiente_instalacion", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contratoId", new { contratoId }));
        // the technician serves the zone and had capacity that day
        Assert.True(await host.EscalarAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM tecnico_zonas tz JOIN contratos k ON k.zona_id = tz.zona_id WHERE k.id = @contratoId AND tz.tecnico_id = @tecnicoId)
            """, new { contratoId, tecnicoId }));

        // another technician can neither see nor move the ticket
        using var otro = host.Como(host.TokenPara("tec-otro", ["tecnico"], tecnicoId: Guid.Parse("00000000-0000-0000-0000-00000000e012")));
        await Problemas.AfirmarAsync(await otro.GetAsync($"api/tickets/{ticketId}"), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await otro.SendAsync(Datos.Patch($"api/tickets/{ticketId}/progreso", new { estado = "en_camino" })), HttpStatusCode.NotFound);
        Assert.DoesNotContain(ticketId, await (await otro.GetAsync("api/tickets?tecnico=me")).Content.ReadAsStringAsync());

        using var tecnico = host.Como(host.TokenPara("tec-asignado", ["tecnico"], tecnicoId: tecnicoId));
        Assert.Contains(ticketId, await (await tecnico.GetAsync("api/tickets?tecnico=me&estado=asignado")).Content.ReadAsStringAsync());
        await Problemas.AfirmarAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{ticketId}/progreso", new { estado = "instalado", serialRouter = "ZTE-0001" })),
            HttpStatusCode.UnprocessableEntity, "estado");
        await Datos.JsonAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{ticketId}/progreso", new { estado = "en_camino", nota = "Saliendo del almacén" })), HttpStatusCode.OK);
        await Datos.JsonAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{ticketId}/progreso", new { estado = "en_sitio" })), HttpStatusCode.OK);
        await Problemas.AfirmarAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{ticketId}/progreso", new { estado = "instalado" })),
            HttpStatusCode.BadRequest, "serialRouter");
        var serial = $"ONT-{Guid.NewGuid():N}"[..20].ToUpperInvariant();
        var inst = await Datos.JsonAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{ticketId}/progreso",
            new { estado = "instalado", nota = "ONT instalada, señal -19 dBm", serialRouter = serial })), HttpStatusCode.OK);

        // billing starts today (Mexico time): contract active, router registered with the key returned once
        Assert.Equal(HoyMexico(), inst.GetProperty("contratoActivadoEl").GetString());
        var claveDispositivo = inst.GetProperty("router").GetProperty("claveDispositivo").GetString()!;
        // The emulated fleet's "flash": the installation wrote the key into the emulator's key store, so the emulator posts
        // for the new router with its own key and the outage detector never sees it silent (issue 18).
        var almacen = JsonDocument.Parse(await File.ReadAllTextAsync(host.ArchivoClavesRouters)).RootElement;
        Assert.Equal(claveDispositivo, almacen.GetProperty(serial).GetString());
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contratoId", new { contratoId }));
        Assert.Equal(HoyMexico(), await host.EscalarAsync<string>("SELECT to_char(fecha_activacion, 'YYYY-MM-DD') FROM contratos WHERE id = @contratoId", new { contratoId }));
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(claveDispositivo))),
            await host.EscalarAsync<string>("SELECT device_key_hash FROM routers WHERE serial = @serial AND contrato_id = @contratoId", new { serial, contratoId }));

        var cerrado = await Datos.JsonAsync(await tecnico.SendAsync(Datos.Patch($"api/tickets/{ticketId}/cerrar", new { nota = "Cliente conforme" })), HttpStatusCode.OK);
        Assert.Equal("cerrado", cerrado.GetProperty("estado").GetString());
        Assert.Equal(new[] { "asignado", "en_camino", "en_sitio", "instalado", "cerrado" },
            cerrado.GetProperty("eventos").EnumerateArray().Select(e => e.GetProperty("estadoNuevo").GetString()!).ToArray());

        using var cliente = host.Como(host.TokenPara("cli-nuevo", ["cliente"], clienteId: clienteId));
        using var otroCliente = await host.ClienteAsync("cliente");
        await Problemas.AfirmarAsync(await otroCliente.PostAsJsonAsync($"api/tickets/{ticketId}/feedback", new { calificacion = 1 }), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await cliente.PostAsJsonAsync($"api/tickets/{ticketId}/feedback", new { calificacion = 6 }), HttpStatusCode.BadRequest, "calificacion");
        await Datos.JsonAsync(await cliente.PostAsJsonAsync($"api/tickets/{ticketId}/feedback", new { calificacion = 5, comentario = "Puntual y amable" }), HttpStatusCode.Created);
        await Problemas.AfirmarAsync(await cliente.PostAsJsonAsync($"api/tickets/{ticketId}/feedback", new { calificacion = 4 }), HttpStatusCode.Conflict);
        var visto = await Datos.JsonAsync(await cliente.GetAsync($"api/tickets/{ticketId}"), HttpStatusCode.OK);
        Assert.Equal(5, visto.GetProperty("feedback").GetProperty("calificacion").GetInt32());

        // the customer received welcome, installation and closing messages on the WhatsApp mock
        using var soporte = await host.ClienteAsync("soporte");
        var mensajes = await Datos.JsonAsync(await soporte.GetAsync("api/whatsapp-mock/mensajes?destino=8112345678&tamano=500"), HttpStatusCode.OK);
        var plantillas = mensajes.GetProperty("elementos").EnumerateArray().Where(m => m.GetProperty("clienteId").GetString() == clienteId.ToString())
            .Select(m => m.GetProperty("plantilla").GetString()).ToHashSet();
        Assert.Equal(new HashSet<string?> { "bienvenida", "instalacion_completada", "ticket_cerrado" }, plantillas);
    }

    public static TheoryData<string, string[]> Fallas => new()
    {
        { "cotizacion", [] },
        { "cliente", [] },
        { "contrato", ["cliente"] },
        { "ticket", ["contrato", "cliente"] },
        { "notificacion", ["ticket", "contrato", "cliente"] },
    };

    [Theory]
    [MemberData(nameof(Fallas))]
    public async Task Falla_en_un_paso_compensa_exactamente_los_anteriores_una_vez_en_orden_inverso(string paso, string[] esperadas)
    {
        host.Ajustar("Altas:FallarEnPaso", paso);
        JsonElement alta;
        try
        {
            alta = await host.EsperarAltaAsync(await host.IniciarAltaAsync(HostAltas.SolicitudAlta()));
        }
        finally
        {
            host.Ajustar("Altas:FallarEnPaso", null);
        }
        var id = alta.GetProperty("id").GetString()!;
        Assert.Equal("fallida", alta.GetProperty("estado").GetString());
        Assert.Equal(paso, alta.GetProperty("pasoFallido").GetString());
        Assert.Contains($"Falla inyectada en el paso {paso}", alta.GetProperty("motivo").GetString());
        Assert.Equal(esperadas, Compensados(alta));

        var estados = EstadosPasos(alta);
        var orden = SagaAlta.Pasos.ToList();
        foreach (var p in orden)
        {
            var esperado = orden.IndexOf(p) < orden.IndexOf(paso) ? (esperadas.Contains(p) ? "compensado" : "completado")
                : p == paso ? "fallido" : "pendiente";
            Assert.True(esperado == estados[p], $"paso {p}: se esperaba {esperado} y está {estados[p]}");
        }
        if (esperadas.Contains("cliente"))
            Assert.Equal("baja", await host.EscalarAsync<string>("SELECT estado FROM clientes WHERE id = @c", new { c = Guid.Parse(alta.GetProperty("clienteId").GetString()!) }));
        if (esperadas.Contains("contrato"))
            Assert.Equal("cancelado", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @c", new { c = Guid.Parse(alta.GetProperty("contratoId").GetString()!) }));
        if (esperadas.Contains("ticket"))
            Assert.Equal("cancelado", await host.EscalarAsync<string>("SELECT estado FROM tickets WHERE id = @c", new { c = Guid.Parse(alta.GetProperty("ticketId").GetString()!) }));

        // compensations are idempotent: running them all again changes nothing and records nothing
        var altas = host.Servicios.GetRequiredService<ServicioAltas>();
        foreach (var p in SagaAlta.ConCompensacion)
            Assert.Null(await altas.CompensarAsync(id, p, "prueba", CancellationToken.None));
        Assert.Equal((long)esperadas.Length, await host.EscalarAsync<long>("SELECT count(*) FROM altas_compensaciones WHERE alta_id = @id", new { id }));
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM contratos WHERE id = @c AND version > 2",
            new { c = Texto(alta, "contratoId") is { } k ? Guid.Parse(k) : Guid.Empty }));
    }

    [Fact]
    public async Task Una_compensacion_que_falla_se_registra_y_se_reintenta_hasta_lograrla()
    {
        host.Ajustar("Altas:FallarEnPaso", "ticket");
        host.Ajustar("Altas:FallarCompensacion", "contrato");
        host.Ajustar("Altas:FallarCompensacionVeces", "2");
        JsonElement alta;
        try
        {
            alta = await host.EsperarAltaAsync(await host.IniciarAltaAsync(HostAltas.SolicitudAlta()));
        }
        finally
        {
            host.Ajustar("Altas:FallarEnPaso", null);
            host.Ajustar("Altas:FallarCompensacion", null);
            host.Ajustar("Altas:FallarCompensacionVeces", null);
        }
        Assert.Equal("fallida", alta.GetProperty("estado").GetString());
        Assert.Equal(new[] { "contrato", "cliente" }, Compensados(alta));
        var fallidas = alta.GetProperty("compensacionesFallidas").EnumerateArray().ToList();
        Assert.Equal(2, fallidas.Count);
        Assert.All(fallidas, f => Assert.Equal("contrato", f.GetProperty("paso").GetString()));
        Assert.Equal("cancelado", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @c", new { c = Guid.Parse(alta.GetProperty("contratoId").GetString()!) }));
    }

    [Fact]
    public async Task Fuera_de_cobertura_falla_en_la_cotizacion_con_el_motivo_sin_crear_nada()
    {
        var alta = await host.EsperarAltaAsync(await host.IniciarAltaAsync(HostAltas.SolicitudAlta(cp: "99999")));
        Assert.Equal("fallida", alta.GetProperty("estado").GetString());
        Assert.Equal("cotizacion", alta.GetProperty("pasoFallido").GetString());
        Assert.Contains("99999", alta.GetProperty("motivo").GetString());
        Assert.Null(Texto(alta, "clienteId"));
        Assert.Empty(Compensados(alta));
        // a business error is not retried
        Assert.Equal(1, alta.GetProperty("pasos")[0].GetProperty("intentos").GetInt32());
    }

    [Fact]
    public async Task Solicitud_mal_formada_es_400_sin_clave_es_400_y_alta_desconocida_404()
    {
        await Problemas.AfirmarAsync(await host.Http.SendAsync(Datos.Post("api/altas", new { planId = Datos.Fibra300 }, Guid.NewGuid().ToString())),
            HttpStatusCode.BadRequest, "cliente");
        await Problemas.AfirmarAsync(await host.Http.SendAsync(Datos.Post("api/altas", HostAltas.SolicitudAlta())), HttpStatusCode.BadRequest);
        await Problemas.AfirmarAsync(await host.Http.GetAsync("api/altas/alta-no-existe"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Un_rfc_ya_registrado_reutiliza_al_cliente_y_no_lo_da_de_baja_al_compensar()
    {
        var rfc = Datos.Rfc();
        var primera = await host.EsperarAltaAsync(await host.IniciarAltaAsync(HostAltas.SolicitudAlta(rfc)));
        Assert.Equal("completada", primera.GetProperty("estado").GetString());
        host.Ajustar("Altas:FallarEnPaso", "ticket");
        JsonElement segunda;
        try
        {
            // Support staff may sign up an existing customer again (an anonymous caller may not: AutorizacionPorObjetoTests).
            using var soporte = await host.ClienteAsync("soporte");
            segunda = await host.EsperarAltaAsync(await host.IniciarAltaAsync(HostAltas.SolicitudAlta(rfc), como: soporte));
        }
        finally
        {
            host.Ajustar("Altas:FallarEnPaso", null);
        }
        Assert.Equal(primera.GetProperty("clienteId").GetString(), segunda.GetProperty("clienteId").GetString());
        Assert.False(segunda.GetProperty("clienteCreado").GetBoolean());
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM clientes WHERE rfc = @rfc", new { rfc }));
        Assert.Equal("pendiente_instalacion", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @c",
            new { c = Guid.Parse(primera.GetProperty("contratoId").GetString()!) }));
    }
}
