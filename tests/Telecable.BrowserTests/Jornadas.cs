using Microsoft.Extensions.DependencyInjection;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Facturacion;
using Telecable.BrowserTests.Infraestructura;

namespace Telecable.BrowserTests;

// Journeys through the features whose APIs are built on other branches (catalog, altas, billing,
// payments, tickets, routers, customers, notifications). They run against the merged main: until then
// they fail with the 404 "No existe ese endpoint." problem, which the portals display. Run them with
//   dotnet test tests/Telecable.BrowserTests --filter "FullyQualifiedName~Jornada"

[Collection(ColeccionNavegador.Nombre)]
public sealed class JornadaClienteTests(HostNavegador host)
{
    [Fact]
    public async Task Consulta_cobertura_compara_planes_y_contrata_en_pasos_hasta_el_seguimiento()
    {
        var p = await host.PaginaAsync();
        await p.GotoAsync("/portal-cliente/#/cobertura");
        await p.GetByLabel("Código postal").FillAsync("64000");
        await p.GetByRole(AriaRole.Button, new() { Name = "Consultar cobertura" }).ClickAsync();
        await Expect(p.GetByText("¡Hay cobertura en 64000")).ToBeVisibleAsync();

        await p.GetByRole(AriaRole.Link, new() { Name = "Ver planes disponibles" }).ClickAsync();
        // Plans are cards: what each includes and the real first-month price from the catalog's quote.
        var planes = p.GetByRole(AriaRole.List, new() { Name = "Planes y precios" });
        var fibra100 = planes.GetByRole(AriaRole.Listitem).Filter(new() { Has = p.GetByRole(AriaRole.Heading, new() { Name = "Fibra 100 Mbps", Exact = true }) });
        await Expect(fibra100).ToContainTextAsync("el primer mes");
        await Expect(fibra100.Locator(".precio")).ToContainTextAsync(" MXN");
        await Expect(fibra100).ToContainTextAsync("Internet de 100 Mbps de bajada");
        await Pasos.CapturarAsync(p, "jornada-cliente-planes");

        await p.GetByRole(AriaRole.Button, new() { Name = "Contratar Fibra 100 Mbps" }).ClickAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Siguiente" }).ClickAsync();
        await p.GetByLabel("Nombre completo o razón social").FillAsync("Dolores Gómez Elizondo");
        await p.GetByLabel("RFC").FillAsync("GODE561231GR8");
        await p.GetByLabel("Correo electrónico").FillAsync($"dolores.{Guid.NewGuid():N}@ejemplo.mx");
        await p.GetByLabel("Teléfono (10 dígitos)").FillAsync("8112345678");
        await p.GetByLabel("Código postal fiscal").FillAsync("64000");
        await p.GetByRole(AriaRole.Button, new() { Name = "Siguiente" }).ClickAsync();
        await Pasos.LlenarDomicilioYConsentimientosAsync(p, "Av. Constitución", "100");
        await p.GetByRole(AriaRole.Button, new() { Name = "Enviar solicitud" }).ClickAsync();

        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Seguimiento" })).ToBeVisibleAsync();
        await Expect(p.GetByText("Estado:")).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "jornada-cliente-seguimiento");
    }

    [Fact]
    public async Task El_cliente_paga_una_factura_con_tarjeta_por_la_pasarela()
    {
        // A period of its own, so no other journey has paid this invoice.
        var periodo = DateTime.UtcNow.AddMonths(-2).ToString("yyyy-MM");
        await DatosDemo.FacturarPeriodoAsync(host.UrlBase, periodo);
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Mis facturas" }).ClickAsync();
        var fila = p.GetByRole(AriaRole.Table, new() { Name = "Mis facturas" }).GetByRole(AriaRole.Row).Filter(new() { HasText = periodo });
        await fila.GetByRole(AriaRole.Button, new() { Name = "Pagar con tarjeta" }).ClickAsync();
        await Expect(p.GetByText("recibido (referencia")).ToBeVisibleAsync();
        await Pasos.CapturarAsync(p, "jornada-cliente-pago");
    }

    [Fact]
    public async Task El_cliente_ve_y_descarga_el_complemento_de_pago_junto_a_su_factura()
    {
        // Issue 17: a PPD invoice paid gets a Pagos 2.0 complement, which the customer finds with the invoice it pays.
        var periodo = DateTime.UtcNow.AddMonths(-3).ToString("yyyy-MM");
        await DatosDemo.FacturarPeriodoAsync(host.UrlBase, periodo);
        var complemento = await DatosDemo.PagarFacturaDelClienteAsync(host.UrlBase, periodo);
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Mis facturas" }).ClickAsync();
        var fila = p.GetByRole(AriaRole.Table, new() { Name = "Mis facturas" }).GetByRole(AriaRole.Row).Filter(new() { HasText = periodo });
        var xml = fila.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Parcialidad 1 \\(.+ MXN\\): XML$") });
        await Expect(xml).ToBeVisibleAsync();
        await Expect(fila.GetByRole(AriaRole.Button, new() { Name = "Parcialidad 1: impresa" })).ToBeVisibleAsync();
        await Pasos.CapturarAsync(p, "jornada-cliente-complemento");

        var descarga = await p.RunAndWaitForDownloadAsync(() => xml.ClickAsync());
        Assert.Equal($"{complemento}.xml", descarga.SuggestedFilename);
        var contenido = await File.ReadAllTextAsync((await descarga.PathAsync())!);
        Assert.Contains("TipoDeComprobante=\"P\"", contenido);
        Assert.Contains("pago20:DoctoRelacionado", contenido);
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task El_cliente_ve_sus_facturas_en_pesos_y_abre_y_califica_un_ticket()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
        await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Mis facturas" }).ClickAsync();
        var facturas = p.GetByRole(AriaRole.Table, new() { Name = "Mis facturas" });
        await Expect(facturas).ToContainTextAsync(" MXN");
        await Expect(facturas.GetByRole(AriaRole.Button, new() { Name = "XML" }).First).ToBeVisibleAsync();
        await Pasos.CapturarAsync(p, "jornada-cliente-facturas");

        await p.GetByRole(AriaRole.Link, new() { Name = "Soporte" }).ClickAsync();
        await p.GetByLabel("Descripción").FillAsync("Sin internet desde la mañana.");
        await p.GetByRole(AriaRole.Button, new() { Name = "Abrir ticket" }).ClickAsync();
        await Expect(p.GetByText(new System.Text.RegularExpressions.Regex("Ticket .+ abierto\\."))).ToBeVisibleAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Enviar opinión" }).ClickAsync();
        await Expect(p.GetByText("¡Gracias por su opinión!")).ToBeVisibleAsync();
        await Pasos.CapturarAsync(p, "jornada-cliente-soporte");
    }

    /// <summary>
    /// Issue 18: "Mi cuenta" shows the next invoice date, the amount due, the suspension warning and how to pay. The demo
    /// customer gets an invoice two days overdue (inside the grace days: warned, not suspended), then, for the second half,
    /// its contract suspended; both are undone at the end so the other journeys see the demo as it was.
    /// </summary>
    [Fact]
    public async Task Mi_cuenta_muestra_proxima_factura_monto_a_pagar_aviso_de_suspension_y_como_pagar()
    {
        var db = host.ServiciosHost.GetRequiredService<Npgsql.NpgsqlDataSource>();
        async Task<object?> Sql(string sql)
        {
            await using var cmd = db.CreateCommand(sql);
            return await cmd.ExecuteScalarAsync();
        }
        var hoy = Telecable.Domain.Comun.RelojMexico.Hoy(TimeProvider.System);
        var factura = (Guid)(await Sql("""
            INSERT INTO facturas (uuid, serie, folio, cliente_id, contrato_id, subtotal, iva, total, metodo_pago, forma_pago, uso_cfdi, estado,
                                  fecha_emision, fecha_vencimiento, timbrada_en)
            VALUES (gen_random_uuid(), 'A', 700000000 + (random() * 1000000)::int, '00000000-0000-0000-0000-00000000c001',
                    '00000000-0000-0000-0000-00000000b001', 500.00, 80.00, 580.00, 'PUE', '03', 'G03', 'timbrada',
                    now() - interval '12 days', (now() AT TIME ZONE 'America/Mexico_City')::date - 2, now() - interval '12 days')
            RETURNING id
            """))!;
        try
        {
            var p = await host.PaginaAsync();
            await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
            await Pasos.Navegacion(p).GetByRole(AriaRole.Link, new() { Name = "Mi cuenta" }).ClickAsync();
            var resumen = p.Locator("dl[aria-label='Resumen de mi cuenta']");
            await Expect(resumen).ToBeVisibleAsync();
            // Next invoice: the contract's next cut-off (day 5), in es-MX.
            var proxima = CicloFacturacion.SiguienteCorte(hoy, 5);
            await Expect(resumen.Locator("div").Filter(new() { HasText = "Próxima factura" }).Locator("dd")).ToContainTextAsync(proxima.Year.ToString());
            await Expect(resumen.Locator("div").Filter(new() { HasText = "Próxima factura" }).Locator("dd")).ToContainTextAsync(proxima.Day.ToString());
            // Amount due includes the overdue invoice, in pesos.
            await Expect(resumen.Locator("div").Filter(new() { HasText = "Por pagar hoy" }).Locator("dd")).ToContainTextAsync("MXN");
            await Expect(resumen.Locator("div").Filter(new() { HasText = "Por pagar hoy" }).Locator("dd")).Not.ToHaveTextAsync("$0.00 MXN");
            // The warning: overdue, and the day the service will be suspended (due + 5 grace days + 1).
            var suspension = AvisoCuenta.DiaSuspension(hoy.AddDays(-2), 5, null);
            var aviso = p.GetByRole(AriaRole.Alert);
            await Expect(aviso).ToContainTextAsync("para evitar la suspensión");
            await Expect(aviso).ToContainTextAsync(suspension.ToString("dd/MM/yyyy"));
            // How to pay, with the way to pay online.
            await Expect(p.GetByText("Cómo pagar:")).ToBeVisibleAsync();
            await Expect(p.GetByRole(AriaRole.Link, new() { Name = "Pagar mis facturas con tarjeta" })).ToBeVisibleAsync();
            await Pasos.CapturarAsync(p, "jornada-cliente-mi-cuenta-vencida");

            // Suspended: the warning says so and how to come back.
            await Sql("UPDATE contratos SET estado = 'suspendido', version = version + 1 WHERE id = '00000000-0000-0000-0000-00000000b001' RETURNING 1");
            await p.ReloadAsync();
            await Expect(p.GetByRole(AriaRole.Alert)).ToContainTextAsync("Tu servicio está suspendido por falta de pago");
            await Expect(p.GetByRole(AriaRole.Alert)).ToContainTextAsync("se reactiva en segundos");
            await Pasos.CapturarAsync(p, "jornada-cliente-mi-cuenta-suspendida");
        }
        finally
        {
            await Sql("UPDATE contratos SET estado = 'activo', version = version + 1 WHERE id = '00000000-0000-0000-0000-00000000b001' AND estado = 'suspendido' RETURNING 1");
            await Sql($"UPDATE facturas SET estado = 'cancelada', cancelada_en = now(), motivo_cancelacion = '03' WHERE id = '{factura}' RETURNING 1");
        }
    }

    [Fact]
    public async Task El_cliente_ve_el_estado_de_su_router()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-cliente", "cliente");
        await p.GetByRole(AriaRole.Link, new() { Name = "Mi router" }).ClickAsync();
        // Issue 21: the router is chosen by its name (model, service, serial), never by typing its id; its status shows at once.
        await Expect(p.GetByLabel("Su router")).ToContainTextAsync("(serie ");
        await Expect(p.Locator("dl.kpis")).ToBeVisibleAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Actualizar estado" }).ClickAsync();
        await Expect(p.Locator("dl.kpis")).ToContainTextAsync("Estado");
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "jornada-cliente-router");
    }
}

[Collection(ColeccionNavegador.Nombre)]
public sealed class JornadaTecnicoTests(HostNavegador host)
{
    [Fact]
    public async Task El_tecnico_ve_sus_tickets_del_dia_sin_errores()
    {
        var p = await host.PaginaAsync(telefono: true);
        await Pasos.IngresarAsync(p, "portal-tecnico", "tecnico");
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Tickets de hoy" })).ToBeVisibleAsync();
        await Expect(p.Locator(".vista-cuerpo .tarjeta, .vista-cuerpo .vacio").First).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "jornada-tecnico-tickets");
    }

    [Fact]
    public async Task El_tecnico_avanza_una_instalacion_hasta_instalarla_y_la_cierra()
    {
        var p = await host.PaginaAsync(telefono: true);
        await Pasos.IngresarAsync(p, "portal-tecnico", "tecnico");
        // The demo technician's installation (seed ticket 1008, asignado).
        var tarjeta = p.Locator("li.tarjeta").Filter(new() { Has = p.GetByRole(AriaRole.Heading, new() { Name = "Ticket 1008 · Instalación" }) });
        foreach (var (estado, nombre) in new[] { ("en_camino", "En camino"), ("en_sitio", "En sitio") })
        {
            await tarjeta.GetByLabel("Nuevo estado").SelectOptionAsync(estado);
            await tarjeta.GetByRole(AriaRole.Button, new() { Name = "Guardar avance" }).ClickAsync();
            await Expect(tarjeta.GetByRole(AriaRole.Status)).ToContainTextAsync($"Avance guardado: {nombre}.");
        }
        await tarjeta.GetByLabel("Nuevo estado").SelectOptionAsync("instalado");
        await tarjeta.GetByRole(AriaRole.Button, new() { Name = "Guardar avance" }).ClickAsync();
        await Expect(tarjeta.GetByLabel("Número de serie del router")).ToHaveAttributeAsync("aria-invalid", "true"); // the serial is required
        await tarjeta.GetByLabel("Número de serie del router").FillAsync($"ZTE{Guid.NewGuid():N}"[..16].ToUpperInvariant());
        await tarjeta.GetByRole(AriaRole.Button, new() { Name = "Guardar avance" }).ClickAsync();
        await Expect(tarjeta.GetByRole(AriaRole.Status)).ToContainTextAsync("Avance guardado: Instalado.");
        await Expect(tarjeta.GetByRole(AriaRole.Status)).ToContainTextAsync("Contrato activado");
        await Pasos.CapturarAsync(p, "jornada-tecnico-instalado");

        await tarjeta.GetByRole(AriaRole.Button, new() { Name = "Cerrar ticket" }).ClickAsync();
        await Expect(tarjeta.GetByRole(AriaRole.Status)).ToHaveTextAsync("Ticket 1008 cerrado.");
        await Expect(tarjeta.GetByText("Estado: Cerrado")).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }
}

[Collection(ColeccionNavegador.Nombre)]
public sealed class JornadaBackofficeTests(HostNavegador host)
{
    [Fact]
    public async Task Soporte_busca_clientes_abre_el_estado_de_uno_y_reinicia_un_router()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "backoffice", "soporte");
        await Expect(p.GetByRole(AriaRole.Table, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Clientes \\(página 1") })).ToBeVisibleAsync();
        await Pasos.CapturarAsync(p, "jornada-backoffice-clientes");
        await p.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link).First.ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Estado del cliente" })).ToBeVisibleAsync();
        await Expect(p.Locator("dl.kpis")).ToContainTextAsync("RFC");
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "jornada-backoffice-estado-cliente");

        await p.GetByRole(AriaRole.Link, new() { Name = "Flota de routers" }).ClickAsync();
        var reiniciar = p.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Reiniciar ") }).First;
        await reiniciar.ClickAsync();
        await p.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Sí, reiniciar" }).ClickAsync(); // a reset asks first
        await Expect(p.Locator("main").GetByText(new System.Text.RegularExpressions.Regex("^Reinicio solicitado para "))).ToBeVisibleAsync();
        await Pasos.CapturarAsync(p, "jornada-backoffice-flota");

        foreach (var (seccion, tabla) in new[] { ("Tickets", "Bandeja de soporte"), ("Notificaciones", "Notificaciones enviadas") })
        {
            await p.GetByRole(AriaRole.Link, new() { Name = seccion, Exact = true }).ClickAsync();
            await Expect(p.GetByRole(AriaRole.Table, new() { Name = tabla }).Or(p.Locator(".vacio")).First).ToBeVisibleAsync();
            await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        }
    }

    [Fact]
    public async Task Cobranza_muestra_las_facturas_vencidas_con_dias_de_atraso_y_etapa_sin_identificadores()
    {
        // One of the demo's stamped invoices, eight days overdue, taken through collections (grace: 5 days).
        var db = host.ServiciosHost.GetRequiredService<Npgsql.NpgsqlDataSource>();
        await using (var cmd = db.CreateCommand("""
            UPDATE facturas SET fecha_vencimiento = (now() AT TIME ZONE 'America/Mexico_City')::date - 8
            WHERE id = (SELECT id FROM facturas WHERE estado = 'timbrada' AND contrato_id IS NOT NULL
                          AND cliente_id <> '00000000-0000-0000-0000-00000000c001' ORDER BY folio DESC LIMIT 1)
            RETURNING serie || folio
            """))
        {
            var folio = (string)(await cmd.ExecuteScalarAsync())!;
            await host.ServiciosHost.GetRequiredService<Telecable.Infrastructure.Cobranza.ServicioCobranza>().EvaluarAsync("navegador", CancellationToken.None);

            var p = await host.PaginaAsync();
            await Pasos.IngresarAsync(p, "backoffice", "soporte");
            await p.GetByRole(AriaRole.Link, new() { Name = "Cobranza" }).ClickAsync();
            var fila = p.GetByRole(AriaRole.Table, new() { Name = "Facturas vencidas" }).GetByRole(AriaRole.Row).Filter(new() { HasText = folio });
            await Expect(fila).ToContainTextAsync("Servicio suspendido");
            await Expect(fila.Locator("td[data-titulo='Días de atraso']")).ToHaveTextAsync("8");
            await Expect(fila).ToContainTextAsync("Suspendido");
            await Expect(fila).Not.ToContainTextAsync("suspension");
            await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
            await Pasos.CapturarAsync(p, "jornada-backoffice-cobranza");
        }
    }
}

[Collection(ColeccionNavegador.Nombre)]
public sealed class JornadaFacturacionTests(HostNavegador host)
{
    [Fact]
    public async Task Cobranzas_ve_indicadores_con_grafica_facturas_y_conciliaciones()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-facturacion", "cobranzas");
        await Expect(p.Locator("dl.kpis")).ToContainTextAsync(" MXN");
        await Expect(p.Locator("canvas[role=img]")).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "jornada-facturacion-indicadores");

        await p.GetByRole(AriaRole.Link, new() { Name = "Facturas" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Table, new() { Name = "Últimas facturas" })).ToContainTextAsync(" MXN");
        await p.GetByRole(AriaRole.Link, new() { Name = "Conciliaciones" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Table, new() { Name = "Conciliaciones de pagos" }).Or(p.Locator(".vacio"))).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task En_un_telefono_la_grafica_de_indicadores_carga_Chart_js_solo_al_llegar_a_ella()
    {
        // Chart.js (210 KB) blocks the main thread while it is evaluated: on a phone the chart is below the KPIs, so the
        // page must not pay for it until the person scrolls down to it.
        var p = await host.PaginaAsync(telefono: true);
        await Pasos.IngresarAsync(p, "portal-facturacion", "cobranzas");
        await Expect(p.Locator("dl.kpis")).ToContainTextAsync(" MXN");
        var lienzo = p.GetByRole(AriaRole.Img, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Facturado y cobrado por mes") });
        await Expect(lienzo).ToHaveCountAsync(1);
        Assert.False(await lienzo.IsVisibleAsync() && await lienzo.EvaluateAsync<bool>("c => c.getBoundingClientRect().top < innerHeight"),
            "La gráfica ya se ve al abrir la página en un teléfono: esta prueba no puede comprobar la carga diferida.");
        Assert.Equal(0, await p.Locator("script[src$='chart.umd.min.js']").CountAsync());
        await lienzo.ScrollIntoViewIfNeededAsync();
        await p.WaitForFunctionAsync("() => !!window.Chart?.getChart(document.querySelector('canvas[role=img]'))");
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Una_corrida_de_facturacion_muestra_su_avance_hasta_terminar()
    {
        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-facturacion", "admin");
        var facturado = p.Locator("dl.kpis div").Filter(new() { HasText = "Facturado" }).Locator("dd");
        await Expect(facturado).ToContainTextAsync(" MXN");
        var antes = await facturado.TextContentAsync();
        await p.GetByRole(AriaRole.Link, new() { Name = "Corridas" }).ClickAsync();
        await p.GetByLabel("Periodo (AAAA-MM)").FillAsync(DateTime.UtcNow.ToString("yyyy-MM"));
        await p.GetByRole(AriaRole.Button, new() { Name = "Iniciar corrida" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Progressbar, new() { Name = "Avance de la corrida" })).ToBeVisibleAsync();
        await Expect(p.Locator("#estado")).ToContainTextAsync("Corrida ", new() { Timeout = 120_000 });
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Pasos.CapturarAsync(p, "jornada-facturacion-corrida");

        // The run's invoices show in the KPIs and the chart.
        await p.GetByRole(AriaRole.Link, new() { Name = "Indicadores" }).ClickAsync();
        await Expect(facturado).ToContainTextAsync(" MXN");
        await Expect(facturado).Not.ToHaveTextAsync(antes!);
        await Expect(p.Locator("canvas[role=img]")).ToBeVisibleAsync();
        await Pasos.CapturarAsync(p, "jornada-facturacion-indicadores-tras-corrida");
    }

    [Fact]
    public async Task Una_corrida_fallida_muestra_su_causa_y_Reintentar_la_termina()
    {
        // A run whose orchestration was lost, as the reconciliation timer leaves it.
        var servicio = host.ServiciosHost.GetRequiredService<ServicioCorridas>();
        var c = await servicio.CrearAsync(new DateOnly(2025, 11, 1), "navegador", CancellationToken.None);
        await servicio.MarcarFallidaAsync(c.Id, FallaCorrida.Perdida, c.InstanceId, "navegador", CancellationToken.None);

        var p = await host.PaginaAsync();
        await Pasos.IngresarAsync(p, "portal-facturacion", "cobranzas");
        await p.GetByRole(AriaRole.Link, new() { Name = "Corridas" }).ClickAsync();
        var tabla = p.GetByRole(AriaRole.Table, new() { Name = "Corridas recientes" });
        var fila = tabla.GetByRole(AriaRole.Row).Filter(new() { HasText = "2025-11" });
        await Expect(fila).ToContainTextAsync("Fallida");
        await Expect(fila).ToContainTextAsync("La orquestación de la corrida ya no existe");
        await Expect(fila).Not.ToContainTextAsync(c.Id.ToString());
        await Pasos.CapturarAsync(p, "jornada-facturacion-corrida-fallida");

        await fila.GetByRole(AriaRole.Button, new() { Name = "Reintentar" }).ClickAsync();
        await Expect(p.Locator("#estado")).ToContainTextAsync("Corrida 2025-11 completada", new() { Timeout = 120_000 });
        await Expect(fila).ToContainTextAsync("Completada");
        await Expect(fila.GetByRole(AriaRole.Button, new() { Name = "Reintentar" })).ToHaveCountAsync(0);
        await Expect(p.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Iniciar_una_corrida_de_un_periodo_con_otra_en_curso_ofrece_seguirla()
    {
        var servicio = host.ServiciosHost.GetRequiredService<ServicioCorridas>();
        // Live and never scheduled: it stays en_proceso for this test (the timer's grace is 120 s).
        var viva = await servicio.CrearAsync(new DateOnly(2025, 10, 1), "navegador", CancellationToken.None);
        try
        {
            var p = await host.PaginaAsync();
            await Pasos.IngresarAsync(p, "portal-facturacion", "cobranzas");
            await p.GetByRole(AriaRole.Link, new() { Name = "Corridas" }).ClickAsync();
            await p.GetByLabel("Periodo (AAAA-MM)").FillAsync("2025-10");
            await p.GetByRole(AriaRole.Button, new() { Name = "Iniciar corrida" }).ClickAsync();
            var alerta = p.GetByRole(AriaRole.Alert);
            await Expect(alerta).ToContainTextAsync("Ya hay una corrida en curso para 2025-10");
            await Expect(alerta).Not.ToContainTextAsync(viva.Id.ToString());
            await alerta.GetByRole(AriaRole.Button, new() { Name = "Ver la corrida en curso" }).ClickAsync();
            await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Corrida de 2025-10" })).ToBeVisibleAsync();
        }
        finally
        {
            await servicio.MarcarFallidaAsync(viva.Id, FallaCorrida.Terminada, viva.InstanceId, "navegador", CancellationToken.None);
        }
    }
}
