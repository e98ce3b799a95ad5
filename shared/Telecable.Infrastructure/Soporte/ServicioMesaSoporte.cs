using System.Diagnostics.Metrics;
using System.Text.Json;
using Dapper;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Domain.Tickets;
using PaginaBandeja = Telecable.Application.Comun.Pagina<Telecable.Infrastructure.Soporte.TicketMesa>;
using PaginaLinea = Telecable.Application.Comun.Pagina<Telecable.Infrastructure.Soporte.EventoCliente>;

namespace Telecable.Infrastructure.Soporte;

public sealed record SolicitudAsignacion(string? Agente, Guid? TecnicoId, string? Nota);
public sealed record SolicitudNotaTicket(string? Texto, bool? Interna);
public sealed record SolicitudMotivo(string? Motivo);
public sealed record FiltroBandeja(string? Estado, string? Tipo, bool SoloVencidos, string? Agente, Telecable.Application.Comun.Paginacion Pagina,
    string? Prioridad = null, Guid? Tecnico = null);

/// <summary>One line of a ticket's history as the desk reads it: who did it by name, and whether the customer saw it.</summary>
public sealed record EventoMesa(string? EstadoAnterior, string? EstadoNuevo, string? Nota, string Actor, DateTime CreatedAt, bool Interna);

/// <summary>A desk ticket with its whole history (internal notes included): staff only.</summary>
public sealed record DetalleMesa(TicketMesa Ticket, IReadOnlyList<EventoMesa> Eventos);

/// <summary>Who a desk ticket can be assigned to: an agent (by user name) or a technician (by id), with the name people read.</summary>
public sealed record Responsable(string Tipo, string Clave, string Nombre);

/// <summary>A ticket as the desk's queue shows it: who has it, the SLA target and whether it is overdue.</summary>
public sealed record TicketMesa
{
    public Guid Id { get; init; }
    public long Numero { get; init; }
    public string Tipo { get; init; } = "";
    public string Estado { get; init; } = "";
    public string Prioridad { get; init; } = "";
    public string Descripcion { get; init; } = "";
    public Guid ClienteId { get; init; }
    public string Cliente { get; init; } = "";
    public string? Agente { get; init; }
    public Guid? TecnicoId { get; init; }
    public string? Tecnico { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? ResueltoEn { get; init; }
    public DateTimeOffset VenceEn { get; init; }
    public bool Vencido { get; init; }
}

/// <summary>One line of a customer's timeline (eventos_sistema of the customer).</summary>
public sealed record EventoCliente(long Id, string Tipo, string Actor, DateTime CreatedAt, JsonElement Datos);

public sealed record FaqEntrada(string Categoria, string Pregunta, string Respuesta);

/// <summary>
/// The support desk over support and outage tickets: assignment to an agent or a technician, attention, resolution
/// (a message to the customer), the customer's confirmation or reopening, cancellation, notes (internal or to the
/// customer), the SLA queue, the customer's timeline and the FAQ. Each change writes ticket_eventos and the customer's
/// eventos_sistema in one transaction, guarded by the ticket's version.
/// </summary>
public sealed class ServicioMesaSoporte(NpgsqlDataSource db, TimeProvider reloj)
{
    private static readonly Counter<long> Acciones = Telemetria.Medidor.CreateCounter<long>(
        "telecable.soporte.acciones", "{accion}", "Support desk actions by action and ticket kind");
    private static readonly Counter<long> ResueltosFueraDeSla = Telemetria.Medidor.CreateCounter<long>(
        "telecable.soporte.resueltos_fuera_sla", "{ticket}", "Tickets resolved after their SLA target, by kind and priority");

    private static bool EsPersonal(Usuario u) => u.TieneAlguno([Roles.Admin, Roles.Soporte]);

    private sealed record Fila
    {
        public Guid Id { get; init; }
        public long Numero { get; init; }
        public string Tipo { get; init; } = "";
        public string Estado { get; init; } = "";
        public string Prioridad { get; init; } = "";
        public Guid ClienteId { get; init; }
        public Guid? TecnicoId { get; init; }
        public string? Agente { get; init; }
        public DateTime CreatedAt { get; init; }
        public int Version { get; init; }
    }

    /// <summary>Loads and authorizes: staff any, the assigned technician theirs, the customer their own; 404 otherwise.</summary>
    private static async Task<Fila> TicketAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid id, Usuario u, CancellationToken ct)
    {
        var t = await cn.QuerySingleOrDefaultAsync<Fila>(new CommandDefinition("""
            SELECT id, numero, tipo, estado, prioridad, cliente_id AS clienteid, tecnico_id AS tecnicoid, agente, created_at AS createdat, version
            FROM tickets WHERE id = @id FOR UPDATE
            """, new { id }, tx, cancellationToken: ct));
        var puede = t is not null && (EsPersonal(u)
            || (u.Tiene(Roles.Tecnico) && u.TecnicoId is not null && t.TecnicoId == u.TecnicoId)
            || (u.Tiene(Roles.Cliente) && u.ClienteId == t.ClienteId));
        return puede ? t! : throw new ErrorNoEncontrado("ticket", id.ToString());
    }

    public async Task<TicketMesa> AsignarAsync(Guid id, SolicitudAsignacion s, Usuario u, string cid, CancellationToken ct)
    {
        new Validador()
            .Regla((s.Agente is null) != (s.TecnicoId is null), "agente", "Indique exactamente uno: agente o tecnicoId.")
            .Regla(s.Agente is null || s.Agente.Trim().Length is > 0 and <= 60, "agente", "Entre 1 y 60 caracteres.")
            .Lanzar();
        return await CambiarAsync(id, u, cid, MesaSoporte.Asignar, s.Nota, false, ct, async (cn, tx, t) =>
        {
            var agente = s.Agente?.Trim().ToLowerInvariant();
            if (agente is not null && !await cn.ExecuteScalarAsync<bool>(new CommandDefinition("""
                    SELECT EXISTS (SELECT 1 FROM cuentas WHERE usuario = @agente AND tipo = 'personal' AND estado <> 'desactivada'
                                   AND roles && ARRAY['soporte', 'admin'])
                    """, new { agente }, tx, cancellationToken: ct)) && agente is not ("soporte" or "admin"))
                throw new ErrorValidacion("agente", "No es un agente de soporte activo.");
            if (s.TecnicoId is { } tid && !await cn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM tecnicos WHERE id = @tid AND activo)", new { tid }, tx, cancellationToken: ct)))
                throw new ErrorValidacion("tecnicoId", "No es un técnico activo.");
            await cn.ExecuteAsync(new CommandDefinition("UPDATE tickets SET agente = @agente, tecnico_id = @TecnicoId WHERE id = @Id",
                new { agente, s.TecnicoId, t.Id }, tx, cancellationToken: ct));
            return new { agente, tecnicoId = s.TecnicoId };
        });
    }

    public Task<TicketMesa> AtenderAsync(Guid id, Usuario u, string cid, CancellationToken ct) =>
        CambiarAsync(id, u, cid, MesaSoporte.Atender, null, false, ct);

    /// <summary>Resolved, with the message that tells the customer what was done (required).</summary>
    public Task<TicketMesa> ResolverAsync(Guid id, SolicitudMotivo s, Usuario u, string cid, CancellationToken ct)
    {
        new Validador().Requerido(s.Motivo, "motivo", 2000).Lanzar();
        return CambiarAsync(id, u, cid, MesaSoporte.Resolver, s.Motivo!.Trim(), false, ct);
    }

    public Task<TicketMesa> ConfirmarAsync(Guid id, Usuario u, string cid, CancellationToken ct) =>
        CambiarAsync(id, u, cid, MesaSoporte.Confirmar, null, false, ct);

    public Task<TicketMesa> ReabrirAsync(Guid id, SolicitudMotivo s, Usuario u, string cid, CancellationToken ct)
    {
        new Validador().Requerido(s.Motivo, "motivo", 2000).Lanzar();
        return CambiarAsync(id, u, cid, MesaSoporte.Reabrir, s.Motivo!.Trim(), false, ct);
    }

    public Task<TicketMesa> CancelarAsync(Guid id, SolicitudMotivo s, Usuario u, string cid, CancellationToken ct)
    {
        new Validador().Requerido(s.Motivo, "motivo", 2000).Lanzar();
        return CambiarAsync(id, u, cid, MesaSoporte.Cancelar, s.Motivo!.Trim(), false, ct);
    }

    /// <summary>A note: internal (staff and technicians only) or a message the customer sees. A customer's note is always a message.</summary>
    public async Task<TicketMesa> AnotarAsync(Guid id, SolicitudNotaTicket s, Usuario u, string cid, CancellationToken ct)
    {
        new Validador().Requerido(s.Texto, "texto", 4000)
            .Regla(s.Interna != true || !u.Tiene(Roles.Cliente) || EsPersonal(u), "interna", "Un cliente no escribe notas internas.")
            .Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var t = await TicketAsync(cn, tx, id, u, ct);
        var interna = s.Interna == true;
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ticket_eventos (ticket_id, nota, actor, cid, interna) VALUES (@Id, @texto, @Sujeto, @cid, @interna)
            """, new { t.Id, texto = s.Texto!.Trim(), u.Sujeto, cid, interna }, tx, cancellationToken: ct));
        if (!interna)
            await EventoAsync(cn, tx, "ticket_mensaje", t, u.Sujeto, cid, new { }, ct);
        await tx.CommitAsync(ct);
        Acciones.Add(1, new("accion", interna ? "nota_interna" : "mensaje"), new("tipo", t.Tipo));
        return await ObtenerAsync(id, ct);
    }

    private async Task<TicketMesa> CambiarAsync(Guid id, Usuario u, string cid, string accion, string? nota, bool interna, CancellationToken ct,
        Func<NpgsqlConnection, NpgsqlTransaction, Fila, Task<object>>? antes = null)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var t = await TicketAsync(cn, tx, id, u, ct);
        // Who may do what: staff everything; the assigned technician attends and resolves; the customer confirms,
        // reopens or cancels their own. A 403 here would say the ticket exists, so a customer's refusal is a rule (422).
        var permitido = EsPersonal(u)
            || (u.Tiene(Roles.Tecnico) && accion is MesaSoporte.Atender or MesaSoporte.Resolver)
            || (u.Tiene(Roles.Cliente) && accion is MesaSoporte.Confirmar or MesaSoporte.Reabrir or MesaSoporte.Cancelar);
        if (!permitido) throw new ErrorRegla("Esta acción la hace el equipo de soporte.", "accion");
        var ahora = reloj.GetUtcNow();
        var datos = antes is null ? new { } : await antes(cn, tx, t);
        var tieneResponsable = accion == MesaSoporte.Asignar || t.Agente is not null || t.TecnicoId is not null;
        var nuevo = MesaSoporte.Siguiente(t.Tipo, t.Estado, accion, tieneResponsable);
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE tickets SET estado = @nuevo, version = version + 1,
                   resuelto_en = CASE WHEN @nuevo = 'resuelto' THEN @ahora WHEN @nuevo IN ('abierto', 'asignado') THEN NULL ELSE resuelto_en END,
                   cerrado_en = CASE WHEN @nuevo IN ('cerrado', 'cancelado') THEN @ahora ELSE NULL END
            WHERE id = @Id AND version = @Version
            """, new { nuevo, ahora, t.Id, t.Version }, tx, cancellationToken: ct));
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ticket_eventos (ticket_id, estado_anterior, estado_nuevo, nota, actor, cid, interna)
            VALUES (@Id, @Estado, @nuevo, @nota, @Sujeto, @cid, @interna)
            """, new { t.Id, t.Estado, nuevo, nota, u.Sujeto, cid, interna }, tx, cancellationToken: ct));
        await EventoAsync(cn, tx, $"ticket_{accion}", t, u.Sujeto, cid, new { estadoAnterior = t.Estado, estado = nuevo, datos }, ct);
        await tx.CommitAsync(ct);
        Acciones.Add(1, new("accion", accion), new("tipo", t.Tipo));
        if (nuevo == MesaSoporte.Resuelto && ahora > MesaSoporte.Vence(t.Tipo, t.Prioridad, FechasDb.Utc(t.CreatedAt)))
            ResueltosFueraDeSla.Add(1, new("tipo", t.Tipo), new("prioridad", t.Prioridad));
        return await ObtenerAsync(id, ct);
    }


    /// <summary>Into the customer's timeline: entidad cliente, so GET /api/clientes/{id}/linea-tiempo lists it.</summary>
    private static Task EventoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, string tipo, Fila t, string actor, string cid, object datos, CancellationToken ct) =>
        cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO eventos_sistema (tipo, entidad, entidad_id, actor, cid, payload) VALUES (@tipo, 'cliente', @cliente, @actor, @cid, @payload::jsonb)
            """, new
        {
            tipo, cliente = t.ClienteId.ToString(), actor, cid,
            payload = JsonSerializer.Serialize(new { ticketId = t.Id, numero = t.Numero, tipoTicket = t.Tipo, datos }, JsonWeb.Opciones),
        }, tx, cancellationToken: ct));

    private const string SqlMesa = """
        SELECT t.id, t.numero, t.tipo, t.estado, t.prioridad, t.descripcion, t.cliente_id AS clienteid, c.nombre AS cliente, t.agente,
               t.tecnico_id AS tecnicoid, te.nombre AS tecnico, t.created_at AS createdat, t.resuelto_en AS resueltoen
        FROM tickets t JOIN clientes c ON c.id = t.cliente_id LEFT JOIN tecnicos te ON te.id = t.tecnico_id
        """;

    private TicketMesa ConSla(TicketMesa t)
    {
        var creado = FechasDb.Utc(t.CreatedAt);
        return t with
        {
            VenceEn = MesaSoporte.Vence(t.Tipo, t.Prioridad, creado),
            Vencido = MesaSoporte.Vencido(t.Tipo, t.Prioridad, t.Estado, creado, FechasDb.Utc(t.ResueltoEn), reloj.GetUtcNow()),
        };
    }

    private async Task<TicketMesa> ObtenerAsync(Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return ConSla(await cn.QuerySingleAsync<TicketMesa>(new CommandDefinition(SqlMesa + " WHERE t.id = @id", new { id }, cancellationToken: ct)));
    }

    /// <summary>
    /// The desk's queue (support and outage tickets): overdue first, then by SLA target. Filters: estado, tipo, agente,
    /// soloVencidos (unresolved past their target).
    /// </summary>
    public async Task<PaginaBandeja> BandejaAsync(FiltroBandeja f, CancellationToken ct)
    {
        new Validador()
            .Regla(f.Estado is null || EstadosTicket.Todos.Contains(f.Estado), "estado", $"Use uno de: {string.Join(", ", EstadosTicket.Todos)}.")
            .Regla(f.Tipo is null || MesaSoporte.EsDeMesa(f.Tipo), "tipo", "Use soporte o falla.")
            .Regla(f.Prioridad is null || EstadosTicket.Prioridades.Contains(f.Prioridad), "prioridad", "Use baja, media, alta o urgente.")
            .Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        // The SLA target is computed in SQL with the same table as the domain, so the page is ordered and filtered in one query.
        const string vence = """
            t.created_at + make_interval(hours => CASE
                WHEN t.tipo = 'falla' THEN CASE t.prioridad WHEN 'urgente' THEN 2 WHEN 'alta' THEN 4 WHEN 'media' THEN 8 ELSE 24 END
                ELSE CASE t.prioridad WHEN 'urgente' THEN 4 WHEN 'alta' THEN 8 WHEN 'media' THEN 24 ELSE 72 END END)
            """;
        var donde = $"""
             WHERE t.tipo IN ('soporte', 'falla') AND (@Estado::text IS NULL OR t.estado = @Estado) AND (@Tipo::text IS NULL OR t.tipo = @Tipo)
               AND (@Agente::text IS NULL OR t.agente = lower(@Agente)) AND (@Prioridad::text IS NULL OR t.prioridad = @Prioridad)
               AND (@Tecnico::uuid IS NULL OR t.tecnico_id = @Tecnico)
               AND (NOT @SoloVencidos OR (t.estado IN ('abierto', 'asignado', 'en_atencion') AND {vence} < @ahora))
            """;
        var p = new { f.Estado, f.Tipo, f.Agente, f.Prioridad, f.Tecnico, f.SoloVencidos, ahora = reloj.GetUtcNow(), tamano = f.Pagina.Tamano, salto = f.Pagina.Saltar };
        var total = await cn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM tickets t" + donde, p, cancellationToken: ct));
        var filas = await cn.QueryAsync<TicketMesa>(new CommandDefinition(SqlMesa + donde + $"""
             ORDER BY (t.estado IN ('abierto', 'asignado', 'en_atencion')) DESC, {vence}, t.numero LIMIT @tamano OFFSET @salto
            """, p, cancellationToken: ct));
        return f.Pagina.Con(filas.Select(ConSla).ToList(), total);
    }

    /// <summary>A desk ticket with its whole history, actors by name (404 for an installation or an unknown id).</summary>
    public async Task<DetalleMesa> DetalleAsync(Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var t = await cn.QuerySingleOrDefaultAsync<TicketMesa>(new CommandDefinition(SqlMesa + " WHERE t.id = @id AND t.tipo IN ('soporte', 'falla')",
            new { id }, cancellationToken: ct)) ?? throw new ErrorNoEncontrado("ticket", id.ToString());
        var eventos = await cn.QueryAsync<EventoMesa>(new CommandDefinition("""
            SELECT e.estado_anterior AS estadoanterior, e.estado_nuevo AS estadonuevo, e.nota,
                   coalesce(cu.nombre, e.actor) AS actor, e.created_at AS createdat, e.interna
            FROM ticket_eventos e LEFT JOIN cuentas cu ON cu.usuario = e.actor
            WHERE e.ticket_id = @id ORDER BY e.created_at, e.id
            """, new { id }, cancellationToken: ct));
        return new DetalleMesa(ConSla(t), eventos.Select(e => e with { Actor = NombreDe(e.Actor) }).ToList());
    }

    /// <summary>The development issuer's users have no account row: their names come from the same list that signs them in.</summary>
    private static string NombreDe(string actor) =>
        Seguridad.UsuariosDemo.Todos.FirstOrDefault(d => d.Usuario == actor)?.Nombre ?? actor;

    /// <summary>Active agents (staff accounts with soporte or admin, plus the development issuer's) and active technicians, by name.</summary>
    public async Task<Telecable.Application.Comun.Pagina<Responsable>> ResponsablesAsync(Telecable.Application.Comun.Paginacion p, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var agentes = (await cn.QueryAsync<(string Usuario, string Nombre)>(new CommandDefinition("""
            SELECT usuario, nombre FROM cuentas WHERE tipo = 'personal' AND estado <> 'desactivada' AND roles && ARRAY['soporte', 'admin']
            """, cancellationToken: ct))).ToList();
        foreach (var d in Seguridad.UsuariosDemo.Todos.Where(d => d.Usuario is "soporte" or "admin" && agentes.All(a => a.Usuario != d.Usuario)))
            agentes.Add((d.Usuario, d.Nombre));
        var tecnicos = await cn.QueryAsync<(Guid Id, string Nombre)>(new CommandDefinition(
            "SELECT id, nombre FROM tecnicos WHERE activo ORDER BY nombre", cancellationToken: ct));
        return p.De(agentes.OrderBy(a => a.Nombre, StringComparer.CurrentCulture).Select(a => new Responsable("agente", a.Usuario, a.Nombre))
            .Concat(tecnicos.Select(x => new Responsable("tecnico", x.Id.ToString(), x.Nombre))).ToList());
    }

    /// <summary>What happened to a customer's account, newest first: staff any customer, a customer their own (404 otherwise).</summary>
    public async Task<PaginaLinea> LineaDeTiempoAsync(Guid clienteId, Usuario u, Telecable.Application.Comun.Paginacion pagina, CancellationToken ct)
    {
        if (!u.PuedeVerCliente(clienteId)) throw new ErrorNoEncontrado("cliente", clienteId.ToString());
        await using var cn = await db.OpenConnectionAsync(ct);
        var id = clienteId.ToString();
        if (!await cn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM clientes WHERE id = @clienteId)", new { clienteId }, cancellationToken: ct)))
            throw new ErrorNoEncontrado("cliente", id);
        var total = await cn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM eventos_sistema WHERE entidad = 'cliente' AND entidad_id = @id", new { id }, cancellationToken: ct));
        var filas = await cn.QueryAsync<(long Id, string Tipo, string Actor, DateTime CreatedAt, string Payload)>(new CommandDefinition("""
            SELECT id, tipo, actor, created_at, payload::text FROM eventos_sistema WHERE entidad = 'cliente' AND entidad_id = @id
            ORDER BY created_at DESC, id DESC LIMIT @tamano OFFSET @salto
            """, new { id, tamano = pagina.Tamano, salto = pagina.Saltar }, cancellationToken: ct));
        return pagina.Con(filas.Select(f => new EventoCliente(f.Id, f.Tipo, f.Actor, f.CreatedAt, JsonDocument.Parse(f.Payload).RootElement.Clone())).ToList(), total);
    }

    /// <summary>The active FAQ, grouped by category order then question order.</summary>
    public async Task<Telecable.Application.Comun.Pagina<FaqEntrada>> FaqAsync(string? categoria, Telecable.Application.Comun.Paginacion p, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await Datos.Paginado.LeerAsync<FaqEntrada>(cn, """
            SELECT categoria, pregunta, respuesta FROM faq WHERE activa AND (@categoria::text IS NULL OR categoria = @categoria)
            """, "categoria, orden, pregunta", new { categoria }, p, ct);
    }
}
