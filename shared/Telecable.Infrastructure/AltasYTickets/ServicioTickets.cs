using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Clientes;
using Telecable.Domain.Comun;
using Telecable.Domain.Tickets;
using Telecable.Infrastructure.Catalogo;

namespace Telecable.Infrastructure.AltasYTickets;

public sealed record SolicitudTicket(Guid? ContratoId, string? Descripcion, string? Prioridad, DateOnly? FechaProgramada, string? FranjaHoraria);
public sealed record SolicitudInstalacion(Guid? ContratoId, DateOnly? FechaProgramada, string? FranjaHoraria, string? Descripcion);
public sealed record ProgresoTicket(string? Estado, string? Nota, string? SerialRouter, string? ModeloRouter, string? Mac);
public sealed record CierreTicket(string? Nota);
public sealed record SolicitudFeedback(int? Calificacion, string? Comentario);
public sealed record FiltroTickets(string? Tecnico, string? Estado, DateOnly? Fecha, Application.Comun.Paginacion Pagina);

public sealed record Ticket
{
    public Guid Id { get; init; }
    public long Numero { get; init; }
    public string Tipo { get; init; } = "";
    public Guid ClienteId { get; init; }
    public Guid? ContratoId { get; init; }
    public Guid? TecnicoId { get; init; }
    public string Estado { get; init; } = "";
    public string Prioridad { get; init; } = "";
    public string? FechaProgramada { get; init; }
    public string? FranjaHoraria { get; init; }
    public string Descripcion { get; init; } = "";
    public DateTime? CerradoEn { get; init; }
    public DateTime CreatedAt { get; init; }
    public int Version { get; init; }
    public IReadOnlyList<EventoTicket>? Eventos { get; init; }
    public Feedback? Feedback { get; init; }
}

public sealed record EventoTicket
{
    public string? EstadoAnterior { get; init; }
    public string? EstadoNuevo { get; init; }
    public string? Nota { get; init; }
    public string Actor { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    /// <summary>An internal note of the support desk: never shown to the customer.</summary>
    public bool Interna { get; init; }
}

public sealed record Feedback
{
    public int Calificacion { get; init; }
    public string? Comentario { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// A ticket as the technician's card shows it: whom to visit, where (address and references, for a map link), how to
/// call them and what they have. Only for tickets assigned to the technician asking.
/// </summary>
public sealed record VisitaTecnico
{
    public Guid Id { get; init; }
    public long Numero { get; init; }
    public string Tipo { get; init; } = "";
    public string Estado { get; init; } = "";
    public string Prioridad { get; init; } = "";
    public string? FechaProgramada { get; init; }
    public string? FranjaHoraria { get; init; }
    public string Descripcion { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public string Cliente { get; init; } = "";
    public string Telefono { get; init; } = "";
    public string? Direccion { get; init; }
    public string? Referencias { get; init; }
    public string? Plan { get; init; }
    public string? Zona { get; init; }
}

/// <summary>The equipment registered when an installation completes; ClaveDispositivo is shown once and only its hash is kept.</summary>
public sealed record RouterInstalado(Guid Id, string Serial, string Mac, string ClaveDispositivo);

/// <summary>The answer to a progress report: the ticket and, when it completed an installation, the activation.</summary>
public sealed record ResultadoProgreso(Ticket Ticket, string? ContratoActivadoEl, RouterInstalado? Router);

/// <summary>
/// Installation and support tickets: creation, technician assignment by zone and daily capacity,
/// progress along <see cref="EstadosTicket"/>, closing and customer feedback. A technician sees and
/// changes only tickets assigned to them and a customer only their own (404 otherwise). An
/// installation reaching <c>instalado</c> activates the contract that day (Mexico time) and registers
/// the router, in the same transaction.
/// </summary>
public sealed class ServicioTickets(NpgsqlDataSource db, ServicioCatalogo catalogo, ServicioNotificaciones notificaciones, TimeProvider reloj,
    Application.Routers.IAprovisionadorRouters aprovisionador)
{
    private static readonly Counter<long> Creados = Telemetria.Medidor.CreateCounter<long>(
        "telecable.tickets.creados", description: "Tickets creados por tipo");
    private static readonly Counter<long> Transiciones = Telemetria.Medidor.CreateCounter<long>(
        "telecable.tickets.transiciones", description: "Cambios de estado de tickets por estado nuevo");
    private static readonly Counter<long> SinTecnico = Telemetria.Medidor.CreateCounter<long>(
        "telecable.tickets.sin_tecnico", description: "Instalaciones rechazadas por falta de técnico con capacidad en la zona");
    private static readonly Counter<long> ContratosActivados = Telemetria.Medidor.CreateCounter<long>(
        "telecable.contratos.activados_por_instalacion", description: "Contratos activados al completar la instalación");

    /// <summary>How far ahead an installation may be scheduled when no date is asked for.</summary>
    public const int DiasBusqueda = 14;

    private static readonly Regex Serial = new("^[A-Z0-9-]{6,40}$", RegexOptions.Compiled);

    private static bool EsPersonal(Usuario u) => u.TieneAlguno([Roles.Admin, Roles.Soporte, Roles.Cobranzas]);

    private const string SqlTicket = """
        SELECT id, numero, tipo, cliente_id AS clienteid, contrato_id AS contratoid, tecnico_id AS tecnicoid, estado, prioridad,
               to_char(fecha_programada, 'YYYY-MM-DD') AS fechaprogramada, franja_horaria AS franjahoraria, descripcion,
               cerrado_en AS cerradoen, created_at AS createdat, version
        FROM tickets
        """;

    // ------------------------------------------------------------------ create

    /// <summary>A support ticket on a contract: staff for any contract, a customer only for their own (404 otherwise).</summary>
    public async Task<Ticket> CrearSoporteAsync(SolicitudTicket s, Usuario u, string cid, CancellationToken ct)
    {
        var v = new Validador()
            .Regla(s.ContratoId is not null, "contratoId", "Es obligatorio.")
            .Requerido(s.Descripcion, "descripcion", 2000)
            .Regla(s.Prioridad is null || EstadosTicket.Prioridades.Contains(s.Prioridad), "prioridad", "Debe ser baja, media, alta o urgente.")
            .Regla(s.FranjaHoraria is null or "matutina" or "vespertina", "franjaHoraria", "Debe ser matutina o vespertina.");
        v.Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        var k = await ContratoAsync(cn, null, s.ContratoId!.Value, ct);
        if (k is null || !u.PuedeVerCliente(k.ClienteId)) throw new ErrorNoEncontrado("contrato", s.ContratoId.Value.ToString());
        if (k.Estado == EstadosContrato.Cancelado) throw new ErrorRegla("El contrato está cancelado.", "contratoId");
        await using var tx = await cn.BeginTransactionAsync(ct);
        var id = await InsertarAsync(cn, tx, EstadosTicket.TipoSoporte, k.ClienteId, k.Id, null, EstadosTicket.Abierto,
            s.Prioridad ?? "media", s.FechaProgramada, s.FranjaHoraria, s.Descripcion!.Trim(), u.Sujeto, cid, ct);
        await tx.CommitAsync(ct);
        return await ObtenerAsync(cn, id, ct);
    }

    /// <summary>
    /// The installation ticket of a contract, assigned to an active technician who serves the
    /// contract's zone and has capacity that day (capacidad_diaria minus tickets already assigned that
    /// day); without a date, the first day from tomorrow within <see cref="DiasBusqueda"/> days. An
    /// open installation ticket of the contract is returned as is (idempotent for the saga's retries).
    /// 422 when no technician has capacity.
    /// </summary>
    public async Task<Ticket> CrearInstalacionAsync(SolicitudInstalacion s, string actor, string cid, CancellationToken ct)
    {
        new Validador()
            .Regla(s.ContratoId is not null, "contratoId", "Es obligatorio.")
            .Regla(s.FranjaHoraria is null or "matutina" or "vespertina", "franjaHoraria", "Debe ser matutina o vespertina.")
            .Regla(s.Descripcion is null || s.Descripcion.Length <= 2000, "descripcion", "Admite como máximo 2000 caracteres.")
            .Lanzar();
        var hoy = catalogo.Hoy;
        if (s.FechaProgramada is { } f && (f <= hoy || f > hoy.AddDays(90)))
            throw new ErrorValidacion("fechaProgramada", "Debe ser a partir de mañana y dentro de 90 días.");
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var k = await ContratoAsync(cn, tx, s.ContratoId!.Value, ct) ?? throw new ErrorNoEncontrado("contrato", s.ContratoId.Value.ToString());
        if (k.Estado != EstadosContrato.PendienteInstalacion)
            throw new ErrorRegla($"Solo un contrato pendiente de instalación lleva ticket de instalación (este está {k.Estado}).", "contratoId");
        var existente = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            SELECT id FROM tickets WHERE contrato_id = @Id AND tipo = 'instalacion' AND estado NOT IN ('cancelado', 'cerrado') LIMIT 1
            """, new { k.Id }, tx, cancellationToken: ct));
        if (existente is { } e) return await ObtenerAsync(cn, e, ct);

        var desde = s.FechaProgramada ?? hoy.AddDays(1);
        var hasta = s.FechaProgramada ?? hoy.AddDays(DiasBusqueda);
        var asignacion = await AsignarTecnicoAsync(cn, tx, k.ZonaId, desde, hasta, ct);
        if (asignacion is null)
        {
            SinTecnico.Add(1);
            throw new ErrorRegla($"No hay técnico con capacidad en la zona del contrato entre {desde:yyyy-MM-dd} y {hasta:yyyy-MM-dd}.", "fechaProgramada");
        }
        var id = await InsertarAsync(cn, tx, EstadosTicket.TipoInstalacion, k.ClienteId, k.Id, asignacion.Value.TecnicoId, EstadosTicket.Asignado,
            "media", DateOnly.FromDateTime(asignacion.Value.Fecha), s.FranjaHoraria ?? "matutina",
            string.IsNullOrWhiteSpace(s.Descripcion) ? "Instalación de servicio nuevo." : s.Descripcion.Trim(), actor, cid, ct);
        await tx.CommitAsync(ct);
        return await ObtenerAsync(cn, id, ct);
    }

    /// <summary>
    /// The first day and least-loaded technician of the zone with room, its row locked (NO KEY UPDATE: the tickets' foreign
    /// keys stay free) until the ticket is committed. No global or zone lock: a technician another assignment holds is
    /// skipped (SKIP LOCKED) for the next candidate, so sign-ups of other zones, and of the same zone going to other
    /// technicians, never wait for each other; only when every candidate is held does it wait for one. Once the row is
    /// held, no other assignment to that technician can commit, so a count read then (a new statement, a fresh snapshot
    /// in READ COMMITTED) is exact: if the slot filled meanwhile, the next candidate is tried.
    /// </summary>
    private static async Task<(Guid TecnicoId, DateTime Fecha)?> AsignarTecnicoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid zonaId,
        DateOnly desde, DateOnly hasta, CancellationToken ct)
    {
        var p = new { Desde = desde.ToDateTime(TimeOnly.MinValue), Dias = hasta.DayNumber - desde.DayNumber + 1, ZonaId = zonaId };
        for (var intento = 0; intento < 50; intento++)
        {
            var candidato = await CandidatoAsync(cn, tx, p, "SKIP LOCKED", ct) ?? await CandidatoAsync(cn, tx, p, "", ct);
            if (candidato is not { } c) return null;
            var ocupados = await cn.ExecuteScalarAsync<int>(new CommandDefinition("""
                SELECT count(*)::int FROM tickets WHERE tecnico_id = @TecnicoId AND fecha_programada = @Fecha::date AND estado <> 'cancelado'
                """, new { c.TecnicoId, c.Fecha }, tx, cancellationToken: ct));
            if (ocupados < c.Capacidad) return (c.TecnicoId, c.Fecha);
        }
        throw new ErrorConflicto("Demasiadas asignaciones simultáneas en la zona; intente de nuevo.", "asignacion_concurrente");
    }

    private static Task<(Guid TecnicoId, DateTime Fecha, int Capacidad)?> CandidatoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, object p,
        string espera, CancellationToken ct) =>
        cn.QuerySingleOrDefaultAsync<(Guid TecnicoId, DateTime Fecha, int Capacidad)?>(new CommandDefinition(SqlCandidato(espera), p, tx, cancellationToken: ct));

    /// <summary>
    /// The candidate query of an assignment (public for its plan test): parameters @Desde, @Dias (the days searched from
    /// @Desde on) and @ZonaId. The days are an integer series: PostgreSQL estimated a series of dates over parameters at
    /// 1,000 rows, so 14 days of 150 technicians were costed at 1.26 million, past jit_above_cost, and every sign-up JIT-compiled
    /// a query that reads about 2,300 buffers (1.7-2.3 s of CPU on a loaded 2-core machine; AsignacionPlanTests).
    /// </summary>
    public static string SqlCandidato(string espera) => $"""
        SELECT t.id, @Desde::date + i, t.capacidad_diaria::int
        FROM generate_series(0, @Dias - 1) i
        CROSS JOIN tecnicos t
        JOIN tecnico_zonas tz ON tz.tecnico_id = t.id AND tz.zona_id = @ZonaId
        CROSS JOIN LATERAL (SELECT count(*) AS n FROM tickets x
                            WHERE x.tecnico_id = t.id AND x.fecha_programada = @Desde::date + i AND x.estado <> 'cancelado') c
        WHERE t.activo AND c.n < t.capacidad_diaria
        ORDER BY i, c.n, t.nombre, t.id
        LIMIT 1
        FOR NO KEY UPDATE OF t {espera}
        """;

    private async Task<Guid> InsertarAsync(NpgsqlConnection cn, NpgsqlTransaction tx, string tipo, Guid clienteId, Guid contratoId, Guid? tecnicoId,
        string estado, string prioridad, DateOnly? fecha, string? franja, string descripcion, string actor, string cid, CancellationToken ct)
    {
        var id = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            INSERT INTO tickets (tipo, cliente_id, contrato_id, tecnico_id, estado, prioridad, fecha_programada, franja_horaria, descripcion)
            VALUES (@tipo, @clienteId, @contratoId, @tecnicoId, @estado, @prioridad, @Fecha::date, @franja, @descripcion)
            RETURNING id
            """, new { tipo, clienteId, contratoId, tecnicoId, estado, prioridad, Fecha = fecha?.ToDateTime(TimeOnly.MinValue), franja, descripcion },
            tx, cancellationToken: ct));
        await EventoAsync(cn, tx, id, null, estado, null, actor, cid, ct);
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("TicketCreado", "ticket", id.ToString(),
            new { ticketId = id, tipo, clienteId, contratoId, tecnicoId, estado, fechaProgramada = fecha?.ToString("yyyy-MM-dd"), actor }, cid, reloj.GetUtcNow()), ct);
        Creados.Add(1, new KeyValuePair<string, object?>("tipo", tipo));
        return id;
    }

    private static Task EventoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid ticketId, string? anterior, string? nuevo, string? nota,
        string actor, string cid, CancellationToken ct) =>
        cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ticket_eventos (ticket_id, estado_anterior, estado_nuevo, nota, actor, cid) VALUES (@ticketId, @anterior, @nuevo, @nota, @actor, @cid)
            """, new { ticketId, anterior, nuevo, nota, actor, cid }, tx, cancellationToken: ct));

    private sealed record DatosContrato
    {
        public Guid Id { get; init; }
        public Guid ClienteId { get; init; }
        public Guid ZonaId { get; init; }
        public string Estado { get; init; } = "";
    }

    private static Task<DatosContrato?> ContratoAsync(NpgsqlConnection cn, NpgsqlTransaction? tx, Guid id, CancellationToken ct) =>
        cn.QuerySingleOrDefaultAsync<DatosContrato>(new CommandDefinition(
            "SELECT id, cliente_id AS clienteid, zona_id AS zonaid, estado FROM contratos WHERE id = @id", new { id }, tx, cancellationToken: ct))!;

    // ------------------------------------------------------------------ read

    /// <summary>Staff see all tickets; a technician only theirs (another technician's id yields an empty list); a customer only theirs.</summary>
    public async Task<Application.Comun.Pagina<Ticket>> ListarAsync(FiltroTickets f, Usuario u, CancellationToken ct)
    {
        if (f.Estado is not null && !EstadosTicket.Todos.Contains(f.Estado))
            throw new ErrorValidacion("estado", $"Use uno de: {string.Join(", ", EstadosTicket.Todos)}.");
        Guid? tecnico = null;
        if (f.Tecnico is "me")
            tecnico = u.TecnicoId ?? throw new ErrorValidacion("tecnico", "tecnico=me solo aplica a un técnico.");
        else if (f.Tecnico is not null)
            tecnico = Guid.TryParse(f.Tecnico, out var g) ? g : throw new ErrorValidacion("tecnico", "Use 'me' o el id del técnico.");
        Guid? cliente = null;
        if (!EsPersonal(u))
        {
            if (u.Tiene(Roles.Tecnico) && u.TecnicoId is { } propio)
            {
                // a technician asking for someone else's list gets an empty list, never theirs
                if (tecnico is not null && tecnico != propio) return f.Pagina.Con<Ticket>([], 0);
                tecnico = propio;
            }
            else if (u.ClienteId is { } c) cliente = c;
            else return f.Pagina.Con<Ticket>([], 0);
        }
        await using var cn = await db.OpenConnectionAsync(ct);
        return await Datos.Paginado.LeerAsync<Ticket>(cn, SqlTicket + """
             WHERE (@tecnico::uuid IS NULL OR tecnico_id = @tecnico) AND (@cliente::uuid IS NULL OR cliente_id = @cliente)
               AND (@Estado::text IS NULL OR estado = @Estado) AND (@Fecha::date IS NULL OR fecha_programada = @Fecha::date)
            """, "fecha_programada NULLS LAST, franja_horaria, numero", new { tecnico, cliente, f.Estado, Fecha = f.Fecha?.ToDateTime(TimeOnly.MinValue) }, f.Pagina, ct);
    }

    /// <summary>
    /// The open tickets of a technician's day with the customer's name, phone, installation address and plan: a technician
    /// only the ones assigned to them (never another's, whatever they ask); admin and soporte every assigned one.
    /// </summary>
    public async Task<Application.Comun.Pagina<VisitaTecnico>> VisitasAsync(Usuario u, Application.Comun.Paginacion p, CancellationToken ct)
    {
        Guid? tecnico = null;
        if (!u.TieneAlguno([Roles.Admin, Roles.Soporte]))
        {
            if (u.TecnicoId is not { } propio) return p.Con<VisitaTecnico>([], 0);
            tecnico = propio;
        }
        await using var cn = await db.OpenConnectionAsync(ct);
        return await Datos.Paginado.LeerAsync<VisitaTecnico>(cn, """
            SELECT t.id, t.numero, t.tipo, t.estado, t.prioridad, to_char(t.fecha_programada, 'YYYY-MM-DD') AS fechaprogramada,
                   t.franja_horaria AS franjahoraria, t.descripcion, t.created_at AS createdat, c.nombre AS cliente, c.telefono,
                   concat_ws(', ', d.calle || ' ' || d.numero_exterior || coalesce(' int. ' || d.numero_interior, ''), d.colonia,
                             'C.P. ' || d.cp, d.municipio, d.estado) AS direccion,
                   d.referencias, coalesce(pl.nombre, cb.nombre) AS plan, z.nombre AS zona,
                   t.fecha_programada AS orden_fecha, t.franja_horaria AS orden_franja
            FROM tickets t JOIN clientes c ON c.id = t.cliente_id
            LEFT JOIN contratos k ON k.id = t.contrato_id LEFT JOIN domicilios d ON d.id = k.domicilio_id
            LEFT JOIN planes pl ON pl.id = k.plan_id LEFT JOIN combos cb ON cb.id = k.combo_id LEFT JOIN zonas z ON z.id = k.zona_id
            WHERE t.tecnico_id IS NOT NULL AND (@tecnico::uuid IS NULL OR t.tecnico_id = @tecnico) AND t.estado NOT IN ('cerrado', 'cancelado')
            """, "orden_fecha NULLS LAST, orden_franja, numero", new { tecnico }, p, ct);
    }

    /// <summary>The ticket with its events and feedback, if the caller may see it (404 otherwise).</summary>
    public async Task<Ticket> ObtenerAsync(Guid id, Usuario u, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var t = await ObtenerAsync(cn, id, ct);
        Exigir(u, t);
        // Internal notes of the support desk are for staff and technicians.
        return EsPersonal(u) || u.Tiene(Roles.Tecnico) ? t : t with { Eventos = t.Eventos?.Where(e => !e.Interna).ToList() };
    }

    private static void Exigir(Usuario u, Ticket t)
    {
        var puede = EsPersonal(u)
                    || (u.Tiene(Roles.Tecnico) && u.TecnicoId is not null && t.TecnicoId == u.TecnicoId)
                    || (u.ClienteId is not null && t.ClienteId == u.ClienteId);
        if (!puede) throw new ErrorNoEncontrado("ticket", t.Id.ToString());
    }

    private static async Task<Ticket> ObtenerAsync(NpgsqlConnection cn, Guid id, CancellationToken ct)
    {
        var t = await cn.QuerySingleOrDefaultAsync<Ticket>(new CommandDefinition(SqlTicket + " WHERE id = @id", new { id }, cancellationToken: ct))
                ?? throw new ErrorNoEncontrado("ticket", id.ToString());
        var eventos = await cn.QueryAsync<EventoTicket>(new CommandDefinition("""
            SELECT estado_anterior AS estadoanterior, estado_nuevo AS estadonuevo, nota, actor, created_at AS createdat, interna
            FROM ticket_eventos WHERE ticket_id = @id ORDER BY created_at, id
            """, new { id }, cancellationToken: ct));
        var fb = await cn.QuerySingleOrDefaultAsync<Feedback>(new CommandDefinition(
            "SELECT calificacion, comentario, created_at AS createdat FROM ticket_feedback WHERE ticket_id = @id", new { id }, cancellationToken: ct));
        return t with { Eventos = eventos.AsList(), Feedback = fb };
    }

    // ------------------------------------------------------------------ progress

    /// <summary>
    /// en_camino, en_sitio, instalado with a note. The assigned technician or support staff (admin,
    /// soporte) only. instalado needs the router's serial: the contract is activated today (Mexico) and
    /// the router registered with a new device key, returned once.
    /// </summary>
    public async Task<ResultadoProgreso> ProgresoAsync(Guid id, ProgresoTicket p, Usuario u, string cid, CancellationToken ct)
    {
        if (p.Estado is null || !EstadosTicket.DeProgreso.Contains(p.Estado))
            throw new ErrorValidacion("estado", "Debe ser en_camino, en_sitio o instalado.");
        new Validador().Regla(p.Nota is null || p.Nota.Length <= 2000, "nota", "Admite como máximo 2000 caracteres.").Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        var t = await ObtenerParaCambioAsync(cn, id, u, ct);
        EstadosTicket.Validar(t.Tipo, t.Estado, p.Estado);
        string? serial = null;
        if (p.Estado == EstadosTicket.Instalado)
        {
            serial = p.SerialRouter?.Trim().ToUpperInvariant();
            var v = new Validador().Regla(serial is not null && Serial.IsMatch(serial), "serialRouter",
                "El serial del router es obligatorio al instalar: 6 a 40 letras mayúsculas, dígitos o guiones.");
            v.Regla(p.ModeloRouter is null || p.ModeloRouter.Trim().Length is > 0 and <= 60, "modeloRouter", "Entre 1 y 60 caracteres.");
            v.Regla(p.Mac is null || System.Net.NetworkInformation.PhysicalAddress.TryParse(p.Mac.Replace(':', '-').ToUpperInvariant(), out _),
                "mac", "No es una dirección MAC válida.");
            v.Lanzar();
        }

        await using var tx = await cn.BeginTransactionAsync(ct);
        await CambiarEstadoAsync(cn, tx, t, p.Estado, p.Nota, u.Sujeto, cid, ct);
        string? activado = null;
        RouterInstalado? router = null;
        if (p.Estado == EstadosTicket.Instalado)
            (activado, router) = await ActivarAsync(cn, tx, t, serial!, p.ModeloRouter?.Trim(), p.Mac, u.Sujeto, cid, ct);
        await tx.CommitAsync(ct);
        if (router is not null) await aprovisionador.AprovisionarAsync(router.Serial, router.ClaveDispositivo, ct);
        if (activado is not null)
            await notificaciones.ParaClienteAsync(t.ClienteId, "instalacion_completada",
                $"¡Tu servicio Telecable quedó instalado y activo desde el {activado}! Router {serial}.", $"ticket:{id}:instalado", cid, ct);
        return new ResultadoProgreso(await ObtenerAsync(cn, id, ct), activado, router);
    }

    /// <summary>Closes a ticket (from instalado, or en_sitio for support); assigned technician or admin/soporte.</summary>
    public async Task<Ticket> CerrarAsync(Guid id, CierreTicket c, Usuario u, string cid, CancellationToken ct)
    {
        new Validador().Regla(c.Nota is null || c.Nota.Length <= 2000, "nota", "Admite como máximo 2000 caracteres.").Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        var t = await ObtenerParaCambioAsync(cn, id, u, ct);
        EstadosTicket.Validar(t.Tipo, t.Estado, EstadosTicket.Cerrado);
        await using var tx = await cn.BeginTransactionAsync(ct);
        await CambiarEstadoAsync(cn, tx, t, EstadosTicket.Cerrado, c.Nota, u.Sujeto, cid, ct);
        await tx.CommitAsync(ct);
        await notificaciones.ParaClienteAsync(t.ClienteId, "ticket_cerrado",
            $"Cerramos tu ticket #{t.Numero}. ¿Cómo te atendimos? Califícanos del 1 al 5 en el portal.", $"ticket:{id}:cerrado", cid, ct);
        return await ObtenerAsync(cn, id, ct);
    }

    /// <summary>Cancels a ticket unless it is already final; cancelling a cancelled ticket is a no-op (saga compensation).</summary>
    public async Task<bool> CancelarAsync(Guid id, string motivo, string actor, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var t = await ObtenerAsync(cn, id, ct);
        if (t.Estado == EstadosTicket.Cancelado) return false;
        EstadosTicket.Validar(t.Tipo, t.Estado, EstadosTicket.Cancelado);
        await using var tx = await cn.BeginTransactionAsync(ct);
        await CambiarEstadoAsync(cn, tx, t, EstadosTicket.Cancelado, motivo, actor, cid, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private static async Task<Ticket> ObtenerParaCambioAsync(NpgsqlConnection cn, Guid id, Usuario u, CancellationToken ct)
    {
        var t = await ObtenerAsync(cn, id, ct);
        var puede = u.TieneAlguno([Roles.Admin, Roles.Soporte])
                    || (u.Tiene(Roles.Tecnico) && u.TecnicoId is not null && t.TecnicoId == u.TecnicoId);
        if (!puede) throw new ErrorNoEncontrado("ticket", id.ToString());
        return t;
    }

    private async Task CambiarEstadoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Ticket t, string nuevo, string? nota, string actor, string cid, CancellationToken ct)
    {
        var n = await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE tickets SET estado = @nuevo, version = version + 1,
                   cerrado_en = CASE WHEN @nuevo IN ('cerrado', 'cancelado') THEN @Ahora ELSE cerrado_en END
            WHERE id = @Id AND version = @Version
            """, new { nuevo, Ahora = reloj.GetUtcNow(), t.Id, t.Version }, tx, cancellationToken: ct));
        if (n == 0) throw new ErrorConflicto("El ticket cambió mientras se actualizaba; vuelva a leerlo.", "version_desactualizada");
        await EventoAsync(cn, tx, t.Id, t.Estado, nuevo, nota, actor, cid, ct);
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("TicketActualizado", "ticket", t.Id.ToString(),
            new { ticketId = t.Id, t.Tipo, estadoAnterior = t.Estado, estadoNuevo = nuevo, t.TecnicoId, actor }, cid, reloj.GetUtcNow()), ct);
        Transiciones.Add(1, new KeyValuePair<string, object?>("estado", nuevo));
    }

    /// <summary>Billing starts here: contract active from today (Mexico time), router registered for it.</summary>
    private async Task<(string Fecha, RouterInstalado Router)> ActivarAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Ticket t, string serial,
        string? modelo, string? mac, string actor, string cid, CancellationToken ct)
    {
        var hoy = catalogo.Hoy;
        var k = await cn.QuerySingleAsync<(Guid Id, Guid ClienteId, string Estado, int Version, string? Tecnologia)>(new CommandDefinition("""
            SELECT k.id, k.cliente_id, k.estado, k.version,
                   coalesce(p.tecnologia_clave, (SELECT min(zt.tecnologia_clave) FROM zona_tecnologias zt WHERE zt.zona_id = k.zona_id))
            FROM contratos k LEFT JOIN planes p ON p.id = k.plan_id WHERE k.id = @ContratoId FOR UPDATE OF k
            """, new { t.ContratoId }, tx, cancellationToken: ct));
        if (k.Estado != EstadosContrato.PendienteInstalacion)
            throw new ErrorRegla($"El contrato está {k.Estado}; solo se activa uno pendiente de instalación.", "estado");
        var fecha = await cn.ExecuteScalarAsync<DateTime>(new CommandDefinition("""
            UPDATE contratos SET estado = 'activo', fecha_activacion = greatest(@Hoy::date, fecha_inicio), version = version + 1
            WHERE id = @Id RETURNING fecha_activacion
            """, new { Hoy = hoy.ToDateTime(TimeOnly.MinValue), k.Id }, tx, cancellationToken: ct));
        var fechaTexto = fecha.ToString("yyyy-MM-dd");
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("ContratoModificado", "contrato", k.Id.ToString(),
            new { contratoId = k.Id, k.ClienteId, accion = EstadosContrato.AccionActivar, estadoAnterior = k.Estado, estadoNuevo = EstadosContrato.Activo,
                fechaActivacion = fechaTexto, ticketId = t.Id, version = k.Version + 1, actor }, cid, reloj.GetUtcNow()), ct);

        var clave = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clave)));
        var macTexto = mac is null ? MacDe(serial) : mac.Replace('-', ':').ToLowerInvariant();
        Guid? routerId;
        try
        {
            routerId = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
                INSERT INTO routers (serial, modelo, tecnologia_clave, contrato_id, cliente_id, mac, device_key_hash)
                VALUES (@serial, @Modelo, @Tecnologia, @ContratoId, @ClienteId, @macTexto::macaddr, @hash)
                ON CONFLICT (serial) DO UPDATE SET contrato_id = EXCLUDED.contrato_id, cliente_id = EXCLUDED.cliente_id,
                       device_key_hash = EXCLUDED.device_key_hash
                    WHERE routers.contrato_id IS NULL
                RETURNING id
                """, new { serial, Modelo = modelo ?? "ONT-GENERICO", Tecnologia = k.Tecnologia ?? "FTTH", ContratoId = k.Id, k.ClienteId, macTexto, hash },
                tx, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ErrorConflicto("Esa MAC ya está registrada en otro router.", "mac_duplicada");
        }
        if (routerId is null) throw new ErrorConflicto($"El router {serial} ya está instalado en otro contrato.", "router_asignado");
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("RouterRegistrado", "router", routerId.Value.ToString(),
            new { routerId, serial, contratoId = k.Id, k.ClienteId, actor }, cid, reloj.GetUtcNow()), ct);
        ContratosActivados.Add(1);
        return (fechaTexto, new RouterInstalado(routerId.Value, serial, macTexto, clave));
    }

    /// <summary>A locally administered MAC derived from the serial, when the technician does not type one.</summary>
    private static string MacDe(string serial)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(serial));
        h[0] = (byte)((h[0] | 0x02) & 0xFE);
        return string.Join(':', h.Take(6).Select(b => b.ToString("x2")));
    }

    // ------------------------------------------------------------------ feedback

    /// <summary>The customer rates a closed (or installed) ticket of theirs, 1 to 5, once (second time: 409).</summary>
    public async Task<Feedback> FeedbackAsync(Guid id, SolicitudFeedback s, Usuario u, CancellationToken ct)
    {
        new Validador()
            .Regla(s.Calificacion is >= 1 and <= 5, "calificacion", "Entre 1 y 5.")
            .Regla(s.Comentario is null || s.Comentario.Length <= 2000, "comentario", "Admite como máximo 2000 caracteres.")
            .Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        var t = await ObtenerAsync(cn, id, ct);
        if (u.ClienteId is null || t.ClienteId != u.ClienteId) throw new ErrorNoEncontrado("ticket", id.ToString());
        if (t.Estado is not (EstadosTicket.Cerrado or EstadosTicket.Instalado))
            throw new ErrorRegla("Solo se califica un ticket cerrado o con la instalación terminada.", "calificacion");
        var n = await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ticket_feedback (ticket_id, calificacion, comentario) VALUES (@id, @Calificacion, @Comentario) ON CONFLICT (ticket_id) DO NOTHING
            """, new { id, Calificacion = (short)s.Calificacion!.Value, s.Comentario }, cancellationToken: ct));
        if (n == 0) throw new ErrorConflicto("Este ticket ya fue calificado.", "feedback_duplicado");
        return (await ObtenerAsync(cn, id, ct)).Feedback!;
    }
}
