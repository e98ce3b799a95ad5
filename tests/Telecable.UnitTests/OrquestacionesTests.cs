using System.Reflection;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Moq.Protected;
using Telecable.Application.Altas;
using Telecable.Application.Facturacion;
using Telecable.Application.Pagos;
using Telecable.Domain.Facturacion;
using Telecable.Domain.Pagos;
using Telecable.Orchestrations.AltaCliente;
using Telecable.Orchestrations.Plataforma;
using Telecable.Orchestrations.ProcesarPago;
using Telecable.Orchestrations.TimbradoMasivo;

namespace Telecable.UnitTests;

/// <summary>
/// A TaskOrchestrationContext mocked with Moq: each activity answers what the test says (a value, or a
/// TaskFailedException, which is how an orchestrator sees an activity whose retries are exhausted), and every
/// call is recorded with its input and options. Runs an orchestrator's code alone, without a durable backend.
/// </summary>
internal sealed class ContextoSimulado
{
    private readonly Mock<TaskOrchestrationContext> _mock = new() { CallBase = true };
    private readonly Dictionary<string, Queue<Func<object?, object?>>> _respuestas = new(StringComparer.Ordinal);

    public List<(string Actividad, object? Entrada, TaskOptions? Opciones)> Llamadas { get; } = [];
    public List<DateTime> Temporizadores { get; } = [];
    /// <summary>The inputs the orchestration continued as new with, in order.</summary>
    public List<object?> Continuaciones { get; } = [];
    public TaskOrchestrationContext Objeto => _mock.Object;

    /// <summary>Runs the orchestrator episode after episode, as the runtime does after each ContinueAsNew, and answers the
    /// last episode's result. Calls and timers accumulate across episodes.</summary>
    public async Task<R> HastaTerminar<R>(Func<TaskOrchestrationContext, Task<R>> orquestador)
    {
        while (true)
        {
            var antes = Continuaciones.Count;
            var r = await orquestador(Objeto);
            if (Continuaciones.Count == antes) return r;
        }
    }

    public static ContextoSimulado Con<T>(T entrada, string instancia = "instancia-1")
    {
        var c = new ContextoSimulado();
        c._mock.Setup(x => x.GetInput<T>()).Returns(entrada);
        c._mock.SetupGet(x => x.InstanceId).Returns(instancia);
        c._mock.SetupGet(x => x.CurrentUtcDateTime).Returns(new DateTime(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc));
        c._mock.SetupGet(x => x.IsReplaying).Returns(false);
        c._mock.Protected().SetupGet<ILoggerFactory>("LoggerFactory").Returns(NullLoggerFactory.Instance);
        c._mock.Setup(x => x.CreateTimer(It.IsAny<DateTime>(), It.IsAny<CancellationToken>()))
            .Callback((DateTime d, CancellationToken _) => c.Temporizadores.Add(d)).Returns(Task.CompletedTask);
        c._mock.Setup(x => x.CallActivityAsync<It.IsAnyType>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns(new InvocationFunc(inv => c.Responder(inv.Method.GetGenericArguments()[0], ((TaskName)inv.Arguments[0]!).Name, inv.Arguments[1], (TaskOptions?)inv.Arguments[2])));
        c._mock.Setup(x => x.ContinueAsNew(It.IsAny<object?>(), It.IsAny<bool>())).Callback((object? nueva, bool _) =>
        {
            c.Continuaciones.Add(nueva);
            c._mock.Setup(x => x.GetInput<T>()).Returns((T)nueva!);
        });
        return c;
    }

    /// <summary>The next call of this activity answers this value (calls beyond the queue repeat the last answer).</summary>
    public ContextoSimulado Responde(string actividad, Func<object?, object?> respuesta)
    {
        if (!_respuestas.TryGetValue(actividad, out var cola)) _respuestas[actividad] = cola = new();
        cola.Enqueue(respuesta);
        return this;
    }

    public ContextoSimulado Responde(string actividad, object? valor) => Responde(actividad, _ => valor);

    /// <summary>The activity fails for good: what the orchestrator sees once the retry policy gave up.</summary>
    public ContextoSimulado Falla(string actividad, string tipoError = "System.InvalidOperationException", string mensaje = "falla de prueba") =>
        Responde(actividad, _ => throw new TaskFailedException(actividad, 1,
            new TaskFailureDetails(tipoError, mensaje, null, null, null)));

    public List<string> Nombres => Llamadas.Select(l => l.Actividad).ToList();

    private object Responder(Type tipo, string actividad, object? entrada, TaskOptions? opciones)
    {
        Llamadas.Add((actividad, entrada, opciones));
        object? valor;
        try
        {
            valor = _respuestas.TryGetValue(actividad, out var cola) && cola.Count > 0
                ? (cola.Count > 1 ? cola.Dequeue() : cola.Peek())(entrada)
                : null;
        }
        catch (Exception ex)
        {
            return typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!.MakeGenericMethod(tipo).Invoke(null, [ex])!;
        }
        if (valor is null && tipo.IsValueType && Nullable.GetUnderlyingType(tipo) is null) valor = Activator.CreateInstance(tipo);
        return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(tipo).Invoke(null, [valor])!;
    }
}

/// <summary>AltaCliente: every step in order; on a failed step, the registered compensations in reverse.</summary>
public sealed class AltaClienteOrquestacionTests
{
    private static readonly EntradaAlta Entrada = new("alta-1", "cid-1");

    private static IEnumerable<string> Compensaciones(ContextoSimulado c) =>
        c.Llamadas.Where(l => l.Actividad == nameof(ActividadesAlta.CompensarPasoAlta)).Select(l => ((PasoAlta)l.Entrada!).Paso);

    [Fact]
    public async Task Exito_ejecuta_cada_paso_en_orden_sin_compensar_y_termina_bien()
    {
        var c = ContextoSimulado.Con(Entrada);
        var r = await AltaClienteOrquestacion.Ejecutar(c.Objeto);

        Assert.True(r.Exito);
        Assert.Equal(SagaAlta.Pasos, c.Llamadas.Where(l => l.Actividad == nameof(ActividadesAlta.EjecutarPasoAlta)).Select(l => ((PasoAlta)l.Entrada!).Paso));
        Assert.Empty(Compensaciones(c));
        Assert.Equal(nameof(ActividadesAlta.TerminarAlta), c.Nombres[^1]);
        Assert.True(((FinAlta)c.Llamadas[^1].Entrada!).Exito);
        Assert.All(c.Llamadas, l => Assert.Equal("cid-1", ((Telecable.Orchestrations.IConCid)l.Entrada!).Cid));
        // Each step retries (3 attempts), never a business error (ErrorDominio is deterministic).
        Assert.Equal(3, c.Llamadas[0].Opciones!.Retry!.Policy!.MaxNumberOfAttempts);
    }

    [Theory]
    [InlineData(SagaAlta.Cotizacion, new string[0])]
    [InlineData(SagaAlta.Cliente, new[] { SagaAlta.Cliente })]
    [InlineData(SagaAlta.Contrato, new[] { SagaAlta.Contrato, SagaAlta.Cliente })]
    [InlineData(SagaAlta.Ticket, new[] { SagaAlta.Ticket, SagaAlta.Contrato, SagaAlta.Cliente })]
    [InlineData(SagaAlta.Notificacion, new[] { SagaAlta.Ticket, SagaAlta.Contrato, SagaAlta.Cliente })]
    public async Task Un_paso_que_agota_sus_reintentos_compensa_en_orden_inverso_lo_registrado(string fallido, string[] compensados)
    {
        var c = ContextoSimulado.Con(Entrada).Responde(nameof(ActividadesAlta.EjecutarPasoAlta),
            e => ((PasoAlta)e!).Paso == fallido ? throw new TaskFailedException("EjecutarPasoAlta", 1, new TaskFailureDetails("X", "no", null, null, null)) : "ok");
        var r = await AltaClienteOrquestacion.Ejecutar(c.Objeto);

        Assert.False(r.Exito);
        Assert.Equal(fallido, r.PasoFallido);
        Assert.Equal("no", r.Motivo);
        Assert.Equal(compensados, Compensaciones(c));
        var registro = c.Llamadas.Single(l => l.Actividad == nameof(ActividadesAlta.RegistrarFalloAlta));
        Assert.Equal(fallido, ((FalloAlta)registro.Entrada!).Paso);
        Assert.True(c.Nombres.IndexOf(nameof(ActividadesAlta.RegistrarFalloAlta)) < c.Nombres.IndexOf(nameof(ActividadesAlta.TerminarAlta)));
        Assert.False(((FinAlta)c.Llamadas[^1].Entrada!).Exito);
        Assert.DoesNotContain(c.Llamadas.Where(l => l.Actividad == nameof(ActividadesAlta.EjecutarPasoAlta)), l => SagaAlta.Pasos.ToList().IndexOf(((PasoAlta)l.Entrada!).Paso) > SagaAlta.Pasos.ToList().IndexOf(fallido));
    }

    [Fact]
    public async Task Una_compensacion_que_agota_sus_reintentos_no_detiene_las_demas_y_el_alta_termina_fallida()
    {
        var c = ContextoSimulado.Con(Entrada)
            .Responde(nameof(ActividadesAlta.EjecutarPasoAlta), e => ((PasoAlta)e!).Paso == SagaAlta.Notificacion
                ? throw new TaskFailedException("EjecutarPasoAlta", 1, new TaskFailureDetails("X", "sin canal", null, null, null)) : "ok")
            .Responde(nameof(ActividadesAlta.CompensarPasoAlta), e => ((PasoAlta)e!).Paso == SagaAlta.Contrato
                ? throw new TaskFailedException("CompensarPasoAlta", 2, new TaskFailureDetails("X", "bloqueado", null, null, null)) : "deshecho");
        var r = await AltaClienteOrquestacion.Ejecutar(c.Objeto);

        Assert.False(r.Exito);
        Assert.Equal([SagaAlta.Ticket, SagaAlta.Contrato, SagaAlta.Cliente], Compensaciones(c));
        Assert.Equal(5, c.Llamadas.First(l => l.Actividad == nameof(ActividadesAlta.CompensarPasoAlta)).Opciones!.Retry!.Policy!.MaxNumberOfAttempts);
        Assert.Equal(nameof(ActividadesAlta.TerminarAlta), c.Nombres[^1]);
    }
}

/// <summary>ProcesarPago: apply, complement for PPD, reactivate, then notify; compensations in reverse on failure.</summary>
public sealed class ProcesarPagoOrquestacionTests
{
    private static readonly EntradaProcesarPago Entrada = new(Guid.NewGuid(), "cid-p");

    private static ResultadoAplicacion Aplicacion(bool ppd) =>
        new(Entrada.PagoId, Guid.NewGuid(), [new AplicacionCalculada(Guid.NewGuid(), 1, 500m, 500m)], 0m, ppd);

    [Fact]
    public async Task Exito_sin_PPD_aplica_reactiva_y_avisa()
    {
        var c = ContextoSimulado.Con(Entrada).Responde(nameof(ActividadesPago.AplicarPago), Aplicacion(false)).Responde(nameof(ActividadesPago.ReactivarServicio), 2);
        var r = await ProcesarPago.Ejecutar(c.Objeto);
        Assert.Equal("completado", r.Estado);
        Assert.Equal(2, r.ContratosReactivados);
        Assert.Null(r.ComplementoUuid);
        Assert.Equal([nameof(ActividadesPago.AplicarPago), nameof(ActividadesPago.ReactivarServicio), nameof(ActividadesPago.NotificarPago)], c.Nombres);
    }

    [Fact]
    public async Task Exito_con_PPD_emite_el_complemento()
    {
        var uuid = Guid.NewGuid();
        var c = ContextoSimulado.Con(Entrada).Responde(nameof(ActividadesPago.AplicarPago), Aplicacion(true))
            .Responde(nameof(ActividadesPago.EmitirComplementoPago), (Guid?)uuid);
        var r = await ProcesarPago.Ejecutar(c.Objeto);
        Assert.Equal("completado", r.Estado);
        Assert.Equal(uuid, r.ComplementoUuid);
        Assert.Equal([nameof(ActividadesPago.AplicarPago), nameof(ActividadesPago.EmitirComplementoPago), nameof(ActividadesPago.ReactivarServicio), nameof(ActividadesPago.NotificarPago)], c.Nombres);
    }

    [Theory]
    [InlineData(nameof(ActividadesPago.AplicarPago), true, new[] { nameof(ActividadesPago.RevertirAplicacionPago) })]
    [InlineData(nameof(ActividadesPago.EmitirComplementoPago), true, new[] { nameof(ActividadesPago.CancelarComplementoPago), nameof(ActividadesPago.RevertirAplicacionPago) })]
    [InlineData(nameof(ActividadesPago.ReactivarServicio), true, new[] { nameof(ActividadesPago.ResuspenderServicio), nameof(ActividadesPago.CancelarComplementoPago), nameof(ActividadesPago.RevertirAplicacionPago) })]
    [InlineData(nameof(ActividadesPago.ReactivarServicio), false, new[] { nameof(ActividadesPago.ResuspenderServicio), nameof(ActividadesPago.RevertirAplicacionPago) })]
    public async Task Un_paso_que_agota_sus_reintentos_compensa_en_orden_inverso_y_no_avisa(string fallido, bool ppd, string[] compensaciones)
    {
        var c = ContextoSimulado.Con(Entrada).Responde(nameof(ActividadesPago.AplicarPago), Aplicacion(ppd)).Falla(fallido);
        if (fallido == nameof(ActividadesPago.AplicarPago)) c = ContextoSimulado.Con(Entrada).Falla(fallido);
        var r = await ProcesarPago.Ejecutar(c.Objeto);
        Assert.Equal("compensado", r.Estado);
        Assert.StartsWith(fallido, r.Falla);
        var indice = c.Nombres.ToList().IndexOf(fallido);
        Assert.Equal(compensaciones, c.Nombres.Skip(indice + 1));
        Assert.DoesNotContain(nameof(ActividadesPago.NotificarPago), c.Nombres);
        Assert.Equal(3, c.Llamadas[0].Opciones!.Retry!.Policy!.MaxNumberOfAttempts);
    }

    [Fact]
    public async Task Una_compensacion_que_falla_deja_la_orquestacion_fallida_nombrandola_tras_intentar_las_demas()
    {
        var c = ContextoSimulado.Con(Entrada).Responde(nameof(ActividadesPago.AplicarPago), Aplicacion(true))
            .Falla(nameof(ActividadesPago.ReactivarServicio)).Falla(nameof(ActividadesPago.CancelarComplementoPago));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ProcesarPago.Ejecutar(c.Objeto));
        Assert.Contains(nameof(ActividadesPago.CancelarComplementoPago), e.Message);
        Assert.Equal(nameof(ActividadesPago.RevertirAplicacionPago), c.Nombres[^1]);
    }

    [Fact]
    public async Task Un_aviso_que_no_se_encola_no_deshace_el_pago()
    {
        var c = ContextoSimulado.Con(Entrada).Responde(nameof(ActividadesPago.AplicarPago), Aplicacion(false)).Falla(nameof(ActividadesPago.NotificarPago));
        var r = await ProcesarPago.Ejecutar(c.Objeto);
        Assert.Equal("completado", r.Estado);
        Assert.DoesNotContain(c.Nombres, n => n is nameof(ActividadesPago.RevertirAplicacionPago) or nameof(ActividadesPago.ResuspenderServicio));
    }
}

/// <summary>TimbradoMasivo: paged generation, chunks paged from the database, rounds with backoff over pending CFDIs, and a
/// run that fails for good.</summary>
public sealed class TimbradoMasivoOrquestacionTests
{
    private static readonly EntradaTimbradoMasivo Entrada = new(Guid.NewGuid(), "cid-t");

    private static ProgresoCorrida Cierre(int timbradas, int fallidas) =>
        new(Entrada.CorridaId, "2026-12", "completada", "instancia-1", timbradas + fallidas, timbradas, fallidas, 0, 0, 0m,
            new Dictionary<string, int>(), null, null);

    private static List<ParteCorrida> Partes(ContextoSimulado c) =>
        c.Llamadas.Where(l => l.Actividad == nameof(ActividadesTimbrado.TimbrarParte)).Select(l => (ParteCorrida)l.Entrada!).ToList();

    /// <summary>The database side of a run, in memory: generation in pages of contracts (one invoice each, folios 1..n),
    /// the chunks still to stamp paged after a folio as ServicioCorridas.PartesAsync does, and each chunk stamping what is
    /// left in its range (or leaving it pending while <see cref="PacCaido"/> says so, error in the last round).</summary>
    private sealed class CorridaSimulada(int facturas, int porPagina, int porParte = 50)
    {
        private readonly SortedSet<long> _porTimbrar = [];
        private int _generadas;
        public Func<ParteCorrida, bool> PacCaido { get; init; } = _ => false;

        public ContextoSimulado Contexto(int enVuelo = 6, int porEpisodio = 100) => ContextoSimulado.Con(Entrada)
            .Responde(nameof(ActividadesTimbrado.PrepararCorrida), new PreparacionCorrida(true, enVuelo, porEpisodio))
            .Responde(nameof(ActividadesTimbrado.GenerarPagina), _ => Generar())
            .Responde(nameof(ActividadesTimbrado.PartesCorrida), e => Siguientes((SiguientesPartes)e!))
            .Responde(nameof(ActividadesTimbrado.TimbrarParte), e => Timbrar((ParteCorrida)e!))
            .Responde(nameof(ActividadesTimbrado.CerrarCorrida), Cierre(0, 0));

        private PaginaGenerada Generar()
        {
            var n = Math.Min(porPagina, facturas - _generadas);
            for (var i = 1; i <= n; i++) _porTimbrar.Add(_generadas + i);
            _generadas += n;
            return new PaginaGenerada(n, new CursorContratos(_generadas, Guid.Empty), n == 0);
        }

        private RangoFolios[] Siguientes(SiguientesPartes s) =>
            [.. _porTimbrar.GetViewBetween(s.DespuesDeFolio + 1, long.MaxValue).Take(s.Maximo * porParte).Chunk(porParte).Select(f => new RangoFolios(f[0], f[^1]))];

        private ResultadoParte Timbrar(ParteCorrida p)
        {
            var folios = _porTimbrar.GetViewBetween(p.FolioDesde, p.FolioHasta).ToList();
            if (PacCaido(p) && !p.UltimaRonda) return new ResultadoParte(0, 0, folios.Count);
            _porTimbrar.ExceptWith(folios);
            return PacCaido(p) ? new ResultadoParte(0, folios.Count, 0) : new ResultadoParte(folios.Count, 0, 0);
        }
    }

    [Fact]
    public async Task Exito_en_una_ronda_genera_por_paginas_reparte_en_rangos_de_folios_y_cierra()
    {
        var c = new CorridaSimulada(120, 100).Contexto();
        var r = await c.HastaTerminar(TimbradoMasivo.Ejecutar);
        Assert.Equal(("completada", 120, 120, 1), (r.Estado, r.Generadas, r.Timbradas, r.Rondas));
        // Pages after null, after contract 100, after 120 (empty: generation ended).
        Assert.Equal([null, 100L, 120L], c.Llamadas.Where(l => l.Actividad == nameof(ActividadesTimbrado.GenerarPagina))
            .Select(l => ((PaginaCorrida)l.Entrada!).Despues?.NumeroCliente));
        Assert.Equal([(0, 1L, 50L), (1, 51L, 100L), (2, 101L, 120L)], Partes(c).Select(p => (p.Parte, p.FolioDesde, p.FolioHasta)));
        Assert.Empty(c.Temporizadores);
        Assert.Single(c.Continuaciones);
        Assert.Equal(5, c.Llamadas[0].Opciones!.Retry!.Policy!.MaxNumberOfAttempts);
    }

    [Fact]
    public async Task Una_corrida_grande_continua_como_nueva_cada_episodio_y_timbra_cada_parte_una_vez()
    {
        // 250 CFDIs in pages of 100 (3 pages and the empty one), 5 chunks, 2 in flight, 2 per episode.
        var c = new CorridaSimulada(250, 100).Contexto(enVuelo: 2, porEpisodio: 2);
        var r = await c.HastaTerminar(TimbradoMasivo.Ejecutar);
        Assert.Equal(("completada", 250, 250), (r.Estado, r.Generadas, r.Timbradas));
        Assert.Equal([0, 1, 2, 3, 4], Partes(c).Select(p => p.Parte));
        Assert.Equal([(1L, 50L), (51L, 100L), (101L, 150L), (151L, 200L), (201L, 250L)], Partes(c).Select(p => (p.FolioDesde, p.FolioHasta)));
        // Episodes: 2 pages; the third page and the empty one that ends generation; 2 chunks; 2 chunks; the last chunk.
        Assert.Equal(4, c.Continuaciones.Count);
        Assert.Single(c.Llamadas, l => l.Actividad == nameof(ActividadesTimbrado.PrepararCorrida));
        Assert.Single(c.Llamadas, l => l.Actividad == nameof(ActividadesTimbrado.CerrarCorrida));
    }

    [Fact]
    public async Task Una_corrida_ya_generada_no_genera_y_timbra_lo_que_quedo()
    {
        var c = ContextoSimulado.Con(Entrada)
            .Responde(nameof(ActividadesTimbrado.PrepararCorrida), new PreparacionCorrida(false))
            .Responde(nameof(ActividadesTimbrado.PartesCorrida), new RangoFolios[] { new(7, 90) })
            .Responde(nameof(ActividadesTimbrado.TimbrarParte), new ResultadoParte(3, 0, 0))
            .Responde(nameof(ActividadesTimbrado.CerrarCorrida), Cierre(3, 0));
        var r = await c.HastaTerminar(TimbradoMasivo.Ejecutar);
        Assert.Equal(("completada", 3), (r.Estado, r.Timbradas));
        Assert.DoesNotContain(nameof(ActividadesTimbrado.GenerarPagina), c.Nombres);
        Assert.Equal([(7L, 90L)], Partes(c).Select(p => (p.FolioDesde, p.FolioHasta)));
    }

    [Fact]
    public async Task Las_partes_con_PAC_no_disponible_se_repiten_tras_un_temporizador_y_la_ultima_ronda_lo_dice()
    {
        var c = new CorridaSimulada(10, 100, porParte: 5) { PacCaido = p => p.FolioDesde == 6 }.Contexto();
        var r = await c.HastaTerminar(TimbradoMasivo.Ejecutar);
        Assert.Equal(TimbradoMasivo.Rondas, r.Rondas);
        Assert.Equal((5, 5), (r.Timbradas, r.Fallidas));
        Assert.Equal(TimbradoMasivo.Rondas - 1, c.Temporizadores.Count);
        // Backoff: 2, 4, 8, 16 s after the orchestration's own clock.
        Assert.Equal([2d, 4d, 8d, 16d], c.Temporizadores.Select(t => (t - c.Objeto.CurrentUtcDateTime).TotalSeconds));
        var caida = Partes(c).Where(p => p.FolioDesde == 6).ToList();
        Assert.Equal(TimbradoMasivo.Rondas, caida.Count);
        Assert.True(caida[^1].UltimaRonda);
        Assert.DoesNotContain(caida[..^1], p => p.UltimaRonda);
        Assert.Single(Partes(c), p => p.FolioDesde == 1);
    }

    [Fact]
    public async Task Ni_la_entrada_ni_un_episodio_ni_una_actividad_crecen_con_la_corrida()
    {
        // Issue 24: the same bounds for 1,000 and for 50,000 CFDIs (1,000 chunks): what the orchestration carries across
        // ContinueAsNew, what it sends an activity and the calls one episode makes (its history: about 3 events each).
        static async Task<(int Entrada, int Carga, int Llamadas)> MedirAsync(int facturas)
        {
            var simulada = new CorridaSimulada(facturas, 1000);
            var c = simulada.Contexto();
            var episodio = 0;
            var porEpisodio = new Dictionary<int, int>();
            var r = await EpisodiosAsync(c, () => episodio++, porEpisodio);
            Assert.Equal(facturas, r.Timbradas);
            var json = (object? o) => System.Text.Json.JsonSerializer.Serialize(o).Length;
            return (c.Continuaciones.Max(json), c.Llamadas.Max(l => json(l.Entrada)), porEpisodio.Values.Max());
        }

        var chica = await MedirAsync(1_000);
        var grande = await MedirAsync(50_000);
        Assert.True(grande.Entrada <= chica.Entrada + 16, $"entrada {grande.Entrada} B con 50,000 contra {chica.Entrada} B con 1,000");
        Assert.True(grande.Carga <= chica.Carga + 16, $"actividad {grande.Carga} B con 50,000 contra {chica.Carga} B con 1,000");
        Assert.InRange(grande.Llamadas, 1, 103);
        // The types themselves carry no collection: no list of contracts, invoices or chunks can creep in later.
        foreach (var t in new[] { typeof(EntradaTimbradoMasivo), typeof(EstadoTimbrado), typeof(ParteCorrida), typeof(PaginaCorrida),
                     typeof(SiguientesPartes), typeof(PreparacionCorrida), typeof(PaginaGenerada), typeof(CursorContratos) })
            Assert.DoesNotContain(t.GetProperties(), p => p.PropertyType != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(p.PropertyType));
    }

    /// <summary>As HastaTerminar, counting the activity calls of each episode.</summary>
    private static async Task<ResultadoTimbradoMasivo> EpisodiosAsync(ContextoSimulado c, Func<int> siguiente, Dictionary<int, int> porEpisodio)
    {
        while (true)
        {
            var (antes, llamadas) = (c.Continuaciones.Count, c.Llamadas.Count);
            var r = await TimbradoMasivo.Ejecutar(c.Objeto);
            porEpisodio[siguiente()] = c.Llamadas.Count - llamadas;
            if (c.Continuaciones.Count == antes) return r;
        }
    }

    [Fact]
    public async Task Una_actividad_que_agota_sus_reintentos_deja_la_corrida_fallida_con_su_causa()
    {
        var c = ContextoSimulado.Con(Entrada)
            .Responde(nameof(ActividadesTimbrado.PrepararCorrida), new PreparacionCorrida(false))
            .Responde(nameof(ActividadesTimbrado.PartesCorrida), new RangoFolios[] { new(1, 10) })
            .Falla(nameof(ActividadesTimbrado.TimbrarParte), "Npgsql.NpgsqlException", "conexión rechazada");
        var r = await c.HastaTerminar(TimbradoMasivo.Ejecutar);
        Assert.Equal("fallida", r.Estado);
        var marca = (CorridaFallida)c.Llamadas.Single(l => l.Actividad == nameof(ActividadesTimbrado.MarcarCorridaFallida)).Entrada!;
        Assert.Equal("base_de_datos", marca.Causa.Codigo);
        Assert.Equal("instancia-1", marca.InstanceId);
        Assert.DoesNotContain(nameof(ActividadesTimbrado.CerrarCorrida), c.Nombres);
    }
}

/// <summary>SondaDurable: each step once and then the result; a step that fails for good fails the probe.</summary>
public sealed class SondaDurableOrquestacionTests
{
    [Fact]
    public async Task Exito_registra_cada_paso_y_completa()
    {
        var c = ContextoSimulado.Con(new EntradaSonda(3, 0, "cid-s"), "sonda-1");
        var r = await SondaDurable.Ejecutar(c.Objeto);
        Assert.Equal(("sonda-1", 3), (r.Instancia, r.Pasos));
        Assert.Equal([0, 1, 2, 3], c.Llamadas.Select(l => ((PasoSonda)l.Entrada!).Paso));
        Assert.Equal(nameof(ActividadesSonda.CompletarSonda), c.Nombres[^1]);
    }

    [Fact]
    public async Task Un_paso_que_agota_sus_reintentos_falla_la_sonda_sin_completarla()
    {
        var c = ContextoSimulado.Con(new EntradaSonda(3, 0, "cid-s")).Falla(nameof(ActividadesSonda.RegistrarPasoSonda));
        await Assert.ThrowsAsync<TaskFailedException>(() => SondaDurable.Ejecutar(c.Objeto));
        Assert.DoesNotContain(nameof(ActividadesSonda.CompletarSonda), c.Nombres);
    }
}

/// <summary>Issue 24: a billing chunk rides out a database that refuses connections for a minute (every host of a scaled-out
/// app reconnecting at once, max_connections reached) instead of failing the whole run after 15 s.</summary>
public sealed class TimbradoMasivoReintentosTests
{
    [Fact]
    public async Task Una_parte_reintenta_al_menos_un_minuto_antes_de_dar_la_corrida_por_fallida()
    {
        var c = ContextoSimulado.Con(new EntradaTimbradoMasivo(Guid.NewGuid(), "cid-r"))
            .Responde(nameof(ActividadesTimbrado.PrepararCorrida), new PreparacionCorrida(false))
            .Responde(nameof(ActividadesTimbrado.PartesCorrida), new RangoFolios[] { new(1, 50) })
            .Responde(nameof(ActividadesTimbrado.TimbrarParte), new ResultadoParte(50, 0, 0))
            .Responde(nameof(ActividadesTimbrado.CerrarCorrida), new ProgresoCorrida(Guid.NewGuid(), "2026-12", "completada", "instancia-1", 50, 50, 0, 0, 0, 0m,
                new Dictionary<string, int>(), null, null));
        await c.HastaTerminar(TimbradoMasivo.Ejecutar);
        var p = c.Llamadas.First(l => l.Actividad == nameof(ActividadesTimbrado.TimbrarParte)).Opciones!.Retry!.Policy!;
        double espera = 0, intervalo = p.FirstRetryInterval.TotalSeconds;
        for (var i = 1; i < p.MaxNumberOfAttempts; i++)
        {
            espera += Math.Min(intervalo, p.MaxRetryInterval.TotalSeconds);
            intervalo *= p.BackoffCoefficient;
        }
        Assert.True(espera >= 60, $"TimbrarParte espera {espera} s en total entre sus intentos.");
    }
}

/// <summary>ProcesarPagosLote: one activity for the batch; if it fails for good, the payments are released for the timer.</summary>
public sealed class ProcesarPagosLoteOrquestacionTests
{
    private static readonly EntradaProcesarPagosLote Entrada = new([Guid.NewGuid(), Guid.NewGuid()], "cid-l");

    [Fact]
    public async Task Un_lote_corre_en_una_actividad_y_devuelve_el_resultado_de_cada_pago()
    {
        var resultados = Entrada.PagoIds.Select(p => new ResultadoProcesarPago(p, "completado", null, 0, null)).ToList();
        var c = ContextoSimulado.Con(Entrada).Responde(nameof(ActividadesPagosLote.ProcesarPagosEnLote), resultados);
        var r = await c.HastaTerminar(ProcesarPagosLote.Ejecutar);
        Assert.Equal(resultados, r);
        Assert.Equal([nameof(ActividadesPagosLote.ProcesarPagosEnLote)], c.Nombres);
    }

    [Fact]
    public async Task Un_lote_que_falla_del_todo_libera_sus_pagos_y_falla()
    {
        var c = ContextoSimulado.Con(Entrada).Falla(nameof(ActividadesPagosLote.ProcesarPagosEnLote), "Npgsql.NpgsqlException", "sin base");
        await Assert.ThrowsAsync<TaskFailedException>(() => c.HastaTerminar(ProcesarPagosLote.Ejecutar));
        Assert.Equal([nameof(ActividadesPagosLote.ProcesarPagosEnLote), nameof(ActividadesPagosLote.LiberarPagosLote)], c.Nombres);
        Assert.Same(Entrada, c.Llamadas[1].Entrada);
    }

    [Fact]
    public void La_instancia_del_lote_es_la_misma_para_los_mismos_pagos_y_otra_si_cambia_alguno()
    {
        var instancia = ProcesarPagosLote.InstanciaPara(Entrada.PagoIds);
        Assert.StartsWith($"pagos-lote-{Entrada.PagoIds[0]:N}-", instancia);
        Assert.Equal(instancia, ProcesarPagosLote.InstanciaPara([.. Entrada.PagoIds]));
        Assert.NotEqual(instancia, ProcesarPagosLote.InstanciaPara([.. Entrada.PagoIds, Guid.NewGuid()]));
    }
}
