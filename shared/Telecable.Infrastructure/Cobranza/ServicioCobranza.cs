using System.Diagnostics.Metrics;
using Dapper;
using Npgsql;
using Telecable.Application.Comun;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Cobranza;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Infrastructure.Cobranza;

public sealed record SolicitudPromesaPago(string? Hasta, string? Motivo);

public sealed record PromesaPago(Guid Id, Guid ClienteId, DateOnly Hasta, string Motivo, string RegistradaPor, DateTime CreatedAt);

public sealed record FacturaVencida(Guid ClienteId, string Cliente, Guid FacturaId, string Folio, decimal Saldo, DateOnly FechaVencimiento,
    int DiasVencida, string? Etapa, DateOnly? PromesaHasta, string? EstadoContrato);

public sealed record ResultadoCobranza(int Recordatorios, int Suspensiones);

/// <summary>Settings of collections (section "Cobranza").</summary>
public sealed class OpcionesCobranza
{
    public const string Seccion = "Cobranza";
    /// <summary>The EvaluarCobranza timer runs (off only in tests that fingerprint the database).</summary>
    public bool Evaluar { get; set; } = true;
}

/// <summary>
/// Collections over open invoices (stamped, with a balance): reminders before, on and after the due date on the
/// customer's WhatsApp and e-mail, and automatic suspension after the plan's grace days unless a promise to pay
/// holds it; the suspension reaches the router as a 'suspender' command. Each stage is recorded once per invoice
/// (cobranza_etapas' primary key) in the same transaction as its messages and effects, so a retried timer, a
/// second host or a crash never sends a reminder twice or suspends twice. Rules: <see cref="ReglasCobranza"/>.
/// </summary>
public sealed class ServicioCobranza(NpgsqlDataSource db, TimeProvider reloj)
{
    public const string EventoContratoSuspendido = "ContratoSuspendido";
    public const string EventoPromesaPago = "PromesaPagoRegistrada";
    private const int MaximoDiasPromesa = 30;

    private static readonly Counter<long> Etapas = Telemetria.Medidor.CreateCounter<long>(
        "telecable.cobranza.etapas", "{etapa}", "Collection stages reached by unpaid invoices (reminders, suspensions)");
    private static readonly Counter<long> Reaperturas = Telemetria.Medidor.CreateCounter<long>(
        "telecable.cobranza.reaperturas", "{factura}", "Invoices whose suspension stage was reopened because the payment that settled them was reversed");

    /// <summary>
    /// A payment that settled an invoice was reversed (its complement cancelled, a refund, a chargeback): the invoice is due
    /// again, and its dunning follows its balance again. The recorded <c>suspension</c> stage of each reopened invoice is
    /// removed when its contract is not suspended now (the payment reactivated it, or staff did), so the next
    /// <see cref="EvaluarAsync"/> suspends it again if it is past its grace days and no promise to pay holds it. Where the
    /// contract is still suspended (the saga's compensation re-suspends before it reverses the application) the stage
    /// stays, so nothing is suspended or announced twice. Reminder stages stay: the customer was already reminded.
    /// Call it in the transaction that reverses the applications, before they are deleted.
    /// </summary>
    public static async Task<int> ReabrirSuspensionAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid pagoId, CancellationToken ct)
    {
        var n = await cn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM cobranza_etapas e USING facturas f
            WHERE e.factura_id = f.id AND e.etapa = 'suspension'
              AND f.id IN (SELECT factura_id FROM pago_aplicaciones WHERE pago_id = @pagoId)
              AND NOT EXISTS (SELECT 1 FROM contratos k WHERE k.id = f.contrato_id AND k.estado = 'suspendido')
            """, new { pagoId }, tx, cancellationToken: ct));
        if (n > 0) Reaperturas.Add(n);
        return n;
    }

    private const string SqlAbiertas = """
        SELECT f.id AS FacturaId, f.cliente_id AS ClienteId, f.contrato_id AS ContratoId, coalesce(f.serie, '') || f.folio AS Folio,
               f.fecha_vencimiento AS Vencimiento,
               f.total - f.acreditado - coalesce((SELECT sum(a.monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0) AS Saldo,
               coalesce(pl.dias_gracia, 5) AS DiasGracia, c.nombre AS Nombre, c.telefono AS Telefono, c.email AS Email,
               (SELECT max(hasta) FROM promesas_pago p WHERE p.cliente_id = f.cliente_id) AS PromesaHasta,
               coalesce((SELECT array_agg(etapa) FROM cobranza_etapas e WHERE e.factura_id = f.id), '{}') AS Hechas,
               k.estado AS EstadoContrato
        FROM facturas f
        JOIN clientes c ON c.id = f.cliente_id
        LEFT JOIN contratos k ON k.id = f.contrato_id
        LEFT JOIN planes pl ON pl.id = k.plan_id
        WHERE f.estado = 'timbrada' AND f.fecha_vencimiento IS NOT NULL
        """;

    /// <summary>Open invoices (with a balance) that also meet <paramref name="condicion"/>; the balance is filtered in
    /// SQL so paging and counting happen there too.</summary>
    private static string Abiertas(string condicion) => $"SELECT * FROM ({SqlAbiertas} AND {condicion}) a WHERE saldo > 0";

    public DateOnly Hoy() => reloj.Hoy();

    /// <summary>Brings every open invoice due within the reminder window up to date with its stages.</summary>
    public async Task<ResultadoCobranza> EvaluarAsync(string cid, CancellationToken ct)
    {
        var hoy = Hoy();
        List<Abierta> abiertas;
        await using (var cn = await db.OpenConnectionAsync(ct))
        {
            abiertas = (await cn.QueryAsync<Abierta>(new CommandDefinition(Abiertas("f.fecha_vencimiento <= @limite") + " ORDER BY vencimiento",
                new { limite = hoy.AddDays(ReglasCobranza.DiasAviso) }, cancellationToken: ct))).AsList();
        }
        int recordatorios = 0, suspensiones = 0;
        foreach (var f in abiertas)
        {
            var pendientes = ReglasCobranza.Pendientes(
                new FacturaAbierta(f.Vencimiento, f.DiasGracia, f.PromesaHasta, f.Hechas.ToHashSet()), hoy);
            foreach (var etapa in pendientes)
            {
                if (!await AplicarAsync(f, etapa, cid, ct)) continue;
                if (etapa == EtapasCobranza.Suspension) suspensiones++; else recordatorios++;
                Etapas.Add(1, new KeyValuePair<string, object?>("etapa", etapa));
            }
        }
        return new ResultadoCobranza(recordatorios, suspensiones);
    }

    private async Task<bool> AplicarAsync(Abierta f, string etapa, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var nueva = await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO cobranza_etapas (factura_id, etapa, cid) VALUES (@FacturaId, @etapa, @cid) ON CONFLICT DO NOTHING
            """, new { f.FacturaId, etapa, cid }, tx, cancellationToken: ct));
        if (nueva == 0) return false;
        var (asunto, cuerpo) = PlantillasCobranza.Mensaje(etapa, f.Nombre, f.Folio, f.Saldo, f.Vencimiento, PlantillasCobranza.ComoPagar);
        foreach (var (canal, destino) in new[] { ("whatsapp", f.Telefono), ("email", f.Email) })
        {
            if (string.IsNullOrWhiteSpace(destino)) continue;
            await AltasYTickets.ColaNotificaciones.EncolarAsync(cn, tx, new(f.ClienteId, canal, destino, $"cobranza_{etapa}", asunto, cuerpo, cid,
                Clave: $"cobranza:{f.FacturaId}:{etapa}:{canal}"), ct);
        }
        if (etapa == EtapasCobranza.Suspension && f.ContratoId is { } contrato)
        {
            var suspendido = await cn.ExecuteAsync(new CommandDefinition("""
                UPDATE contratos SET estado = 'suspendido', version = version + 1 WHERE id = @contrato AND estado = 'activo'
                """, new { contrato }, tx, cancellationToken: ct));
            if (suspendido == 1)
            {
                await ComandosRouter.EncolarAsync(cn, tx, [contrato], "suspender", "cobranza", cid, ct);
                await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(EventoContratoSuspendido, "contrato", contrato.ToString(),
                    new { contratoId = contrato, f.ClienteId, f.FacturaId, motivo = "adeudo", f.Saldo, fechaVencimiento = f.Vencimiento }, cid, reloj.GetUtcNow()), ct);
            }
        }
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Staff hold a customer's automatic suspension until a date (at most 30 days ahead); audited as an event
    /// carrying who granted it and why.</summary>
    public async Task<PromesaPago> RegistrarPromesaAsync(Guid clienteId, SolicitudPromesaPago s, string actor, string cid, CancellationToken ct)
    {
        var hoy = Hoy();
        var v = new Validador().Requerido(s.Motivo, "motivo", 500);
        var fechaValida = DateOnly.TryParseExact(s.Hasta, "yyyy-MM-dd", out var hasta);
        v.Regla(fechaValida, "hasta", "Debe ser una fecha yyyy-MM-dd.")
         .Regla(!fechaValida || (hasta >= hoy && hasta <= hoy.AddDays(MaximoDiasPromesa)), "hasta",
             $"Debe estar entre hoy y {MaximoDiasPromesa} días después.");
        v.Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var existe = await cn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM clientes WHERE id = @clienteId)",
            new { clienteId }, tx, cancellationToken: ct));
        if (!existe) throw new ErrorNoEncontrado("cliente", clienteId.ToString());
        var p = await cn.QuerySingleAsync<PromesaPago>(new CommandDefinition("""
            INSERT INTO promesas_pago (cliente_id, hasta, motivo, registrada_por, cid) VALUES (@clienteId, @hasta, @motivo, @actor, @cid)
            RETURNING id, cliente_id AS ClienteId, hasta, motivo, registrada_por AS RegistradaPor, created_at AS CreatedAt
            """, new { clienteId, hasta, motivo = s.Motivo!.Trim(), actor, cid }, tx, cancellationToken: ct));
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(EventoPromesaPago, "cliente", clienteId.ToString(),
            new { promesaId = p.Id, clienteId, hasta, p.Motivo, registradaPor = actor }, cid, reloj.GetUtcNow()), ct);
        await tx.CommitAsync(ct);
        return p;
    }

    /// <summary>Overdue invoices with their days overdue and collection stage, most overdue first.</summary>
    public async Task<Pagina<FacturaVencida>> VencidasAsync(Paginacion pagina, CancellationToken ct)
    {
        var hoy = Hoy();
        await using var cn = await db.OpenConnectionAsync(ct);
        var vencidas = Abiertas("f.fecha_vencimiento < @hoy");
        var filtro = new { hoy, tamano = pagina.Tamano, saltar = pagina.Saltar };
        var total = await cn.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM ({vencidas}) v", filtro, cancellationToken: ct));
        var filas = await cn.QueryAsync<Abierta>(new CommandDefinition(vencidas + " ORDER BY vencimiento, facturaid LIMIT @tamano OFFSET @saltar",
            filtro, cancellationToken: ct));
        var elementos = filas.Select(f => new FacturaVencida(
            f.ClienteId, f.Nombre, f.FacturaId, f.Folio, f.Saldo, f.Vencimiento, hoy.DayNumber - f.Vencimiento.DayNumber,
            f.Hechas.OrderBy(ReglasCobranza.Orden).LastOrDefault(), f.PromesaHasta is { } p && p >= hoy ? p : null, f.EstadoContrato)).ToList();
        return pagina.Con(elementos, total);
    }

    // Properties rather than a positional record: Dapper matches constructors by exact column types, and text[]
    // arrives typed as System.Array.
    private sealed class Abierta
    {
        public Guid FacturaId { get; init; }
        public Guid ClienteId { get; init; }
        public Guid? ContratoId { get; init; }
        public string Folio { get; init; } = "";
        public DateOnly Vencimiento { get; init; }
        public decimal Saldo { get; init; }
        public int DiasGracia { get; init; }
        public string Nombre { get; init; } = "";
        public string? Telefono { get; init; }
        public string? Email { get; init; }
        public DateOnly? PromesaHasta { get; init; }
        public string[] Hechas { get; init; } = [];
        public string? EstadoContrato { get; init; }
    }
}

/// <summary>Commands for the routers of some contracts, delivered in the answer to each router's next report.</summary>
public static class ComandosRouter
{
    public static Task<int> EncolarAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid[] contratos, string tipo, string actor, string cid, CancellationToken ct) =>
        cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO router_comandos (router_id, tipo, solicitado_por, cid)
            SELECT id, @tipo, @actor, @cid FROM routers WHERE contrato_id = ANY(@contratos)
            """, new { contratos, tipo, actor, cid }, tx, cancellationToken: ct));
}
