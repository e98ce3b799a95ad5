using Telecable.Application.Pagos;
using Dapper;
using Npgsql;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Outbox;

namespace Telecable.Infrastructure.Pagos;

public sealed record PagoNuevo(Guid ClienteId, decimal Monto, string Metodo, string? Referencia, string? Gateway, string? GatewayEventoId, Guid[] Facturas);

/// <summary>POST /api/pagos body: a payment taken at a branch or by the back office.</summary>
public sealed record SolicitudPago(Guid? ClienteId, decimal? Monto, string? Metodo, string? Referencia, IReadOnlyList<Guid>? Facturas);

/// <summary>The payment PATCH .../pagar recorded (or found) for an invoice; Aplicado when it was already applied.</summary>
public sealed record PagoDeFactura(Guid Uuid, Guid PagoId, decimal Monto, bool Aplicado);

public sealed record AplicacionVista(Guid FacturaId, decimal Monto, DateTime AplicadoEn);

/// <summary>A payment as the API shows it (settable properties: Dapper maps uuid[] through them).</summary>
public sealed record PagoVista
{
    public Guid Id { get; init; }
    public Guid ClienteId { get; init; }
    public decimal Monto { get; init; }
    public string Moneda { get; init; } = "MXN";
    public string Metodo { get; init; } = "";
    public string? Referencia { get; init; }
    public string? Gateway { get; init; }
    public string Estado { get; init; } = "";
    public DateTime RecibidoEn { get; init; }
    public DateTime? AplicadoEn { get; init; }
    public Guid[] FacturasSolicitadas { get; init; } = [];
    /// <summary>For what a customer kept after a partial refund: the payment it comes from; and on that one, its remainder.</summary>
    public Guid? PagoOrigenId { get; init; }
    public Guid? PagoRemanenteId { get; init; }
    public IReadOnlyList<AplicacionVista> Aplicaciones { get; init; } = [];
    public decimal SaldoAFavorGenerado { get; init; }
}

public sealed record FacturaPendiente(Guid FacturaId, string Serie, long Folio, DateOnly? FechaVencimiento, decimal Total, decimal Saldo, string Rango);
public sealed record PendientesCliente(Guid ClienteId, string Nombre, decimal Total, IReadOnlyDictionary<string, decimal> PorRango, IReadOnlyList<FacturaPendiente> Facturas);

public static class RepositorioPagos
{
    public static async Task<Guid> InsertarConfirmadoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, PagoNuevo p, string cid, DateTimeOffset ahora, CancellationToken ct)
    {
        var id = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            INSERT INTO pagos (cliente_id, monto, metodo, referencia, gateway, gateway_evento_id, estado, recibido_en, cid, facturas_solicitadas)
            VALUES (@ClienteId, @Monto, @Metodo, @Referencia, @Gateway, @GatewayEventoId, 'confirmado', @ahora, @cid, @Facturas)
            RETURNING id
            """, new { p.ClienteId, p.Monto, p.Metodo, p.Referencia, p.Gateway, p.GatewayEventoId, p.Facturas, ahora, cid }, tx, cancellationToken: ct));
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoRecibido(id, p, cid, ahora), ct);
        return id;
    }

    /// <summary>The domain event of a confirmed payment, whichever way it arrived.</summary>
    public static EventoDominio EventoRecibido(Guid id, PagoNuevo p, string cid, DateTimeOffset ahora) =>
        EventoDominio.Crear("PagoRecibido", "pago", id.ToString(), new { pagoId = id, p.ClienteId, p.Monto, p.Metodo, p.Referencia, p.Gateway }, cid, ahora);
}

/// <summary>Payments taken by staff (POST /api/pagos), payment reads, and what customers owe.</summary>
public sealed class ServicioPagos(NpgsqlDataSource db, TimeProvider reloj) : IInicioPagos
{
    public async Task<PagoVista> RegistrarAsync(SolicitudPago s, string cid, CancellationToken ct)
    {
        var facturas = s.Facturas ?? [];
        var v = new Validador()
            .Regla(s.ClienteId is not null && s.ClienteId != Guid.Empty, "clienteId", "Es obligatorio.")
            .Regla(s.Monto is { } m && Montos.EsValido(m), "monto", "Debe ser mayor que 0 con a lo más 2 decimales.")
            .Regla(s.Metodo is not null && MetodosPago.Todos.Contains(s.Metodo), "metodo", "Debe ser efectivo, tarjeta, spei u oxxo.")
            .Regla(s.Referencia is null || s.Referencia.Length <= 100, "referencia", "A lo más 100 caracteres.")
            .Regla(facturas.Count <= 50, "facturas", "A lo más 50 facturas por pago.")
            .Regla(facturas.Distinct().Count() == facturas.Count, "facturas", "Hay facturas repetidas.");
        v.Lanzar();

        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        if (!await cn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM clientes WHERE id = @ClienteId)", s, tx, cancellationToken: ct)))
            throw new ErrorValidacion("clienteId", "El cliente no existe.");
        // An invoice is named by its internal id or by its fiscal UUID (what is printed on it); stored by id.
        var encontradas = (await cn.QueryAsync<(Guid Id, Guid? Uuid, Guid ClienteId, string Estado)>(new CommandDefinition(
            "SELECT id, uuid, cliente_id, estado FROM facturas WHERE id = ANY(@ids) OR uuid = ANY(@ids)", new { ids = facturas.ToArray() }, tx, cancellationToken: ct)))
            .ToList();
        var errores = new List<ErrorCampo>();
        var ids = new Guid[facturas.Count];
        for (var i = 0; i < facturas.Count; i++)
        {
            var buscada = facturas[i];
            var hallada = encontradas.Where(x => x.Id == buscada || x.Uuid == buscada).Select(x => ((Guid Id, Guid? Uuid, Guid ClienteId, string Estado)?)x).FirstOrDefault();
            if (hallada is not { } f || f.ClienteId != s.ClienteId)
                errores.Add(new ErrorCampo($"facturas[{i}]", "La factura no existe o no es de este cliente."));
            else if (f.Estado == "cancelada")
                errores.Add(new ErrorCampo($"facturas[{i}]", "La factura está cancelada."));
            else if (f.Estado is not ("timbrada" or "pagada"))
                errores.Add(new ErrorCampo($"facturas[{i}]", "La factura no está timbrada."));
            else if (ids.Contains(f.Id))
                errores.Add(new ErrorCampo($"facturas[{i}]", "La factura ya se nombró (por id o por UUID)."));
            else
                ids[i] = f.Id;
        }
        if (errores.Count > 0) throw new ErrorValidacion(errores);

        var id = await RepositorioPagos.InsertarConfirmadoAsync(cn, tx,
            new PagoNuevo(s.ClienteId!.Value, s.Monto!.Value, s.Metodo!, s.Referencia, null, null, ids), cid, reloj.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
        return (await ObtenerAsync(id, ct))!;
    }

    /// <summary>
    /// PATCH /api/facturacion/{uuid}/pagar: records a confirmed payment of the invoice's balance, to be applied by
    /// ProcesarPago like any other (so a PPD invoice gets its Pagos 2.0 complement). Idempotent: a paid invoice
    /// answers with the payment that settled it, and one still being processed for exactly its balance with that
    /// payment. Another payment naming it still in flight is a 409, as is an invoice with nothing left to pay.
    /// </summary>
    public async Task<PagoDeFactura> PagarFacturaAsync(Guid uuid, string? metodo, string? referencia, string actor, string cid, CancellationToken ct)
    {
        metodo ??= "efectivo";
        new Validador()
            .Regla(MetodosPago.Todos.Contains(metodo), "metodo", "Debe ser efectivo, tarjeta, spei u oxxo.")
            .Regla(referencia is null || referencia.Length <= 100, "referencia", "A lo más 100 caracteres.")
            .Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        // Locks the invoice: two concurrent PATCHes serialize and the second finds the first one's payment.
        var f = await cn.QuerySingleOrDefaultAsync<(Guid Id, string Estado, Guid ClienteId, decimal Total)?>(new CommandDefinition(
            "SELECT id, estado, cliente_id, total - acreditado FROM facturas WHERE uuid = @uuid FOR UPDATE", new { uuid }, tx, cancellationToken: ct))
            ?? throw new ErrorNoEncontrado("factura", uuid.ToString());
        if (f.Estado == "pagada")
        {
            var ultimo = await cn.QueryFirstAsync<(Guid PagoId, decimal Monto)>(new CommandDefinition("""
                SELECT a.pago_id, p.monto FROM pago_aplicaciones a JOIN pagos p ON p.id = a.pago_id
                WHERE a.factura_id = @Id ORDER BY a.aplicado_en DESC, a.id DESC LIMIT 1
                """, new { f.Id }, tx, cancellationToken: ct));
            return new PagoDeFactura(uuid, ultimo.PagoId, ultimo.Monto, Aplicado: true);
        }
        if (f.Estado != "timbrada") throw new ErrorConflicto($"Una factura en estado {f.Estado} no se puede pagar.", "estado_invalido");
        var saldo = f.Total - await cn.ExecuteScalarAsync<decimal>(new CommandDefinition(
            "SELECT coalesce(sum(monto), 0) FROM pago_aplicaciones WHERE factura_id = @Id", new { f.Id }, tx, cancellationToken: ct));
        var enCurso = (await cn.QueryAsync<(Guid Id, decimal Monto, Guid[] Facturas)>(new CommandDefinition(
            "SELECT id, monto, facturas_solicitadas FROM pagos WHERE estado = 'confirmado' AND @Id = ANY(facturas_solicitadas)",
            new { f.Id }, tx, cancellationToken: ct))).ToList();
        if (enCurso.Count == 1 && enCurso[0].Facturas.Length == 1 && enCurso[0].Monto == saldo)
            return new PagoDeFactura(uuid, enCurso[0].Id, saldo, Aplicado: false);
        if (enCurso.Count > 0)
            throw new ErrorConflicto("Otro pago de esta factura se está aplicando; el saldo se conocerá al terminar.", "pago_en_proceso");
        if (saldo <= 0m) throw new ErrorConflicto("La factura no tiene saldo por pagar.", "sobreaplicacion");
        var id = await RepositorioPagos.InsertarConfirmadoAsync(cn, tx,
            new PagoNuevo(f.ClienteId, saldo, metodo, referencia ?? $"manual:{actor}", null, null, [f.Id]), cid, reloj.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
        return new PagoDeFactura(uuid, id, saldo, Aplicado: false);
    }

    /// <summary>The invoice's state once its payment has been processed (or while it still is).</summary>
    public async Task<string> EstadoFacturaAsync(Guid uuid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT estado FROM facturas WHERE uuid = @uuid", new { uuid }, cancellationToken: ct)) ?? "";
    }

    public async Task<PagoVista?> ObtenerAsync(Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var p = await cn.QuerySingleOrDefaultAsync<PagoVista>(new CommandDefinition("""
            SELECT id, cliente_id AS ClienteId, monto, moneda, metodo, referencia, gateway, estado, recibido_en AS RecibidoEn,
                   aplicado_en AS AplicadoEn, facturas_solicitadas AS FacturasSolicitadas, pago_origen_id AS PagoOrigenId,
                   (SELECT r.pago_remanente_id FROM pago_reversos r WHERE r.pago_id = pagos.id) AS PagoRemanenteId
            FROM pagos WHERE id = @id
            """, new { id }, cancellationToken: ct));
        if (p is null) return null;
        var apps = await cn.QueryAsync<AplicacionVista>(new CommandDefinition(
            "SELECT factura_id AS FacturaId, monto, aplicado_en AS AplicadoEn FROM pago_aplicaciones WHERE pago_id = @id ORDER BY aplicado_en, factura_id",
            new { id }, cancellationToken: ct));
        var abono = await cn.ExecuteScalarAsync<decimal?>(new CommandDefinition(
            "SELECT sum(CASE tipo WHEN 'abono' THEN monto ELSE -monto END) FROM movimientos_saldo WHERE pago_id = @id", new { id }, cancellationToken: ct));
        return p with { Aplicaciones = apps.ToList(), SaldoAFavorGenerado = abono ?? 0m };
    }

    /// <summary>Confirmed payments older than <paramref name="antiguedad"/> still waiting to be applied (oldest first).</summary>
    /// <summary>Confirmed payments whose ProcesarPago has not been started yet, oldest first.</summary>
    public async Task<IReadOnlyList<Guid>> PorIniciarAsync(int limite, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return (await cn.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM pagos WHERE estado = 'confirmado' AND saga_iniciada_en IS NULL ORDER BY recibido_en LIMIT @limite",
            new { limite }, cancellationToken: ct))).ToList();
    }

    /// <summary>Records that these payments' ProcesarPago instances exist (started now or earlier); <paramref name="instancia"/>
    /// names the batch orchestration (ProcesarPagosLote) that holds them, when they went in one.</summary>
    public async Task MarcarIniciadosAsync(IReadOnlyList<Guid> ids, CancellationToken ct, string? instancia = null)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE pagos SET saga_iniciada_en = @ahora, saga_instancia = @instancia WHERE id = ANY(@ids) AND saga_iniciada_en IS NULL",
            new { ids = ids.ToArray(), ahora = reloj.GetUtcNow(), instancia }, cancellationToken: ct));
    }

    /// <summary>A batch that failed for good gives back the payments it left confirmed: the timer starts them again.</summary>
    public async Task LiberarInicioAsync(IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE pagos SET saga_iniciada_en = NULL, saga_instancia = NULL WHERE id = ANY(@ids) AND estado = 'confirmado'",
            new { ids = ids.ToArray() }, cancellationToken: ct));
    }

    /// <summary>The batch orchestration that holds the payment, if it went in one (else its own ProcesarPago instance).</summary>
    public async Task<string?> InstanciaLoteAsync(Guid pagoId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT saga_instancia FROM pagos WHERE id = @pagoId", new { pagoId }, cancellationToken: ct));
    }

    /// <summary>Stamped invoices with a balance, by customer and by days past due.</summary>
    public async Task<Application.Comun.Pagina<PendientesCliente>> PendientesAsync(Guid? clienteId, Application.Comun.Paginacion p, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var filas = await cn.QueryAsync<(Guid ClienteId, string Nombre, Guid FacturaId, string Serie, long Folio, DateTime? Vence, decimal Total, decimal Saldo)>(
            new CommandDefinition("""
            SELECT f.cliente_id, c.nombre, f.id, f.serie, f.folio, f.fecha_vencimiento::timestamp, f.total,
                   f.total - f.acreditado - coalesce((SELECT sum(a.monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0) AS saldo
            FROM facturas f JOIN clientes c ON c.id = f.cliente_id
            WHERE f.estado = 'timbrada' AND (@clienteId::uuid IS NULL OR f.cliente_id = @clienteId)
            ORDER BY f.cliente_id, f.fecha_vencimiento NULLS LAST
            LIMIT 20000
            """, new { clienteId }, cancellationToken: ct));
        var hoy = reloj.Hoy();
        return p.De(filas.Where(f => f.Saldo > 0).GroupBy(f => (f.ClienteId, f.Nombre)).Select(g =>
        {
            var facturas = g.Select(f =>
            {
                var vence = f.Vence is { } d ? DateOnly.FromDateTime(d) : (DateOnly?)null;
                return new FacturaPendiente(f.FacturaId, f.Serie, f.Folio, vence, f.Total, f.Saldo, vence is { } v ? Antiguedad.Rango(v, hoy) : Antiguedad.PorVencer);
            }).ToList();
            var rangos = new[] { Antiguedad.PorVencer }.Concat(Antiguedad.Rangos)
                .ToDictionary(r => r, r => facturas.Where(f => f.Rango == r).Sum(f => f.Saldo));
            return new PendientesCliente(g.Key.ClienteId, g.Key.Nombre, facturas.Sum(f => f.Saldo), rangos, facturas);
        }).ToList());
    }
}
