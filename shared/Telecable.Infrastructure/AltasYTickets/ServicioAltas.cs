using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using Telecable.Application.Altas;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Clientes;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Catalogo;
using Telecable.Infrastructure.Clientes;

namespace Telecable.Infrastructure.AltasYTickets;

/// <summary>
/// The onboarding request (customer portal sign-up or staff): the customer as for POST /api/clientes,
/// the plan or combo, and the preferred installation date (default: first day with a technician).
/// </summary>
public sealed record SolicitudAlta(SolicitudCliente? Cliente, Guid? PlanId, Guid? ComboId, DateOnly? FechaInstalacion,
    string? FranjaHoraria, int? DiaCorte);

public sealed record PasoEstado(string Paso, string Estado, string? Detalle, int Intentos, DateTime ActualizadoEn);
public sealed record CompensacionRegistrada(long Seq, string Paso, string Detalle, DateTime CreatedAt);
public sealed record CompensacionFallida(string Paso, string Error, DateTime CreatedAt);

/// <summary>GET /api/altas/{id}: the saga's state, each step's state and, on failure, why.</summary>
public sealed record EstadoAlta
{
    public string Id { get; init; } = "";
    public string Estado { get; init; } = "";
    public Guid? ClienteId { get; init; }
    public bool ClienteCreado { get; init; }
    public Guid? ContratoId { get; init; }
    public Guid? TicketId { get; init; }
    public Guid? TecnicoId { get; init; }
    public string? PasoFallido { get; init; }
    public string? Motivo { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? TerminadaEn { get; init; }
    public IReadOnlyList<PasoEstado> Pasos { get; init; } = [];
    public IReadOnlyList<CompensacionRegistrada> Compensaciones { get; init; } = [];
    /// <summary>Every failed compensation attempt (retried by the saga); non-empty with estado fallida means manual follow-up.</summary>
    public IReadOnlyList<CompensacionFallida> CompensacionesFallidas { get; init; } = [];
}

/// <summary>
/// The steps of the AltaCliente saga, each one idempotent (a retried activity finds what the first
/// attempt did through the <c>altas</c> row), their compensations (also idempotent), and the saga
/// record (<c>altas</c>, <c>altas_pasos</c>, <c>altas_compensaciones</c>) the status endpoint reads.
/// </summary>
public sealed class ServicioAltas(NpgsqlDataSource db, ServicioCatalogo catalogo, ServicioClientes clientes, ServicioTickets tickets,
    ServicioNotificaciones notificaciones) : IPasosAlta
{
    private static readonly Counter<long> Terminadas = Telemetria.Medidor.CreateCounter<long>(
        "telecable.altas.terminadas", description: "Altas terminadas por resultado (completada, fallida) y paso fallido");
    private static readonly Counter<long> Compensaciones = Telemetria.Medidor.CreateCounter<long>(
        "telecable.altas.compensaciones", description: "Pasos de alta deshechos por compensación");
    private static readonly Counter<long> CompensacionesFallidas = Telemetria.Medidor.CreateCounter<long>(
        "telecable.altas.compensaciones_fallidas", description: "Intentos de compensación que fallaron (se reintentan)");

    /// <summary>The instance id for an Idempotency-Key: a repeat of the request can't start a second saga.</summary>
    public static string IdPara(string claveIdempotencia, string? sujeto) =>
        "alta-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{sujeto ?? "publico"}\n{claveIdempotencia}")))[..32];

    /// <summary>Shape checks before a saga starts (400); business rules (coverage, RFC, technicians) fail a step and show in the status.</summary>
    public static void Validar(SolicitudAlta s)
    {
        new Validador()
            .Regla(s.Cliente is not null, "cliente", "Los datos del cliente son obligatorios.")
            .Regla((s.PlanId is null) != (s.ComboId is null), "planId", "Indique exactamente uno: planId o comboId.")
            .Regla(s.Cliente?.Rfc is not null || s.Cliente?.RequiereFactura == false, "cliente.rfc",
                "Es obligatorio, salvo que el cliente no necesite factura (requiereFactura false).")
            .Regla(s.Cliente?.Domicilio?.Cp is not null, "cliente.domicilio.cp", "Es obligatorio.")
            .Regla(s.FranjaHoraria is null or "matutina" or "vespertina", "franjaHoraria", "Debe ser matutina o vespertina.")
            .Regla(s.DiaCorte is null or (>= 1 and <= 28), "diaCorte", "Entre 1 y 28.")
            .Lanzar();
    }

    /// <summary>
    /// Creates the saga record with every step pendiente; a repeat is a no-op. Records who asked (null: the
    /// anonymous portal), which decides whether an existing customer with the same RFC may be reused.
    /// </summary>
    public async Task RegistrarAsync(string altaId, SolicitudAlta s, Usuario? solicitante, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        // A cut-off day outside the catalog would only fail the contract step later: 400 now (GET /api/catalogo/dias-corte lists them).
        if (s.DiaCorte is { } dia)
        {
            var permitidos = (await cn.QueryAsync<int>(new CommandDefinition("SELECT dia::int FROM dias_corte_permitidos ORDER BY dia", cancellationToken: ct))).ToList();
            if (permitidos.Count > 0 && !permitidos.Contains(dia))
                throw new ErrorValidacion("diaCorte", $"Elija un día de corte del catálogo: {string.Join(", ", permitidos)}.");
        }
        await using var tx = await cn.BeginTransactionAsync(ct);
        var n = await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO altas (id, solicitud, actor, cid, solicitante_cliente_id, solicitante_personal)
            VALUES (@altaId, @Solicitud::jsonb, @actor, @cid, @clienteId, @personal) ON CONFLICT (id) DO NOTHING
            """, new
        {
            altaId, Solicitud = JsonSerializer.Serialize(s, JsonWeb.Opciones), actor = solicitante?.Sujeto ?? "portal_cliente", cid,
            clienteId = solicitante is { } u && u.Tiene(Roles.Cliente) ? u.ClienteId : null,
            personal = solicitante?.TieneAlguno([Roles.Admin, Roles.Soporte]) ?? false,
        }, tx, cancellationToken: ct));
        if (n == 1)
            for (var i = 0; i < SagaAlta.Pasos.Count; i++)
                await cn.ExecuteAsync(new CommandDefinition("INSERT INTO altas_pasos (alta_id, orden, paso) VALUES (@altaId, @i, @p)",
                    new { altaId, i = (short)i, p = SagaAlta.Pasos[i] }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    public async Task<EstadoAlta?> ObtenerAsync(string altaId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var a = await cn.QuerySingleOrDefaultAsync<EstadoAlta>(new CommandDefinition("""
            SELECT id, estado, cliente_id AS clienteid, cliente_creado AS clientecreado, contrato_id AS contratoid, ticket_id AS ticketid,
                   tecnico_id AS tecnicoid, paso_fallido AS pasofallido, motivo, created_at AS createdat, terminada_en AS terminadaen
            FROM altas WHERE id = @altaId
            """, new { altaId }, cancellationToken: ct));
        if (a is null) return null;
        var pasos = await cn.QueryAsync<PasoEstado>(new CommandDefinition("""
            SELECT paso, estado, detalle, intentos, actualizado_en AS actualizadoen FROM altas_pasos WHERE alta_id = @altaId ORDER BY orden
            """, new { altaId }, cancellationToken: ct));
        var comp = await cn.QueryAsync<CompensacionRegistrada>(new CommandDefinition("""
            SELECT seq, paso, detalle, created_at AS createdat FROM altas_compensaciones WHERE alta_id = @altaId ORDER BY seq
            """, new { altaId }, cancellationToken: ct));
        var fallidas = await cn.QueryAsync<CompensacionFallida>(new CommandDefinition("""
            SELECT paso, error, created_at AS createdat FROM altas_compensaciones_fallidas WHERE alta_id = @altaId ORDER BY id
            """, new { altaId }, cancellationToken: ct));
        return a with { Pasos = pasos.AsList(), Compensaciones = comp.AsList(), CompensacionesFallidas = fallidas.AsList() };
    }

    // ------------------------------------------------------------------ steps

    private sealed record Fila
    {
        public string Id { get; init; } = "";
        public string Solicitud { get; init; } = "";
        public string Actor { get; init; } = "";
        public Guid? ClienteId { get; init; }
        public bool ClienteCreado { get; init; }
        public Guid? ContratoId { get; init; }
        public Guid? TicketId { get; init; }
        public Guid? SolicitanteClienteId { get; init; }
        public bool SolicitantePersonal { get; init; }
        public DateTime CreatedAt { get; init; }
        public SolicitudAlta Datos => JsonSerializer.Deserialize<SolicitudAlta>(Solicitud, JsonWeb.Opciones)!;
    }

    private async Task<Fila> FilaAsync(NpgsqlConnection cn, string altaId, CancellationToken ct) =>
        await cn.QuerySingleOrDefaultAsync<Fila>(new CommandDefinition("""
            SELECT id, solicitud::text AS solicitud, actor, cliente_id AS clienteid, cliente_creado AS clientecreado, contrato_id AS contratoid,
                   ticket_id AS ticketid, solicitante_cliente_id AS solicitanteclienteid, solicitante_personal AS solicitantepersonal,
                   created_at AS createdat
            FROM altas WHERE id = @altaId
            """, new { altaId }, cancellationToken: ct)) ?? throw new ErrorNoEncontrado("alta", altaId);

    /// <summary>Marks the step as started (one more attempt); called first by every step activity.</summary>
    public async Task IniciarPasoAsync(string altaId, string paso, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE altas_pasos SET intentos = intentos + 1, iniciado_en = now(), actualizado_en = now() WHERE alta_id = @altaId AND paso = @paso",
            new { altaId, paso }, cancellationToken: ct));
    }

    /// <summary>Runs one step (idempotent) and marks it completado with what it did.</summary>
    public async Task<string> EjecutarPasoAsync(string altaId, string paso, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var a = await FilaAsync(cn, altaId, ct);
        // Closed while the step calls other services, which take connections of their own; Dapper reopens
        // it for each statement below. Held open, every running step kept one pooled connection while it
        // waited for a second: a burst of sign-ups (bench/AltaCarga.sh) emptied the pool and public
        // requests failed with 500 after the pool's timeout.
        await cn.CloseAsync();
        var s = a.Datos;
        string detalle;
        switch (paso)
        {
            case SagaAlta.Cotizacion:
            {
                var o = await catalogo.CotizarAsync(new SolicitudCotizacion(null, s.Cliente!.Domicilio!.Cp, s.PlanId, s.ComboId, null), ct);
                detalle = $"{o.Nombre}: {o.Cotizacion.Total:0.00} MXN al mes con impuestos";
                break;
            }
            case SagaAlta.Cliente:
                detalle = await PasoClienteAsync(cn, a, s, cid, ct);
                break;
            case SagaAlta.Contrato:
                detalle = await PasoContratoAsync(cn, a, s, cid, ct);
                break;
            case SagaAlta.Ticket:
            {
                var t = a.TicketId is { } tid ? null : await tickets.CrearInstalacionAsync(
                    new SolicitudInstalacion(a.ContratoId ?? throw Falta(SagaAlta.Contrato), s.FechaInstalacion, s.FranjaHoraria, null), a.Actor, cid, ct);
                if (t is not null)
                    await cn.ExecuteAsync(new CommandDefinition("UPDATE altas SET ticket_id = @Id, tecnico_id = @TecnicoId WHERE id = @altaId",
                        new { t.Id, t.TecnicoId, altaId }, cancellationToken: ct));
                var ticket = t ?? await tickets.ObtenerAsync(a.TicketId!.Value, Sistema, ct);
                detalle = $"ticket #{ticket.Numero} asignado al técnico {ticket.TecnicoId} para el {ticket.FechaProgramada} ({ticket.FranjaHoraria})";
                break;
            }
            case SagaAlta.Notificacion:
            {
                var ticket = await tickets.ObtenerAsync(a.TicketId ?? throw Falta(SagaAlta.Ticket), Sistema, ct);
                var n = await notificaciones.ParaClienteAsync(a.ClienteId ?? throw Falta(SagaAlta.Cliente), "bienvenida",
                    $"¡Bienvenido a Telecable! Tu instalación quedó programada para el {ticket.FechaProgramada} ({ticket.FranjaHoraria}). Ticket #{ticket.Numero}.",
                    $"{altaId}:bienvenida", cid, ct);
                await cn.ExecuteAsync(new CommandDefinition("UPDATE altas SET notificacion_id = @Id WHERE id = @altaId", new { n.Id, altaId }, cancellationToken: ct));
                detalle = $"bienvenida por {n.Canal} a {n.Destino}";
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(paso), paso, "Paso desconocido.");
        }
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE altas_pasos SET estado = 'completado', detalle = @detalle, actualizado_en = now() WHERE alta_id = @altaId AND paso = @paso
            """, new { altaId, paso, detalle }, cancellationToken: ct));
        return detalle;
    }

    private static readonly Usuario Sistema = new("sistema:altas", "Alta de clientes", new HashSet<string> { Roles.Admin }, null, null);

    private static InvalidOperationException Falta(string paso) => new($"El paso {paso} no dejó registro; no se puede continuar.");

    private async Task<string> PasoClienteAsync(NpgsqlConnection cn, Fila a, SolicitudAlta s, string cid, CancellationToken ct)
    {
        if (a.ClienteId is { } ya) return a.ClienteCreado ? $"cliente {ya} creado" : $"cliente {ya} existente";
        Guid id;
        bool creado;
        var solicitud = s.Cliente!.Normalizada();
        // The generic RFC is shared by every customer without one: never a reason to reuse an account.
        var generico = Telecable.Domain.Facturacion.ReglasCfdiGlobal.FacturaConRecibo(solicitud.Rfc);
        var existente = generico ? null : await clientes.BuscarPorRfcAsync(solicitud.Rfc!, ct);
        if (existente is not null)
        {
            (id, creado) = (PuedeReutilizar(a, existente.Id), false);
            await clientes.RegistrarConsentimientoAsync(id, solicitud.Consentimiento!, cid, ct);
        }
        else
        {
            try
            {
                (id, creado) = ((await clientes.CrearAsync(solicitud, a.Actor, cid, ct)).Id, true);
            }
            catch (ErrorConflicto e) when (e.Codigo == "rfc_duplicado")
            {
                // another saga won the race for this RFC: reuse the winner, on the same terms
                (id, creado) = (PuedeReutilizar(a, (await clientes.BuscarPorRfcAsync(solicitud.Rfc!, ct))!.Id), false);
            }
        }
        await cn.ExecuteAsync(new CommandDefinition("UPDATE altas SET cliente_id = @id, cliente_creado = @creado WHERE id = @altaId",
            new { id, creado, altaId = a.Id }, cancellationToken: ct));
        return creado ? $"cliente {id} creado con domicilio y consentimiento" : $"cliente {id} existente (mismo RFC); consentimiento registrado";
    }

    /// <summary>
    /// An existing customer is reused only for support staff or for that customer signed in: anybody else who
    /// knows an RFC (it is printed on every invoice) must not add contracts, installations and consents to
    /// someone else's account nor learn its ids. The refusal is a business rule (no retry), names no customer.
    /// </summary>
    private static Guid PuedeReutilizar(Fila a, Guid existente) =>
        a.SolicitantePersonal || a.SolicitanteClienteId == existente
            ? existente
            : throw new ErrorRegla("Ese RFC ya es cliente de Telecable: inicie sesión en el portal para contratar otro servicio, o acuda a una sucursal.", "cliente.rfc");

    private async Task<string> PasoContratoAsync(NpgsqlConnection cn, Fila a, SolicitudAlta s, string cid, CancellationToken ct)
    {
        if (a.ContratoId is { } ya) return $"contrato {ya} pendiente de instalación";
        var clienteId = a.ClienteId ?? throw Falta(SagaAlta.Cliente);
        // A retry after a crash between the insert and the record finds the contract the first attempt made.
        var previo = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            SELECT k.id FROM contratos k
            WHERE k.cliente_id = @clienteId AND k.estado = 'pendiente_instalacion' AND k.created_at >= @CreatedAt
              AND k.plan_id IS NOT DISTINCT FROM @PlanId AND k.combo_id IS NOT DISTINCT FROM @ComboId
              AND NOT EXISTS (SELECT 1 FROM altas x WHERE x.contrato_id = k.id)
            ORDER BY k.created_at LIMIT 1
            """, new { clienteId, a.CreatedAt, s.PlanId, s.ComboId }, cancellationToken: ct));
        var id = previo ?? (await clientes.CrearContratoAsync(clienteId, new SolicitudContrato(s.PlanId, s.ComboId, null, null, s.DiaCorte), a.Actor, cid, ct)).Id;
        await cn.ExecuteAsync(new CommandDefinition("UPDATE altas SET contrato_id = @id WHERE id = @altaId", new { id, altaId = a.Id }, cancellationToken: ct));
        return $"contrato {id} pendiente de instalación";
    }

    // ------------------------------------------------------------------ failure and compensation

    /// <summary>Records the failed step and why; the saga then compensates.</summary>
    public async Task RegistrarFalloAsync(string altaId, string paso, string motivo, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE altas_pasos SET estado = 'fallido', detalle = @motivo, actualizado_en = now() WHERE alta_id = @altaId AND paso = @paso
            """, new { altaId, paso, motivo }, tx, cancellationToken: ct));
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE altas SET estado = 'compensando', paso_fallido = @paso, motivo = @motivo WHERE id = @altaId
            """, new { altaId, paso, motivo }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Undoes one step, idempotently: a step already compensated is left alone, and each undo checks
    /// the current state (a cancelled contract is not cancelled again). The compensation is recorded
    /// (once, with its sequence) when the step had completed or left something to undo.
    /// </summary>
    public async Task<string?> CompensarAsync(string altaId, string paso, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var estadoPaso = await cn.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT estado FROM altas_pasos WHERE alta_id = @altaId AND paso = @paso", new { altaId, paso }, cancellationToken: ct));
        if (estadoPaso == "compensado") return null;
        var a = await FilaAsync(cn, altaId, ct);
        await cn.CloseAsync(); // not held while the undo takes connections of its own (see EjecutarPasoAsync)
        string? detalle = paso switch
        {
            SagaAlta.Cliente => await DeshacerClienteAsync(a, cid, ct),
            SagaAlta.Contrato => await DeshacerContratoAsync(a, cid, ct),
            SagaAlta.Ticket => a.TicketId is { } t
                ? (await tickets.CancelarAsync(t, $"Alta {altaId} revertida", a.Actor, cid, ct) ? $"ticket {t} cancelado" : $"ticket {t} ya estaba cancelado")
                : null,
            _ => null,
        };
        if (estadoPaso != "completado" && detalle is null) return null;
        detalle ??= "nada que deshacer";
        await cn.OpenAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO altas_compensaciones (alta_id, paso, detalle) VALUES (@altaId, @paso, @detalle) ON CONFLICT (alta_id, paso) DO NOTHING
            """, new { altaId, paso, detalle }, tx, cancellationToken: ct));
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE altas_pasos SET estado = 'compensado', detalle = @detalle, actualizado_en = now() WHERE alta_id = @altaId AND paso = @paso
            """, new { altaId, paso, detalle }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        Compensaciones.Add(1, new KeyValuePair<string, object?>("paso", paso));
        return detalle;
    }

    private async Task<string?> DeshacerClienteAsync(Fila a, string cid, CancellationToken ct)
    {
        if (a.ClienteId is not { } id) return null;
        if (!a.ClienteCreado) return $"cliente {id} existente: se conserva";
        var c = await clientes.ObtenerAsync(id, ct);
        if (c.Estado == "baja") return $"cliente {id} ya estaba de baja";
        await clientes.ActualizarAsync(id, new CambioCliente(null, null, null, null, null, null, "baja", null), c.Version, a.Actor, cid, ct);
        return $"cliente {id} dado de baja";
    }

    private async Task<string?> DeshacerContratoAsync(Fila a, string cid, CancellationToken ct)
    {
        if (a.ContratoId is not { } id) return null;
        var k = await clientes.ObtenerContratoAsync(id, ct);
        if (k.Estado == EstadosContrato.Cancelado) return $"contrato {id} ya estaba cancelado";
        await clientes.ModificarContratoAsync(id, new CambioContrato(EstadosContrato.AccionCancelar, null, null, null), k.Version, a.Actor, cid, ct);
        return $"contrato {id} cancelado";
    }

    /// <summary>A compensation attempt that failed: logged in the table (the orchestration retries it).</summary>
    public async Task RegistrarCompensacionFallidaAsync(string altaId, string paso, string error, CancellationToken ct)
    {
        CompensacionesFallidas.Add(1, new KeyValuePair<string, object?>("paso", paso));
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO altas_compensaciones_fallidas (alta_id, paso, error) VALUES (@altaId, @paso, @error)",
            new { altaId, paso, error }, cancellationToken: ct));
    }

    /// <summary>Ends the saga: completada, or fallida (motivo kept from the failed step).</summary>
    public async Task TerminarAsync(string altaId, bool exito, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var pasoFallido = await cn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            UPDATE altas SET estado = @Estado, terminada_en = coalesce(terminada_en, now()) WHERE id = @altaId RETURNING paso_fallido
            """, new { altaId, Estado = exito ? "completada" : "fallida" }, cancellationToken: ct));
        Terminadas.Add(1, new KeyValuePair<string, object?>("resultado", exito ? "completada" : "fallida"),
            new KeyValuePair<string, object?>("paso_fallido", pasoFallido));
    }
}
