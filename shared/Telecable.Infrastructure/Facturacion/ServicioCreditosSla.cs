using System.Diagnostics.Metrics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Telecable.Application.Facturacion;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>
/// SLA credits (<see cref="CreditoSla"/>). Each closed outage of a contracted router is evaluated once (unique
/// desconexion_id); an earned credit waits ('pendiente') until the invoice of the month the outage started in is
/// stamped, and is then issued as a credit note (CFDI E, TipoRelacion 01, origen 'sla') against it for that share of
/// its total, or against the contract's next invoice with enough balance when that one is already settled. The note's
/// Idempotency-Key is the credit's id and its invoice is fixed on the row before the note is requested, so a crash or
/// an unreachable PAC only delays it: the next pass resumes the very same note.
/// </summary>
public sealed class ServicioCreditosSla(NpgsqlDataSource db, IServicioNotasCredito notas, ILogger<ServicioCreditosSla> log) : IServicioCreditosSla
{
    public const string Actor = "sistema:sla";
    private const int Lote = 200;

    private static readonly Counter<long> Evaluadas = Telemetria.Medidor.CreateCounter<long>("facturacion.creditos_sla.evaluados", "{desconexion}",
        "Closed outages evaluated for an SLA credit, by result (no_aplica, pendiente)");
    private static readonly Counter<long> Emitidos = Telemetria.Medidor.CreateCounter<long>("facturacion.creditos_sla.emitidos", "{credito}",
        "SLA credits issued as credit notes");

    public async Task<ResultadoCreditosSla> ProcesarAsync(string cid, CancellationToken ct)
    {
        var (evaluadas, ganadas) = await AcumularAsync(ct);
        var (emitidas, pendientes) = await EmitirAsync(cid, ct);
        if (evaluadas + emitidas > 0)
            log.LogInformation("Créditos SLA: {Evaluadas} desconexiones evaluadas, {Ganadas} con crédito, {Emitidas} notas emitidas, {Pendientes} pendientes",
                evaluadas, ganadas, emitidas, pendientes);
        return new ResultadoCreditosSla(evaluadas, ganadas, emitidas, pendientes);
    }

    private async Task<(int Evaluadas, int Ganadas)> AcumularAsync(CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var cerradas = (await cn.QueryAsync<FilaDesconexion>(new CommandDefinition("""
            SELECT d.id AS Id, r.cliente_id AS ClienteId, r.contrato_id AS ContratoId, d.ultimo_reporte AS UltimoReporte, d.terminada_en AS Terminada,
                   coalesce(p.sla_umbral_horas, @umbral) AS Umbral, coalesce(p.sla_factor, @factor) AS Factor
            FROM router_desconexiones d JOIN routers r ON r.id = d.router_id JOIN contratos k ON k.id = r.contrato_id
            LEFT JOIN planes p ON p.id = k.plan_id
            WHERE d.terminada_en IS NOT NULL AND r.cliente_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM creditos_sla c WHERE c.desconexion_id = d.id)
            ORDER BY d.terminada_en LIMIT @Lote
            """, new { umbral = ReglaSla.PorDefecto.UmbralHoras, factor = ReglaSla.PorDefecto.Factor, Lote }, cancellationToken: ct))).ToList();
        if (cerradas.Count == 0) return (0, 0);
        var evaluadas = cerradas.Select(d => (d, e: CreditoSla.Evaluar(FechasDb.Utc(d.UltimoReporte), FechasDb.Utc(d.Terminada), new ReglaSla(d.Umbral, d.Factor)))).ToList();
        var insertadas = await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO creditos_sla (desconexion_id, cliente_id, contrato_id, periodo, horas, umbral_horas, fraccion, estado)
            SELECT x.d, x.cl, x.k, x.p::date, x.h, x.u, x.f, x.e
            FROM unnest(@ids, @clientes, @contratos, @periodos, @horas, @umbrales, @fracciones, @estados) AS x(d, cl, k, p, h, u, f, e)
            ON CONFLICT (desconexion_id) DO NOTHING
            """, new
        {
            ids = evaluadas.Select(x => x.d.Id).ToArray(),
            clientes = evaluadas.Select(x => x.d.ClienteId).ToArray(),
            contratos = evaluadas.Select(x => x.d.ContratoId).ToArray(),
            periodos = evaluadas.Select(x => x.e.Periodo.ToDateTime(TimeOnly.MinValue)).ToArray(),
            horas = evaluadas.Select(x => x.e.Horas).ToArray(),
            umbrales = evaluadas.Select(x => x.d.Umbral).ToArray(),
            fracciones = evaluadas.Select(x => x.e.Fraccion).ToArray(),
            estados = evaluadas.Select(x => x.e.GeneraCredito ? "pendiente" : "no_aplica").ToArray(),
        }, cancellationToken: ct));
        var ganadas = evaluadas.Count(x => x.e.GeneraCredito);
        Evaluadas.Add(ganadas, new KeyValuePair<string, object?>("resultado", "pendiente"));
        Evaluadas.Add(evaluadas.Count - ganadas, new KeyValuePair<string, object?>("resultado", "no_aplica"));
        return (insertadas, ganadas);
    }

    private async Task<(int Emitidas, int Pendientes)> EmitirAsync(string cid, CancellationToken ct)
    {
        List<FilaPendiente> pendientes;
        await using (var cn = await db.OpenConnectionAsync(ct))
        {
            // Fix the target invoice once: the period's stamped invoice of the contract if it still has the balance,
            // else the contract's next stamped invoice that has it. A credit without either keeps waiting.
            await cn.ExecuteAsync(new CommandDefinition("""
                WITH objetivo AS (
                    SELECT c.id, b.factura_id, b.monto
                    FROM creditos_sla c
                    JOIN LATERAL (SELECT round(f.total * c.fraccion, 2) AS monto FROM facturas f
                                  WHERE f.contrato_id = c.contrato_id AND f.periodo = c.periodo AND f.estado IN ('timbrada', 'pagada')
                                  ORDER BY f.fecha_emision LIMIT 1) base ON true
                    JOIN LATERAL (SELECT f.id AS factura_id, greatest(base.monto, 0.01) AS monto FROM facturas f
                                  WHERE f.contrato_id = c.contrato_id AND f.periodo >= c.periodo AND f.estado = 'timbrada'
                                    AND f.total - f.acreditado - coalesce((SELECT sum(a.monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0)
                                        >= greatest(base.monto, 0.01)
                                  ORDER BY f.periodo, f.fecha_emision LIMIT 1) b ON true
                    WHERE c.estado = 'pendiente' AND c.factura_id IS NULL
                    ORDER BY c.created_at LIMIT @Lote)
                UPDATE creditos_sla c SET factura_id = o.factura_id, monto = o.monto FROM objetivo o WHERE c.id = o.id AND c.factura_id IS NULL
                """, new { Lote }, cancellationToken: ct));
            pendientes = (await cn.QueryAsync<FilaPendiente>(new CommandDefinition("""
                SELECT c.id AS Id, f.uuid AS FacturaUuid, c.monto AS Monto, c.horas AS Horas, c.periodo AS Periodo
                FROM creditos_sla c JOIN facturas f ON f.id = c.factura_id
                WHERE c.estado = 'pendiente' AND c.factura_id IS NOT NULL ORDER BY c.created_at LIMIT @Lote
                """, new { Lote }, cancellationToken: ct))).ToList();
        }
        int emitidas = 0, siguen = 0;
        foreach (var p in pendientes)
        {
            var motivo = string.Create(CultureInfo.InvariantCulture,
                $"Crédito por nivel de servicio: {p.Horas:0.##} h sin servicio en {Periodo.Texto(DateOnly.FromDateTime(p.Periodo))}");
            try
            {
                var r = await notas.EmitirAsync(p.FacturaUuid, new SolicitudNotaCredito(p.Monto, null, motivo, null),
                    new ContextoNotaCredito($"sla-{p.Id}", ContextoNotaCredito.Sla, Actor, cid), ct);
                if (r.PacNoDisponible || r.Nota.Estado != "timbrada")
                {
                    siguen++;
                    continue;
                }
                await using var cn = await db.OpenConnectionAsync(ct);
                await cn.ExecuteAsync(new CommandDefinition(
                    "UPDATE creditos_sla SET estado = 'emitido', nota_credito_id = @nota, emitido_en = now() WHERE id = @Id AND estado = 'pendiente'",
                    new { nota = r.Nota.Id, p.Id }, cancellationToken: ct));
                emitidas++;
                Emitidos.Add(1);
            }
            catch (ErrorConflicto e)
            {
                // The invoice was paid or cancelled since it was chosen, and no note was written: choose again next pass.
                log.LogWarning("Crédito SLA {Id}: {Motivo}; se elegirá otra factura", p.Id, e.Message);
                await using var cn = await db.OpenConnectionAsync(ct);
                await cn.ExecuteAsync(new CommandDefinition(
                    "UPDATE creditos_sla SET factura_id = NULL, monto = NULL WHERE id = @Id AND estado = 'pendiente'", new { p.Id }, cancellationToken: ct));
                siguen++;
            }
        }
        return (emitidas, siguen);
    }

    public async Task<Telecable.Application.Comun.Pagina<CreditoSlaResumen>> DelClienteAsync(Usuario u, Guid? clienteId, Telecable.Application.Comun.Paginacion pagina, CancellationToken ct)
    {
        var staff = u.TieneAlguno([Roles.Admin, Roles.Cobranzas, Roles.Soporte]);
        // A cliente sees only their own credits, whatever they ask for.
        var cliente = staff ? clienteId : u.ClienteId ?? Guid.Empty;
        if (cliente is null) throw new ErrorValidacion("clienteId", "Es obligatorio (UUID del cliente).");
        await using var cn = await db.OpenConnectionAsync(ct);
        var p = new { cliente, limite = pagina.Tamano, salto = pagina.Saltar };
        var filas = await cn.QueryAsync<FilaCredito>(new CommandDefinition("""
            SELECT c.id AS Id, c.contrato_id AS ContratoId, c.periodo AS Periodo, c.horas AS Horas, c.umbral_horas AS UmbralHoras,
                   c.fraccion AS Fraccion, c.estado AS Estado, c.monto AS Monto, n.uuid AS NotaCreditoUuid, c.created_at AS CreadoEn, c.emitido_en AS EmitidoEn
            FROM creditos_sla c LEFT JOIN notas_credito n ON n.id = c.nota_credito_id
            WHERE c.cliente_id = @cliente ORDER BY c.created_at DESC, c.id LIMIT @limite OFFSET @salto
            """, p, cancellationToken: ct));
        var total = await cn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM creditos_sla WHERE cliente_id = @cliente", p, cancellationToken: ct));
        return pagina.Con(filas.Select(f => new CreditoSlaResumen(f.Id, f.ContratoId, Periodo.Texto(DateOnly.FromDateTime(f.Periodo)),
            f.Horas, f.UmbralHoras, f.Fraccion, f.Estado, f.Monto, f.NotaCreditoUuid, FechasDb.Utc(f.CreadoEn), FechasDb.Utc(f.EmitidoEn))).ToList(), total);
    }


    private sealed class FilaDesconexion
    {
        public Guid Id { get; init; }
        public Guid ClienteId { get; init; }
        public Guid ContratoId { get; init; }
        public DateTime UltimoReporte { get; init; }
        public DateTime Terminada { get; init; }
        public decimal Umbral { get; init; }
        public decimal Factor { get; init; }
    }

    private sealed class FilaPendiente
    {
        public Guid Id { get; init; }
        public Guid FacturaUuid { get; init; }
        public decimal Monto { get; init; }
        public decimal Horas { get; init; }
        public DateTime Periodo { get; init; }
    }

    private sealed class FilaCredito
    {
        public Guid Id { get; init; }
        public Guid ContratoId { get; init; }
        public DateTime Periodo { get; init; }
        public decimal Horas { get; init; }
        public decimal UmbralHoras { get; init; }
        public decimal Fraccion { get; init; }
        public string Estado { get; init; } = "";
        public decimal? Monto { get; init; }
        public Guid? NotaCreditoUuid { get; init; }
        public DateTime CreadoEn { get; init; }
        public DateTime? EmitidoEn { get; init; }
    }
}
