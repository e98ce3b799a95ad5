using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Telecable.BrowserTests.Infraestructura;

namespace Telecable.BrowserTests;

/// <summary>
/// Issue 21, the staff side in a real browser: a support ticket's whole life across the customer (portal-cliente), an
/// agent (backoffice) and a technician (portal-tecnico); the back office's customer page and staff accounts with their
/// confirmations; filters kept in the URL so Back restores them; no ids, state codes or UTC times on these pages.
/// </summary>
[Collection(ColeccionNavegador.Nombre)]
public sealed partial class MesaSoporteBackofficeTests(HostNavegador host)
{
    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex Uuid();

    [GeneratedRegex(@"\b[a-z]+_[a-z_]+\b")]
    private static partial Regex SnakeCase();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}(:\d{2})?(\.\d+)?Z\b|\bUTC\b")]
    private static partial Regex HoraUtc();

    private const string TecnicoDemo = "Juan Carlos Treviño Salinas";

    private static async Task SinCodigosAsync(IPage p, string donde)
    {
        await p.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var texto = await p.Locator("main").InnerTextAsync();
        Assert.False(Uuid().IsMatch(texto), $"{donde} muestra un identificador: {Uuid().Match(texto).Value}");
        Assert.False(SnakeCase().IsMatch(texto), $"{donde} muestra un código: {SnakeCase().Match(texto).Value}");
        Assert.False(HoraUtc().IsMatch(texto), $"{donde} muestra una hora UTC: {HoraUtc().Match(texto).Value}");
    }

    private static ILocator Dato(IPage p, string titulo) => p.Locator("dl.kpis div").Filter(new() { Has = p.Locator("dt", new() { HasTextString = titulo }) }).Locator("dd");

    [Fact]
    public async Task Un_ticket_de_soporte_vive_completo_entre_cliente_agente_y_tecnico()
    {
        // The customer opens it in their portal.
        var cliente = await host.PaginaAsync();
        await Pasos.IngresarAsync(cliente, "portal-cliente", "cliente");
        await Pasos.Navegacion(cliente).GetByRole(AriaRole.Link, new() { Name = "Soporte" }).ClickAsync();
        var descripcion = $"Internet intermitente {Guid.NewGuid():N}"[..34];
        await cliente.GetByLabel("Descripción").FillAsync(descripcion);
        await cliente.GetByRole(AriaRole.Button, new() { Name = "Abrir ticket" }).ClickAsync();
        await Expect(cliente.GetByText("abierto.").First).ToBeVisibleAsync();

        // The agent finds it in the queue, takes it, writes an internal note and a message, and hands it to a technician.
        var agente = await host.PaginaAsync();
        await Pasos.IngresarAsync(agente, "backoffice", "soporte");
        await Pasos.Navegacion(agente).GetByRole(AriaRole.Link, new() { Name = "Tickets", Exact = true }).ClickAsync();
        var fila = agente.GetByRole(AriaRole.Row).Filter(new() { HasText = descripcion });
        await Expect(fila).ToContainTextAsync("Abierto");
        await SinCodigosAsync(agente, "la bandeja");
        await Pasos.CapturarAsync(agente, "backoffice-bandeja");
        await fila.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Ticket \\d+$") }).ClickAsync();
        await Expect(agente.GetByRole(AriaRole.Heading, new() { Name = "Ticket de soporte" })).ToBeVisibleAsync();
        var numero = (await agente.Locator(".vista-cuerpo h3").First.InnerTextAsync()).Split(' ')[1];

        await agente.GetByLabel("Responsable").SelectOptionAsync(new SelectOptionValue { Label = "Sofía Soporte" });
        await agente.GetByRole(AriaRole.Button, new() { Name = "Asignar", Exact = true }).ClickAsync();
        await Expect(agente.Locator("main").GetByRole(AriaRole.Status)).ToHaveTextAsync($"Ticket {numero} asignado a Sofía Soporte.");
        await agente.GetByRole(AriaRole.Button, new() { Name = "Atender" }).ClickAsync();
        await Expect(Dato(agente, "Estado")).ToHaveTextAsync("En atención");

        await agente.GetByLabel("Texto").FillAsync("Nodo 7 saturado, revisar con red");
        await agente.GetByRole(AriaRole.Button, new() { Name = "Guardar" }).ClickAsync();
        await Expect(agente.Locator("main").GetByRole(AriaRole.Status)).ToHaveTextAsync("Nota interna guardada.");
        await agente.GetByLabel("Mensaje al cliente", new() { Exact = true }).CheckAsync();
        await agente.GetByLabel("Texto").FillAsync("Estamos revisando su línea; un técnico le visitará.");
        await agente.GetByRole(AriaRole.Button, new() { Name = "Guardar" }).ClickAsync();
        await Expect(agente.Locator("main").GetByRole(AriaRole.Status)).ToHaveTextAsync("Mensaje enviado al cliente.");

        await agente.GetByLabel("Responsable").SelectOptionAsync(new SelectOptionValue { Label = TecnicoDemo });
        await agente.GetByRole(AriaRole.Button, new() { Name = "Asignar", Exact = true }).ClickAsync();
        await Expect(Dato(agente, "Responsable")).ToHaveTextAsync($"{TecnicoDemo} (técnico)");
        await Expect(agente.Locator(".historial .nota-interna")).ToContainTextAsync("Nodo 7 saturado");
        await SinCodigosAsync(agente, "el detalle del ticket");
        await Pasos.CapturarAsync(agente, "backoffice-ticket-detalle");

        // The technician sees whom to visit and resolves it with a note.
        var tecnico = await host.PaginaAsync(telefono: true);
        await Pasos.IngresarAsync(tecnico, "portal-tecnico", "tecnico");
        var tarjeta = tecnico.Locator("li.tarjeta").Filter(new() { Has = tecnico.GetByRole(AriaRole.Heading, new() { Name = $"Ticket {numero} · Soporte" }) });
        await Expect(tarjeta).ToContainTextAsync("Teléfono");
        await Expect(tarjeta).ToContainTextAsync("Plan");
        await Expect(tarjeta.GetByRole(AriaRole.Link, new() { Name = "Ver en el mapa" }))
            .ToHaveAttributeAsync("href", new Regex("^https://www\\.google\\.com/maps/search/\\?api=1&query=.+"));
        await Expect(tarjeta).ToContainTextAsync("Estado: Asignado");
        await tarjeta.GetByRole(AriaRole.Button, new() { Name = "Empezar atención" }).ClickAsync();
        await Expect(tarjeta.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Ticket {numero} en atención.");
        await tarjeta.GetByRole(AriaRole.Button, new() { Name = "Marcar resuelto" }).ClickAsync();
        await Expect(tarjeta.GetByLabel("Qué se hizo (lo lee el cliente)")).ToHaveAttributeAsync("aria-invalid", "true");
        await tarjeta.GetByLabel("Qué se hizo (lo lee el cliente)").FillAsync("Cambié el conector de la acometida.");
        await tarjeta.GetByRole(AriaRole.Button, new() { Name = "Marcar resuelto" }).ClickAsync();
        await Expect(tarjeta.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Ticket {numero} resuelto.");
        await SinCodigosAsync(tecnico, "el portal del técnico");
        await Pasos.CapturarAsync(tecnico, "portal-tecnico-ticket-soporte-telefono");

        // The customer reads the agent's message and the resolution, never the internal note.
        await Pasos.Navegacion(cliente).GetByRole(AriaRole.Link, new() { Name = "Mis tickets" }).ClickAsync();
        var suyo = cliente.GetByRole(AriaRole.Article).Filter(new() { HasText = descripcion });
        await Expect(suyo).ToContainTextAsync("Resuelto: confirme si quedó bien");
        await suyo.GetByText("Mensajes").ClickAsync();
        await Expect(suyo).ToContainTextAsync("Estamos revisando su línea");
        await Expect(suyo).ToContainTextAsync("Cambié el conector de la acometida.");
        await Expect(suyo).Not.ToContainTextAsync("Nodo 7");

        // Back at the desk: close, reopen, and cancel only after confirming.
        await agente.ReloadAsync();
        await Expect(Dato(agente, "Estado")).ToHaveTextAsync("Resuelto (espera confirmación del cliente)");
        await agente.GetByRole(AriaRole.Button, new() { Name = "Cerrar (el cliente confirmó)" }).ClickAsync();
        await Expect(Dato(agente, "Estado")).ToHaveTextAsync("Cerrado");
        await agente.GetByLabel("Motivo para reabrir").FillAsync("El cliente llamó: volvió a fallar.");
        await agente.GetByRole(AriaRole.Button, new() { Name = "Reabrir ticket" }).ClickAsync();
        await Expect(Dato(agente, "Estado")).ToHaveTextAsync("Asignado");
        await agente.GetByLabel("Motivo de la cancelación").FillAsync("Duplicado de otro reporte.");
        await agente.GetByRole(AriaRole.Button, new() { Name = "Cancelar ticket" }).ClickAsync();
        var dialogo = agente.GetByRole(AriaRole.Dialog, new() { Name = $"¿Cancelar el ticket {numero}?" });
        await Expect(dialogo).ToBeVisibleAsync();
        await Pasos.CapturarAsync(agente, "backoffice-ticket-confirmar-cancelacion");
        await dialogo.GetByRole(AriaRole.Button, new() { Name = "No, volver" }).ClickAsync();
        await Expect(dialogo).ToHaveCountAsync(0);
        await Expect(Dato(agente, "Estado")).ToHaveTextAsync("Asignado");
        await agente.GetByRole(AriaRole.Button, new() { Name = "Cancelar ticket" }).ClickAsync();
        await agente.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Sí, cancelar el ticket" }).ClickAsync();
        await Expect(Dato(agente, "Estado")).ToHaveTextAsync("Cancelado");
        await Expect(agente.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Los_filtros_viven_en_la_url_y_Atras_los_devuelve()
    {
        // A zone with active customers, and a desk ticket of normal priority to open.
        var db = host.ServiciosHost.GetRequiredService<Npgsql.NpgsqlDataSource>();
        await using var cmd = db.CreateCommand("""
            SELECT z.clave FROM clientes c JOIN zonas z ON z.id = c.zona_id WHERE c.estado = 'activo' GROUP BY z.clave ORDER BY count(*) DESC, z.clave LIMIT 1
            """);
        var valor = (string)(await cmd.ExecuteScalarAsync())!;
        await DatosDemo.PostAsync(host.UrlBase, "cliente", "api/tickets",
            new { contratoId = "00000000-0000-0000-0000-00000000b001", descripcion = "Quiero cambiar la contraseña del wifi", prioridad = "media" });
        // And one past its SLA target (normal support: 24 h), for the overdue highlighting.
        var atrasado = $"Sin señal desde hace dos días {Guid.NewGuid():N}"[..40];
        var idAtrasado = (await DatosDemo.PostAsync(host.UrlBase, "cliente", "api/tickets",
            new { contratoId = "00000000-0000-0000-0000-00000000b001", descripcion = atrasado })).GetProperty("id").GetGuid();
        await using (var viejo = db.CreateCommand("UPDATE tickets SET created_at = now() - interval '30 hours' WHERE id = $1"))
        {
            viejo.Parameters.Add(new Npgsql.NpgsqlParameter { Value = idAtrasado });
            await viejo.ExecuteNonQueryAsync();
        }

        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "backoffice", "soporte");
        // Customers: the zone is a select from the catalog, not free text.
        await p.GotoAsync("/backoffice/#/clientes");
        var zona = p.GetByLabel("Zona");
        await Expect(zona).ToHaveJSPropertyAsync("tagName", "SELECT");
        await zona.SelectOptionAsync(valor);
        await p.GetByLabel("Estado").SelectOptionAsync(new SelectOptionValue { Label = "Activo" });
        await p.GetByRole(AriaRole.Button, new() { Name = "Buscar" }).ClickAsync();
        await Expect(p).ToHaveURLAsync(new Regex($"#/clientes\\?.*zona={valor}.*estado=activo"));
        var tabla = p.GetByRole(AriaRole.Table, new() { NameRegex = new Regex("^Clientes \\(página 1") });
        await Expect(tabla).ToBeVisibleAsync();
        var filas = await tabla.Locator("tbody tr").CountAsync();
        await SinCodigosAsync(p, "la lista de clientes");
        await tabla.GetByRole(AriaRole.Link).First.ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Estado del cliente" })).ToBeVisibleAsync();
        await p.GoBackAsync();
        await Expect(p.GetByLabel("Zona")).ToHaveValueAsync(valor);
        await Expect(p.GetByLabel("Estado")).ToHaveValueAsync("activo");
        await Expect(tabla.Locator("tbody tr")).ToHaveCountAsync(filas);

        // The desk's queue too: a priority filter survives opening a ticket and going back.
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Tickets", Exact = true }).ClickAsync();
        await p.GetByLabel("Prioridad").SelectOptionAsync(new SelectOptionValue { Label = "Normal" });
        await p.GetByRole(AriaRole.Button, new() { Name = "Filtrar" }).ClickAsync();
        await Expect(p).ToHaveURLAsync(new Regex("#/tickets\\?.*prioridad=media"));
        var bandeja = p.GetByRole(AriaRole.Table, new() { NameRegex = new Regex("^Bandeja de soporte") });
        await Expect(bandeja.Locator("td[data-titulo='Prioridad']").First).ToHaveTextAsync("Normal");
        await bandeja.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Ticket \\d+$") }).First.ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Ticket de soporte" })).ToBeVisibleAsync();
        await p.GoBackAsync();
        await Expect(p.GetByLabel("Prioridad")).ToHaveValueAsync("media");
        await Expect(bandeja.Locator("td[data-titulo='Prioridad']").First).ToHaveTextAsync("Normal");
        Assert.All(await bandeja.Locator("td[data-titulo='Prioridad']").AllInnerTextsAsync(), t => Assert.Equal("Normal", t));

        // Only the overdue ones: the row is highlighted and says so in words.
        await p.GetByLabel("Prioridad").SelectOptionAsync(new SelectOptionValue { Label = "Todos" });
        await p.GetByLabel("Solo vencidos").CheckAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Filtrar" }).ClickAsync();
        await Expect(p).ToHaveURLAsync(new Regex("#/tickets\\?.*vencidos=si"));
        var vencida = bandeja.GetByRole(AriaRole.Row).Filter(new() { HasText = atrasado });
        await Expect(vencida).ToHaveClassAsync("vencido");
        await Expect(vencida.Locator("td[data-titulo='Vence']")).ToContainTextAsync("Vencido");
        Assert.All(await bandeja.Locator("tbody tr").EvaluateAllAsync<string[]>("filas => filas.map(f => f.className)"), c => Assert.Equal("vencido", c));
        await Pasos.CapturarAsync(p, "backoffice-bandeja-vencidos");

        // The fleet: zone select and pages.
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Flota de routers" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Table, new() { NameRegex = new Regex("^Routers \\(") })).ToBeVisibleAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Página siguiente" }).ClickAsync();
        await Expect(p).ToHaveURLAsync(new Regex("#/flota\\?.*pagina=2"));
        await Expect(p.Locator(".pagina-actual")).ToContainTextAsync("Página 2 de");
        await SinCodigosAsync(p, "la flota");
    }

    [Fact]
    public async Task La_pagina_del_cliente_suspende_y_reactiva_con_confirmacion_y_muestra_su_linea_de_tiempo()
    {
        var db = host.ServiciosHost.GetRequiredService<Npgsql.NpgsqlDataSource>();
        await using var cmd = db.CreateCommand("""
            SELECT k.cliente_id::text FROM contratos k
            WHERE k.estado = 'activo' AND k.cliente_id <> '00000000-0000-0000-0000-00000000c001'
              AND EXISTS (SELECT 1 FROM routers r WHERE r.contrato_id = k.id)
              AND (SELECT count(*) FROM contratos x WHERE x.cliente_id = k.cliente_id) = 1
            ORDER BY k.created_at DESC LIMIT 1
            """);
        var clienteId = (string)(await cmd.ExecuteScalarAsync())!;

        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "backoffice", "soporte");
        await p.GotoAsync($"/backoffice/#/cliente-{clienteId}");
        var contratos = p.GetByRole(AriaRole.Table, new() { Name = "Contratos" });
        await Expect(contratos).ToContainTextAsync("Activo");
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Línea de tiempo" })).ToBeVisibleAsync();
        await Expect(p.Locator("main").GetByText(new Regex("^Estado de cuenta del ")).First).ToBeVisibleAsync();

        var suspender = contratos.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Suspender ") });
        await suspender.ClickAsync();
        var dialogo = p.GetByRole(AriaRole.Dialog);
        await Expect(dialogo).ToContainTextAsync("El cliente se queda sin servicio");
        await dialogo.GetByRole(AriaRole.Button, new() { Name = "No, volver" }).ClickAsync();
        await Expect(contratos.Locator("td[data-titulo='Estado']")).ToHaveTextAsync("Activo");
        await suspender.ClickAsync();
        await dialogo.GetByRole(AriaRole.Button, new() { Name = "Sí, suspender" }).ClickAsync();
        await Expect(contratos.Locator("td[data-titulo='Estado']")).ToHaveTextAsync("Suspendido");
        await contratos.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Reactivar ") }).ClickAsync();
        await dialogo.GetByRole(AriaRole.Button, new() { Name = "Sí, reactivar" }).ClickAsync();
        await Expect(contratos.Locator("td[data-titulo='Estado']")).ToHaveTextAsync("Activo");

        var routers = p.GetByRole(AriaRole.Table, new() { Name = "Routers del cliente" });
        await routers.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Reiniciar ") }).First.ClickAsync();
        await dialogo.GetByRole(AriaRole.Button, new() { Name = "Sí, reiniciar" }).ClickAsync();
        await Expect(p.Locator("main").GetByText(new Regex("^Reinicio solicitado para "))).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await SinCodigosAsync(p, "la página del cliente");
        await Pasos.CapturarAsync(p, "backoffice-cliente");
    }

    [Fact]
    public async Task Admin_invita_a_una_persona_y_desactiva_su_cuenta_con_confirmacion()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "backoffice", "admin");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Personal" }).ClickAsync();
        var usuario = $"agente.{Guid.NewGuid():N}"[..18];
        await p.GetByLabel("Nombre completo").FillAsync("Paola Agente Ruiz");
        await p.GetByLabel("Usuario (minúsculas, sin espacios)").FillAsync(usuario);
        await p.GetByLabel("Correo electrónico (recibe la invitación)").FillAsync($"{usuario}@telecable.example.com");
        await p.GetByLabel("Soporte", new() { Exact = true }).CheckAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Enviar invitación" }).ClickAsync();
        await Expect(p.Locator("main").GetByRole(AriaRole.Status)).ToHaveTextAsync($"Invitación enviada a {usuario}@telecable.example.com.");
        var fila = p.GetByRole(AriaRole.Row).Filter(new() { HasText = usuario });
        await Expect(fila).ToContainTextAsync("Invitación enviada");
        await SinCodigosAsync(p, "las cuentas del personal");

        await fila.GetByRole(AriaRole.Button, new() { Name = "Desactivar a Paola Agente Ruiz" }).ClickAsync();
        await p.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Sí, desactivar" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Row).Filter(new() { HasText = usuario })).ToContainTextAsync("Desactivada");
        await Pasos.CapturarAsync(p, "backoffice-personal");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cada_vista_del_personal_sin_ids_codigos_ni_horas_UTC_y_sin_desborde_en_un_telefono(bool telefono)
    {
        var db = host.ServiciosHost.GetRequiredService<Npgsql.NpgsqlDataSource>();
        await using var cmd = db.CreateCommand("""
            SELECT (SELECT id::text FROM tickets WHERE tipo IN ('soporte', 'falla') ORDER BY numero LIMIT 1),
                   '00000000-0000-0000-0000-00000000c001'
            """);
        await using var lector = await cmd.ExecuteReaderAsync();
        await lector.ReadAsync();
        var (ticket, cliente) = (lector.GetString(0), lector.GetString(1));

        var p = await host.PaginaAsync(telefono);
        var ancho = telefono ? "telefono" : "escritorio";
        await Pasos.IngresarAsync(p, "backoffice", "admin");
        foreach (var vista in new[] { "clientes", "tickets", "flota", "notificaciones", "cobranza", "eventos", "personal", $"cliente-{cliente}", $"ticket-{ticket}" })
        {
            await p.GotoAsync($"/backoffice/#/{vista}");
            await Expect(p.Locator("main h2")).Not.ToHaveTextAsync("Cargando…");
            await SinCodigosAsync(p, vista);
            await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
            var desborde = await p.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(desborde <= 0, $"{vista} se desborda {desborde}px a lo ancho.");
            await Pasos.CapturarAsync(p, $"backoffice-{(vista.Contains('-') ? vista[..vista.IndexOf('-')] : vista)}-{ancho}");
        }
        var tecnico = await host.PaginaAsync(telefono);
        await Pasos.IngresarAsync(tecnico, "portal-tecnico", "tecnico");
        await Expect(tecnico.Locator(".vista-cuerpo .tarjeta, .vista-cuerpo .vacio").First).ToBeVisibleAsync();
        await SinCodigosAsync(tecnico, "portal del técnico");
        Assert.True(await tecnico.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0,
            "El portal del técnico se desborda a lo ancho.");
        await Expect(tecnico.Locator(".visita").Filter(new() { HasText = "(mañana)" })).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(tecnico, $"portal-tecnico-visitas-{ancho}");
    }
}
