using Dapper;
using Npgsql;
using NpgsqlTypes;
using Telecable.Application.Comun;
using Telecable.Application.Facturacion;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;

namespace Telecable.Infrastructure.Facturacion;

public sealed record Corrida(Guid Id, DateOnly Periodo, string Estado, string InstanceId);

/// <summary>A live run and the durable instance that should be driving it.</summary>
public sealed record CorridaViva(Guid Id, string InstanceId);

/// <summary>
/// Billing runs: creating one, generating its invoices (gap-free folios in the same transaction), closing it, its
/// progress and the retry of its failed invoices. Stamping a chunk is <see cref="TimbradorFacturas"/>.
/// </summary>
public sealed class ServicioCorridas(NpgsqlDataSource db, OpcionesEmisor emisor, OpcionesFacturacion opciones, TimeProvider reloj) : IPasosCorrida
{
    public const string EventoCorridaCompletada = "CorridaCompletada";
    public const string EventoCorridaFallida = "CorridaFallida";
    private const string Vivas = "('pendiente', 'en_proceso')";

    /// <summary>Registers a run of the period. One live run per period (409 otherwise); a period already billed
    /// gets a run that generates nothing new.</summary>
    /// <param name="fechaCorte">A daily run: bills the cycles whose cut-off is on or before this date (its month is the
    /// period). Null: a manual run of the whole period.</param>
    public async Task<Corrida> CrearAsync(DateOnly periodo, string actor, CancellationToken ct, DateOnly? fechaCorte = null)
    {
        var id = Guid.NewGuid();
        await using var cn = await db.OpenConnectionAsync(ct);
        try
        {
            await cn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO corridas_facturacion (id, periodo, estado, instance_id, solicitada_por, iniciada_en, fecha_corte)
                VALUES (@id, @periodo, 'en_proceso', @instancia, @actor, now(), @fechaCorte)
                """, new { id, periodo, instancia = id.ToString(), actor, fechaCorte }, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            var viva = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition(
                $"SELECT id FROM corridas_facturacion WHERE periodo = @periodo AND estado IN {Vivas}", new { periodo }, cancellationToken: ct));
            throw new ErrorConflicto($"Ya hay una corrida en curso para {Periodo.Texto(periodo)}.", "corrida_en_curso")
            {
                Recurso = $"/api/facturacion/corridas/{viva}",
            };
        }
        return new Corrida(id, periodo, "en_proceso", id.ToString());
    }

    /// <summary>Puts a finished or failed run back in process under a new orchestration instance: its failed invoices
    /// (receptor data and date refreshed: they were never stamped) and whatever it had not stamped yet. A run that failed
    /// before generating its invoices generates them now; stamped invoices are never sent again.</summary>
    public async Task<Corrida> ReintentarAsync(Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var c = await cn.QuerySingleOrDefaultAsync<(DateOnly Periodo, string Estado, int Ejecuciones)?>(new CommandDefinition(
            "SELECT periodo, estado, ejecuciones FROM corridas_facturacion WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct))
            ?? throw new ErrorNoEncontrado("corrida", id.ToString());
        if (c.Estado is "pendiente" or "en_proceso")
        {
            throw new ErrorConflicto("La corrida sigue en proceso.", "corrida_en_curso");
        }
        var instancia = $"{id}-r{c.Ejecuciones}";
        var ahora = reloj.GetUtcNow();
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE facturas f SET estado = 'borrador', error_codigo = NULL, error_mensaje = NULL, fecha_emision = @ahora,
                   receptor_rfc = cl.rfc, receptor_nombre = cl.nombre, receptor_regimen = cl.regimen_fiscal,
                   receptor_cp = cl.cp_fiscal, uso_cfdi = cl.uso_cfdi, version = f.version + 1
            FROM clientes cl
            WHERE f.corrida_id = @id AND f.estado = 'error' AND f.uuid IS NULL AND cl.id = f.cliente_id
            """, new { id, ahora = Segundos(ahora) }, tx, cancellationToken: ct));
        try
        {
            await cn.ExecuteAsync(new CommandDefinition("""
                UPDATE corridas_facturacion SET estado = 'en_proceso', instance_id = @instancia, terminada_en = NULL,
                       causa_codigo = NULL, causa_mensaje = NULL
                WHERE id = @id
                """, new { id, instancia }, tx, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            var viva = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition(
                $"SELECT id FROM corridas_facturacion WHERE periodo = @Periodo AND estado IN {Vivas}", new { c.Periodo }, cancellationToken: ct));
            throw new ErrorConflicto("Hay otra corrida en curso para el mismo periodo.", "corrida_en_curso") { Recurso = $"/api/facturacion/corridas/{viva}" };
        }
        await tx.CommitAsync(ct);
        return new Corrida(id, c.Periodo, "en_proceso", instancia);
    }

    /// <summary>
    /// Ends a live run as <c>fallida</c> with its cause and writes CorridaFallida, once: only a run still live (and, when
    /// <paramref name="instancia"/> is given, still driven by that instance) changes, so the orchestration's own
    /// failure path and the reconciliation timer on any host can both call it. Returns whether this call ended it.
    /// </summary>
    public async Task<bool> MarcarFallidaAsync(Guid id, FallaCorrida causa, string? instancia, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var periodo = await cn.QuerySingleOrDefaultAsync<DateOnly?>(new CommandDefinition($"""
            UPDATE corridas_facturacion SET estado = 'fallida', terminada_en = now(), causa_codigo = @Codigo, causa_mensaje = @Mensaje
            WHERE id = @id AND estado IN {Vivas} AND (@instancia::text IS NULL OR instance_id = @instancia)
            RETURNING periodo
            """, new { id, causa.Codigo, causa.Mensaje, instancia }, tx, cancellationToken: ct));
        if (periodo is null) return false;
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(EventoCorridaFallida, "corrida", id.ToString(),
            new { corridaId = id, periodo = Periodo.Texto(periodo.Value), causa.Codigo, causa.Mensaje }, cid, reloj.GetUtcNow()), ct);
        await tx.CommitAsync(ct);
        FacturacionMetricas.CorridasFallidas.Add(1, new KeyValuePair<string, object?>("causa", causa.Codigo));
        return true;
    }

    /// <summary>Live runs not touched for <paramref name="gracia"/>: the reconciliation timer asks the durable backend
    /// whether their instance still runs (the grace covers the moment between creating a run and scheduling it).</summary>
    public async Task<IReadOnlyList<CorridaViva>> VivasSinCambiosAsync(TimeSpan gracia, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return (await cn.QueryAsync<CorridaViva>(new CommandDefinition($"""
            SELECT id AS Id, instance_id AS InstanceId FROM corridas_facturacion
            WHERE estado IN {Vivas} AND instance_id IS NOT NULL AND updated_at < now() - @gracia
            ORDER BY updated_at LIMIT 100
            """, new { gracia }, cancellationToken: ct))).ToList();
    }

    /// <summary>Runs, newest first, optionally of one period and state, with their progress and cause.</summary>
    public async Task<Pagina<ProgresoCorrida>> ListarAsync(DateOnly? periodo, string? estado, Paginacion pagina, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var filtro = new { periodo, estado, tamano = pagina.Tamano, saltar = pagina.Saltar };
        const string Donde = "WHERE (@periodo::date IS NULL OR periodo = @periodo) AND (@estado::text IS NULL OR estado = @estado)";
        var total = await cn.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM corridas_facturacion {Donde}", filtro, cancellationToken: ct));
        var elementos = await ProgresosAsync(cn, null, $"{Donde} ORDER BY created_at DESC, id LIMIT @tamano OFFSET @saltar", filtro, ct);
        return pagina.Con(elementos, total);
    }

    /// <summary>Starts an execution of the run: counts it (a retry's instance is named after the count) and says whether
    /// its invoices are still to be generated (a first execution, or a retry of one whose generation failed half way).</summary>
    public async Task<PreparacionCorrida> PrepararAsync(Guid corridaId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var generar = await cn.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition("""
            UPDATE corridas_facturacion SET ejecuciones = ejecuciones + 1 WHERE id = @corridaId RETURNING generada_en IS NULL
            """, new { corridaId }, cancellationToken: ct)) ?? throw new InvalidOperationException($"Corrida {corridaId} no existe.");
        return new PreparacionCorrida(generar, Math.Max(1, opciones.PartesEnVuelo), Math.Max(1, opciones.PartesPorEpisodio));
    }

    /// <summary>
    /// One page of a run's generation: one invoice per contract of the next <c>ContratosPorPagina</c> contracts to bill after
    /// <paramref name="despues"/>, with gap-free folios allocated (UPDATE ... RETURNING) in the transaction that inserts them.
    /// The run's row is locked first, so two executions of one page (a re-delivered activity) run one after the other, and
    /// the second bills only contracts the first did not (NOT EXISTS, a fresh snapshot after the lock): everything up to
    /// the returned cursor is billed either way. A page with no contract left marks the generation ended.
    /// </summary>
    public async Task<PaginaGenerada> GenerarPaginaAsync(Guid corridaId, CursorContratos? despues, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var c = await cn.QuerySingleOrDefaultAsync<(DateOnly Periodo, DateOnly? FechaCorte, bool Generada)?>(new CommandDefinition(
            "SELECT periodo, fecha_corte, generada_en IS NOT NULL FROM corridas_facturacion WHERE id = @corridaId FOR UPDATE",
            new { corridaId }, tx, cancellationToken: ct))
            ?? throw new InvalidOperationException($"Corrida {corridaId} no existe.");
        if (c.Generada) return new PaginaGenerada(0, despues, true);
        using var act = Telemetria.Fuente.StartActivity("Facturacion.Generar");
        var hoy = reloj.Hoy();
        if (despues is null)
        {
            // Before the first page prices anything: a deferred plan change and a late fee land on the invoice generated here.
            await TarifasContratos.AplicarCambiosProgramadosAsync(cn, tx, hoy, ct);
            var recargos = await TarifasContratos.RegistrarRecargosAsync(cn, tx, hoy, ct);
            if (recargos > 0) CiclosMetricas.Recargos.Add(recargos);
        }
        var (contratos, cursor) = await TarifasContratos.PorFacturarAsync(cn, tx, c.Periodo, c.FechaCorte, hoy, despues,
            Math.Max(1, opciones.ContratosPorPagina), ct);
        var generadas = contratos.Count == 0 ? 0 : await GenerarAsync(cn, tx, corridaId, c.Periodo, contratos, ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE corridas_facturacion SET total_contratos = total_contratos + @generadas, total_facturas = total_facturas + @generadas,
                   generada_en = CASE WHEN @terminada THEN now() END
            WHERE id = @corridaId
            """, new { corridaId, generadas, terminada = cursor is null }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        FacturacionMetricas.Generadas.Add(generadas);
        return new PaginaGenerada(generadas, cursor ?? despues, cursor is null);
    }

    /// <summary>The next chunks to stamp after <paramref name="despuesDeFolio"/>: every FacturasPorParte-th folio still to
    /// stamp starts one (one index range of (corrida_id, folio), read no further than the chunks asked for), so chunks hold
    /// exactly FacturasPorParte invoices, also on a retry or a later round where the invoices left are scattered.</summary>
    public async Task<IReadOnlyList<RangoFolios>> PartesAsync(Guid corridaId, long despuesDeFolio, int maximo, CancellationToken ct)
    {
        var tamano = (long)Math.Max(1, opciones.FacturasPorParte);
        await using var cn = await db.OpenConnectionAsync(ct);
        return (await cn.QueryAsync<RangoFolios>(new CommandDefinition("""
            SELECT min(folio) AS Desde, max(folio) AS Hasta FROM (
                SELECT folio, (row_number() OVER (ORDER BY folio) - 1) / @tamano AS parte FROM (
                    SELECT folio FROM facturas
                    WHERE corrida_id = @corridaId AND folio > @despuesDeFolio AND estado = 'borrador' AND uuid IS NULL AND tipo_documento = 'cfdi'
                    ORDER BY folio LIMIT @limite) f) x
            GROUP BY parte ORDER BY parte
            """, new { corridaId, despuesDeFolio, tamano, limite = tamano * Math.Max(1, maximo) }, cancellationToken: ct))).ToList();
    }

    /// <summary>Inserts one page's invoices (or receipts) with their concepts, attaches their pending charges and earmarks
    /// credit balance; returns how many.</summary>
    private async Task<int> GenerarAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid corridaId, DateOnly periodo, IReadOnlyList<ContratoAFacturar> contratos,
        CancellationToken ct)
    {
        // Customers without an RFC of their own ("no necesita factura") get a receipt (serie NV, folios of its own) instead of a
        // CFDI; the month's global CFDI covers the receipts (ReglasCfdiGlobal, ServicioCfdiGlobal).
        var conRecibo = contratos.Select(k => ReglasCfdiGlobal.FacturaConRecibo(k.Rfc)).ToArray();
        var recibos = conRecibo.Count(x => x);
        var siguienteCfdi = await ReservarFoliosAsync(cn, tx, emisor.Serie, contratos.Count - recibos, ct);
        var siguienteRecibo = await ReservarFoliosAsync(cn, tx, SerieRecibos, recibos, ct);
        var ahora = Segundos(reloj.GetUtcNow());
        var fecha = FormatoCfdi.HoraMexico(ahora);
        var vence = DateOnly.FromDateTime(fecha).AddDays(emisor.DiasVencimiento);

        var conceptos = new ListaConceptos();
        var cargosAdjuntos = new List<(Guid Cargo, Guid Factura)>();
        var facturasPorCliente = new List<(Guid Cliente, Guid Factura, decimal Total)>();
        await using (var copia = await cn.BeginBinaryImportAsync("""
            COPY facturas (id, serie, folio, cliente_id, contrato_id, corrida_id, periodo, subtotal, descuento, iva, ieps, total,
                           metodo_pago, forma_pago, uso_cfdi, estado, fecha_emision, fecha_vencimiento,
                           receptor_rfc, receptor_nombre, receptor_regimen, receptor_cp, ciclo_desde, ciclo_hasta,
                           tipo_documento, timbrada_en) FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            for (var i = 0; i < contratos.Count; i++)
            {
                var k = contratos[i];
                var id = Guid.NewGuid();
                var periodoK = k.Cobertura?.Periodo ?? periodo;
                var servicio = ArmadoFactura.Lineas(k.Lineas, k.Promocion, periodoK);
                if (k.Cobertura is { } cob)
                    servicio = servicio.Select((l, n) => l with { Descripcion = $"{k.Lineas[n].NombrePlan} - {cob.Texto}" }).ToList();
                var extra = k.Cargos.Count == 0 ? [] : ArmadoFactura.Lineas(k.Cargos.Select(x => x.Linea).ToList(), null, periodoK)
                    .Select((l, n) => l with { Descripcion = k.Cargos[n].Linea.NombrePlan }).ToList();
                var lineas = servicio.Concat(extra).ToList();
                var todas = k.Lineas.Concat(k.Cargos.Select(x => x.Linea)).ToList();
                cargosAdjuntos.AddRange(k.Cargos.Select(x => (x.Id, id)));
                var cfdi = CalculadoraCfdi.Calcular(Datos(fecha, "0", Receptor(k.Rfc, k.Nombre, k.Regimen, k.UsoCfdi, k.Cp)), lineas);
                var recibo = conRecibo[i];
                var (iva, ieps) = Impuestos(cfdi);
                var (subtotal, descuento, total) = (cfdi.SubTotal, cfdi.Descuento ?? 0m, cfdi.Total);
                if (recibo)
                {
                    // The receipt's taxes are computed once for the receipt: exactly its concept in the global CFDI.
                    var r = ReglasCfdiGlobal.Importes(cfdi.Conceptos.Select((c, n) => new LineaRecibo(c.Importe, c.Descuento ?? 0m, todas[n].TasaIeps)).ToList());
                    (subtotal, descuento, iva, ieps, total) = (r.Importe, r.Descuento, r.Iva, r.TotalIeps, r.Total);
                }
                else facturasPorCliente.Add((k.ClienteId, id, total));
                await copia.StartRowAsync(ct);
                await copia.WriteAsync(id, NpgsqlDbType.Uuid, ct);
                await copia.WriteAsync(recibo ? SerieRecibos : emisor.Serie, NpgsqlDbType.Text, ct);
                await copia.WriteAsync(recibo ? siguienteRecibo++ : siguienteCfdi++, NpgsqlDbType.Bigint, ct);
                await copia.WriteAsync(k.ClienteId, NpgsqlDbType.Uuid, ct);
                await copia.WriteAsync(k.ContratoId, NpgsqlDbType.Uuid, ct);
                await copia.WriteAsync(corridaId, NpgsqlDbType.Uuid, ct);
                await copia.WriteAsync(periodoK, NpgsqlDbType.Date, ct);
                await copia.WriteAsync(subtotal, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(descuento, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(iva, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(ieps, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(total, NpgsqlDbType.Numeric, ct);
                // A receipt needs no payment complement: it is no PPD CFDI (its global CFDI is PUE).
                await copia.WriteAsync(recibo ? CatalogoSat.MetodoPue : CatalogoSat.MetodoPpd, NpgsqlDbType.Char, ct);
                await copia.WriteAsync(CatalogoSat.FormaPorDefinir, NpgsqlDbType.Char, ct);
                await Opcional(copia, k.UsoCfdi, NpgsqlDbType.Text, ct);
                // A receipt is issued as it is generated (no PAC): payable at once.
                await copia.WriteAsync(recibo ? EstadosFactura.Timbrada : EstadosFactura.Borrador, NpgsqlDbType.Text, ct);
                await copia.WriteAsync(ahora, NpgsqlDbType.TimestampTz, ct);
                await copia.WriteAsync(k.Vence ?? vence, NpgsqlDbType.Date, ct);
                await Opcional(copia, k.Rfc, NpgsqlDbType.Text, ct);
                await Opcional(copia, k.Nombre, NpgsqlDbType.Text, ct);
                await Opcional(copia, k.Regimen, NpgsqlDbType.Char, ct);
                await Opcional(copia, k.Cp, NpgsqlDbType.Char, ct);
                if (k.Cobertura is { } c2)
                {
                    await copia.WriteAsync(c2.Desde, NpgsqlDbType.Date, ct);
                    await copia.WriteAsync(c2.Hasta, NpgsqlDbType.Date, ct);
                }
                else
                {
                    await copia.WriteNullAsync(ct);
                    await copia.WriteNullAsync(ct);
                }
                await copia.WriteAsync(recibo ? TiposDocumento.Recibo : TiposDocumento.Cfdi, NpgsqlDbType.Text, ct);
                if (recibo) await copia.WriteAsync(ahora, NpgsqlDbType.TimestampTz, ct);
                else await copia.WriteNullAsync(ct);
                for (var n = 0; n < cfdi.Conceptos.Count; n++)
                {
                    conceptos.Agregar(id, n + 1, todas[n].PlanId, cfdi.Conceptos[n], todas[n].TasaIeps);
                }
            }
            await copia.CompleteAsync(ct);
        }
        await conceptos.CopiarAsync(cn, ct);
        if (cargosAdjuntos.Count > 0)
            await cn.ExecuteAsync(new CommandDefinition("""
                UPDATE cargos_pendientes c SET factura_id = x.factura
                FROM unnest(@cargos, @facturas) AS x(cargo, factura) WHERE c.id = x.cargo AND c.factura_id IS NULL
                """, new { cargos = cargosAdjuntos.Select(x => x.Cargo).ToArray(), facturas = cargosAdjuntos.Select(x => x.Factura).ToArray() },
                tx, cancellationToken: ct));
        await ApartarSaldoAFavorAsync(cn, tx, facturasPorCliente, ct);
        return contratos.Count;
    }

    /// <summary>
    /// Credit balance (saldo a favor, e.g. an overpayment) earmarked for the customer's first invoice of this run, up to its
    /// total and to the credit not already earmarked. SAT does not allow netting it inside the invoice (no negative lines,
    /// and the income invoice must show the full price); it is applied with a CFDI de egreso related to this invoice
    /// (TipoRelacion 07, "CFDI por aplicación de anticipo"), which the credit-note work issues from the
    /// <c>aplicaciones_saldo</c> rows left 'pendiente_cfdi' here (see docs/facturacion.md, "Saldo a favor").
    /// </summary>
    private static async Task ApartarSaldoAFavorAsync(NpgsqlConnection cn, NpgsqlTransaction tx,
        IReadOnlyList<(Guid Cliente, Guid Factura, decimal Total)> facturas, CancellationToken ct)
    {
        if (facturas.Count == 0) return;
        var clientes = facturas.Select(f => f.Cliente).Distinct().ToArray();
        var disponibles = (await cn.QueryAsync<(Guid Cliente, decimal Disponible)>(new CommandDefinition("""
            SELECT s.cliente_id, s.saldo - coalesce((SELECT sum(a.monto) FROM aplicaciones_saldo a
                                                     WHERE a.cliente_id = s.cliente_id AND a.estado = 'pendiente_cfdi'), 0)
            FROM saldos_a_favor s WHERE s.cliente_id = ANY(@clientes) AND s.saldo > 0
            """, new { clientes }, tx, cancellationToken: ct))).Where(d => d.Disponible > 0).ToDictionary(d => d.Cliente, d => d.Disponible);
        foreach (var (cliente, factura, total) in facturas)
        {
            if (!disponibles.TryGetValue(cliente, out var disponible) || disponible <= 0m || total <= 0m) continue;
            var monto = Math.Min(disponible, total);
            await cn.ExecuteAsync(new CommandDefinition(
                "INSERT INTO aplicaciones_saldo (factura_id, cliente_id, monto) VALUES (@factura, @cliente, @monto)",
                new { factura, cliente, monto }, tx, cancellationToken: ct));
            disponibles[cliente] = disponible - monto;
            CiclosMetricas.SaldoApartado.Add((double)monto);
        }
    }

    /// <summary>Closes a run's execution from what the database says (idempotent: only a run en_proceso closes,
    /// so CorridaCompletada is written once per execution).</summary>
    public async Task<ProgresoCorrida> CerrarAsync(Guid corridaId, string cid, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var p = await ProgresoAsync(cn, tx, corridaId, ct) ?? throw new InvalidOperationException($"Corrida {corridaId} no existe.");
        var estado = p.Fallidas > 0 ? "completada_con_errores" : "completada";
        var cerradas = await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE corridas_facturacion SET estado = @estado, terminada_en = now(), total_timbradas = @Timbradas,
                   total_errores = @Fallidas, monto_total = @monto
            WHERE id = @corridaId AND estado = 'en_proceso'
            """, new { corridaId, estado, p.Timbradas, p.Fallidas, monto = p.MontoTimbrado + p.MontoRecibos }, tx, cancellationToken: ct));
        if (cerradas == 1)
        {
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear(EventoCorridaCompletada, "corrida", corridaId.ToString(),
                new { corridaId, p.Periodo, estado, p.Total, p.Timbradas, p.Fallidas, p.Pendientes, p.Errores, p.MontoTimbrado, p.Recibos, p.MontoRecibos }, cid, reloj.GetUtcNow()), ct);
        }
        await tx.CommitAsync(ct);
        return p with { Estado = cerradas == 1 ? estado : p.Estado };
    }

    public async Task<ProgresoCorrida?> ProgresoAsync(Guid corridaId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await ProgresoAsync(cn, null, corridaId, ct);
    }

    private static async Task<ProgresoCorrida?> ProgresoAsync(NpgsqlConnection cn, NpgsqlTransaction? tx, Guid id, CancellationToken ct) =>
        (await ProgresosAsync(cn, tx, "WHERE id = @id", new { id }, ct)).SingleOrDefault();

    /// <summary>The runs a clause selects (WHERE, ORDER BY, LIMIT over corridas_facturacion), with their invoices counted
    /// in one grouped query for all of them.</summary>
    private static async Task<IReadOnlyList<ProgresoCorrida>> ProgresosAsync(NpgsqlConnection cn, NpgsqlTransaction? tx, string clausula,
        object parametros, CancellationToken ct)
    {
        var corridas = (await cn.QueryAsync<FilaCorrida>(new CommandDefinition($"""
            SELECT id AS Id, periodo AS Periodo, estado AS Estado, instance_id AS InstanceId, iniciada_en AS IniciadaEn, terminada_en AS TerminadaEn,
                   causa_codigo AS CausaCodigo, causa_mensaje AS CausaMensaje, solicitada_por AS SolicitadaPor
            FROM corridas_facturacion {clausula}
            """, parametros, tx, cancellationToken: ct))).ToList();
        if (corridas.Count == 0) return [];
        var porCorrida = (await cn.QueryAsync<(Guid Corrida, string Tipo, string Estado, string? Codigo, int N, decimal Monto)>(new CommandDefinition("""
            SELECT corrida_id, tipo_documento, estado, CASE WHEN estado = 'error' THEN coalesce(error_codigo, '?') END, count(*)::int, coalesce(sum(total), 0)
            FROM facturas WHERE corrida_id = ANY(@ids) GROUP BY 1, 2, 3, 4
            """, new { ids = corridas.Select(c => c.Id).ToArray() }, tx, cancellationToken: ct))).ToLookup(f => f.Corrida);
        return corridas.Select(c =>
        {
            var filas = porCorrida[c.Id].ToList();
            // Receipts (notas de venta) are issued, never stamped: counted apart, so timbradas is what the PAC stamped.
            var cfdis = filas.Where(f => f.Tipo != TiposDocumento.Recibo).ToList();
            var recibos = filas.Where(f => f.Tipo == TiposDocumento.Recibo && f.Estado is EstadosFactura.Timbrada or EstadosFactura.Pagada).ToList();
            int Contar(params string[] estados) => filas.Where(f => estados.Contains(f.Estado)).Sum(f => f.N);
            var emitidas = cfdis.Where(f => f.Estado is EstadosFactura.Timbrada or EstadosFactura.Pagada).ToList();
            return new ProgresoCorrida(c.Id, Periodo.Texto(c.Periodo), c.Estado, c.InstanceId,
                filas.Sum(f => f.N), emitidas.Sum(f => f.N), Contar(EstadosFactura.Error), Contar(EstadosFactura.Borrador),
                Contar(EstadosFactura.Cancelada), emitidas.Sum(f => f.Monto),
                filas.Where(f => f.Codigo is not null).ToDictionary(f => f.Codigo!, f => f.N),
                Utc(c.IniciadaEn), Utc(c.TerminadaEn),
                c.CausaCodigo is null ? null : new FallaCorrida(c.CausaCodigo, c.CausaMensaje ?? ""), c.SolicitadaPor,
                recibos.Sum(f => f.N), recibos.Sum(f => f.Monto));
        }).ToList();
    }

    public const string SerieRecibos = "NV";

    /// <summary>The first of <paramref name="n"/> gap-free folios of the series (same transaction as the rows that use them).</summary>
    private static async Task<long> ReservarFoliosAsync(NpgsqlConnection cn, NpgsqlTransaction tx, string serie, int n, CancellationToken ct)
    {
        if (n == 0) return 0;
        var ultimo = await cn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "UPDATE series_folios SET ultimo_folio = ultimo_folio + @n WHERE serie = @serie RETURNING ultimo_folio",
            new { n = (long)n, serie }, tx, cancellationToken: ct))
            ?? throw new InvalidOperationException($"La serie {serie} no existe en series_folios.");
        return ultimo - n + 1;
    }

    private DatosComprobante Datos(DateTime fecha, string folio, Receptor receptor) => new()
    {
        Serie = emisor.Serie,
        Folio = folio,
        Fecha = fecha,
        FormaPago = CatalogoSat.FormaPorDefinir,
        MetodoPago = CatalogoSat.MetodoPpd,
        LugarExpedicion = emisor.LugarExpedicion,
        Emisor = emisor.ComoEmisor(),
        Receptor = receptor,
    };

    // Amounts do not depend on the receptor; whether the receptor can be stamped is decided when stamping.
    private static Receptor Receptor(string? rfc, string? nombre, string? regimen, string? uso, string? cp) =>
        new(rfc ?? "", nombre ?? "", cp ?? "", regimen ?? "", uso ?? "");

    internal static (decimal Iva, decimal Ieps) Impuestos(Comprobante c)
    {
        var t = c.Impuestos?.Traslados ?? [];
        return (t.Where(x => x.Impuesto == CatalogoSat.ImpuestoIva).Sum(x => x.Importe ?? 0m),
                t.Where(x => x.Impuesto == CatalogoSat.ImpuestoIeps).Sum(x => x.Importe ?? 0m));
    }

    private static Task Opcional(NpgsqlBinaryImporter copia, string? valor, NpgsqlDbType tipo, CancellationToken ct) =>
        valor is null ? copia.WriteNullAsync(ct) : copia.WriteAsync(valor, tipo, ct);

    private static DateTimeOffset Segundos(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, t.Offset);

    private sealed record FilaCorrida(Guid Id, DateOnly Periodo, string Estado, string? InstanceId, DateTime? IniciadaEn, DateTime? TerminadaEn,
        string? CausaCodigo, string? CausaMensaje, string? SolicitadaPor);

    private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    /// <summary>The concepts of the generated invoices, copied after them (same transaction).</summary>
    private sealed class ListaConceptos
    {
        private readonly List<(Guid Factura, int Linea, Guid Plan, Concepto C, decimal TasaIeps)> _filas = [];

        public void Agregar(Guid factura, int linea, Guid plan, Concepto c, decimal tasaIeps) => _filas.Add((factura, linea, plan, c, tasaIeps));

        public async Task CopiarAsync(NpgsqlConnection cn, CancellationToken ct)
        {
            await using var copia = await cn.BeginBinaryImportAsync("""
                COPY factura_conceptos (factura_id, numero_linea, plan_id, clave_prod_serv, no_identificacion, clave_unidad, unidad,
                                        descripcion, cantidad, valor_unitario, importe, descuento, objeto_imp, tasa_iva, iva, tasa_ieps, ieps)
                FROM STDIN (FORMAT BINARY)
                """, ct);
            foreach (var (factura, linea, plan, c, tasaIeps) in _filas)
            {
                var iva = c.Traslados.Where(t => t.Impuesto == CatalogoSat.ImpuestoIva).Sum(t => t.Importe ?? 0m);
                var ieps = c.Traslados.Where(t => t.Impuesto == CatalogoSat.ImpuestoIeps).Sum(t => t.Importe ?? 0m);
                await copia.StartRowAsync(ct);
                await copia.WriteAsync(factura, NpgsqlDbType.Uuid, ct);
                await copia.WriteAsync((short)linea, NpgsqlDbType.Smallint, ct);
                await copia.WriteAsync(plan, NpgsqlDbType.Uuid, ct);
                await copia.WriteAsync(c.ClaveProdServ, NpgsqlDbType.Char, ct);
                await Opcional(copia, c.NoIdentificacion, NpgsqlDbType.Text, ct);
                await copia.WriteAsync(c.ClaveUnidad, NpgsqlDbType.Text, ct);
                await Opcional(copia, c.Unidad, NpgsqlDbType.Text, ct);
                await copia.WriteAsync(c.Descripcion, NpgsqlDbType.Text, ct);
                await copia.WriteAsync(c.Cantidad, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(c.ValorUnitario, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(c.Importe, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(c.Descuento ?? 0m, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(c.ObjetoImp, NpgsqlDbType.Char, ct);
                await copia.WriteAsync(0.16m, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(iva, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(tasaIeps, NpgsqlDbType.Numeric, ct);
                await copia.WriteAsync(ieps, NpgsqlDbType.Numeric, ct);
            }
            await copia.CompleteAsync(ct);
        }
    }
}
