using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Dapper;
using Npgsql;
using Telecable.Application.Comun;
using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>POST /api/pagos/estados-de-cuenta: the statement as the bank exports it (CSV text) and which bank.</summary>
public sealed record SolicitudEstadoCuenta(string? Banco, string? Contenido);

/// <summary>What an import did: credit lines read, paid at once, queued for an operator, already imported before.</summary>
public sealed record ResultadoEstadoCuenta(int Abonos, int Aplicados, int Pendientes, int Repetidos, IReadOnlyList<Guid> Pagos)
{
    /// <summary>SPEI deposits the aggregator already notified (same clave de rastreo and amount): kept, never paid again.</summary>
    public int YaRegistrados { get; init; }
}

public sealed record MovimientoBancario(Guid Id, string Banco, DateTime Fecha, string Concepto, string Referencia, decimal Monto, string Estado, Guid? PagoId);

/// <summary>POST /api/pagos/movimientos-bancarios/{id}/asignacion: the customer (and optionally the invoices) a queued line pays.</summary>
public sealed record SolicitudAsignacion(Guid? ClienteId, IReadOnlyList<Guid>? Facturas);

/// <summary>
/// Bank statement import for transfers outside the aggregator. The layout is the common Mexican online-banking CSV
/// export (BBVA Net Cash / Banorte style): <c>Fecha,Concepto,Referencia,Cargo,Abono,Saldo</c>, dates dd/MM/yyyy, amounts
/// with thousands separators. Only credit lines (Abono) are payments. A line whose numeric reference is an open
/// invoice's folio and whose amount is exactly its balance is matched: a confirmed payment (metodo spei, gateway banco)
/// for that invoice, applied by ProcesarPago as any other. Every other credit is queued for manual assignment.
/// </summary>
public sealed class ServicioEstadosDeCuenta(NpgsqlDataSource db, TimeProvider reloj)
{
    public const string Gateway = "banco";
    private static readonly string[] Bancos = ["bbva", "banorte", "santander", "banamex"];

    private sealed record Linea(DateOnly Fecha, string Concepto, string Referencia, decimal Monto, string Clave);

    public static IReadOnlyList<(DateOnly Fecha, string Concepto, string Referencia, decimal Abono)> Leer(string contenido)
    {
        using var csv = new CsvReader(new StringReader(contenido), new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim });
        if (!csv.Read() || !csv.ReadHeader()) throw new ErrorValidacion("contenido", "El archivo está vacío.");
        foreach (var c in new[] { "Fecha", "Concepto", "Referencia", "Cargo", "Abono" })
            if (!csv.HeaderRecord!.Contains(c)) throw new ErrorValidacion("contenido", $"Falta la columna {c} (se espera Fecha,Concepto,Referencia,Cargo,Abono,Saldo).");
        var lineas = new List<(DateOnly, string, string, decimal)>();
        while (csv.Read())
        {
            var n = csv.Parser.Row;
            var abono = csv.GetField("Abono");
            if (string.IsNullOrWhiteSpace(abono)) continue; // a charge (Cargo): not a payment
            if (!DateOnly.TryParseExact(csv.GetField("Fecha"), "dd/MM/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var fecha))
                throw new ErrorValidacion($"contenido.linea{n}", "Fecha inválida (dd/MM/aaaa).");
            if (!decimal.TryParse(abono.Replace("$", ""), NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var monto)
                || !Montos.EsValido(monto))
                throw new ErrorValidacion($"contenido.linea{n}", "Abono inválido.");
            lineas.Add((fecha, Corto(csv.GetField("Concepto")), Corto(csv.GetField("Referencia")), monto));
        }
        return lineas;
    }

    private static string Corto(string? s)
    {
        var t = (s ?? "").Replace('\0', ' ').Trim();
        return t.Length > 200 ? t[..200] : t;
    }

    public async Task<ResultadoEstadoCuenta> ImportarAsync(SolicitudEstadoCuenta s, string cid, CancellationToken ct)
    {
        var banco = s.Banco?.Trim().ToLowerInvariant();
        if (banco is null || !Bancos.Contains(banco)) throw new ErrorValidacion("banco", $"Debe ser uno de: {string.Join(", ", Bancos)}.");
        if (string.IsNullOrWhiteSpace(s.Contenido)) throw new ErrorValidacion("contenido", "Es obligatorio (el CSV del banco).");
        // The key of a line: the same transfer twice in one statement is two lines (its occurrence tells them apart).
        var vistas = new Dictionary<string, int>();
        var lineas = Leer(s.Contenido).Select(l =>
        {
            var baseClave = $"{banco}|{l.Fecha:yyyy-MM-dd}|{l.Referencia}|{l.Concepto}|{l.Abono:0.00}";
            var n = vistas[baseClave] = vistas.GetValueOrDefault(baseClave) + 1;
            return new Linea(l.Fecha, l.Concepto, l.Referencia, l.Abono, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{baseClave}|{n}"))));
        }).ToList();

        var ahora = reloj.GetUtcNow();
        int aplicados = 0, pendientes = 0, repetidos = 0, yaRegistrados = 0;
        var pagos = new List<Guid>();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        foreach (var l in lineas)
        {
            var id = Guid.CreateVersion7(ahora);
            if (await cn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO movimientos_bancarios (id, banco, fecha, concepto, referencia, monto, clave, estado, importado_en, cid)
                    VALUES (@id, @banco, @fecha, @Concepto, @Referencia, @Monto, @Clave, 'pendiente', @ahora, @cid)
                    ON CONFLICT (clave) DO NOTHING
                    """, new { id, banco, fecha = l.Fecha.ToDateTime(TimeOnly.MinValue), l.Concepto, l.Referencia, l.Monto, l.Clave, ahora, cid }, tx, cancellationToken: ct)) == 0)
            {
                repetidos++;
                continue;
            }
            // The same transfer may already be a payment: a SPEI deposit to a customer's CLABE that the aggregator notified
            // (banks print the clave de rastreo in the concept or the reference). Same tracking key and amount: recorded,
            // linked to that payment, never credited twice.
            var claves = Claves(l.Concepto, l.Referencia);
            var previo = claves.Length == 0 ? null : await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
                SELECT id FROM pagos WHERE gateway = 'spei' AND gateway_pago_id = ANY(@claves) AND monto = @Monto LIMIT 1
                """, new { claves, l.Monto }, tx, cancellationToken: ct));
            if (previo is not null)
            {
                await cn.ExecuteAsync(new CommandDefinition("UPDATE movimientos_bancarios SET estado = 'ya_registrado', pago_id = @previo WHERE id = @id",
                    new { previo, id }, tx, cancellationToken: ct));
                yaRegistrados++;
                continue;
            }
            // Match: the reference is an open invoice's folio and the amount its exact balance.
            // Two invoices answering (same folio in two series) is no match: an operator decides.
            var candidatas = long.TryParse(l.Referencia, NumberStyles.None, CultureInfo.InvariantCulture, out var folio)
                ? (await cn.QueryAsync<(Guid Id, Guid ClienteId)>(new CommandDefinition("""
                    SELECT f.id, f.cliente_id FROM facturas f
                    WHERE f.folio = @folio AND f.estado = 'timbrada'
                      AND f.total - coalesce((SELECT sum(a.monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0) = @Monto
                    LIMIT 2
                    """, new { folio, l.Monto }, tx, cancellationToken: ct))).ToList()
                : [];
            if (candidatas.Count != 1) { pendientes++; continue; }
            var factura = candidatas[0];
            pagos.Add(await PagarAsync(cn, tx, id, factura.ClienteId, [factura.Id], l.Monto, l.Referencia, l.Clave, "aplicado", null, cid, ahora, ct));
            aplicados++;
        }
        await tx.CommitAsync(ct);
        return new ResultadoEstadoCuenta(lineas.Count, aplicados, pendientes, repetidos, pagos) { YaRegistrados = yaRegistrados };
    }

    /// <summary>Words of the concept and reference that could be a clave de rastreo (SPEI: up to 30 letters and digits,
    /// with at least one letter or more than 12 characters, so an invoice folio is never taken for one).</summary>
    public static string[] Claves(string concepto, string referencia) =>
        concepto.Split([' ', '/', ':', '-', ','], StringSplitOptions.RemoveEmptyEntries).Append(referencia)
            .Select(t => t.Trim())
            .Where(t => t.Length is >= 8 and <= 30 && t.All(char.IsAsciiLetterOrDigit) && (t.Any(char.IsAsciiLetter) || t.Length > 12))
            .SelectMany(t => new[] { t, t.ToUpperInvariant() }) // as printed, and as SPEI writes them (upper case)
            .Distinct().ToArray();

    /// <summary>A confirmed payment for the line (gateway banco, provider payment id = the line's key, so it is unique) and
    /// its PagoRecibido event; the IniciarPagosConfirmados timer starts ProcesarPago.</summary>
    private static async Task<Guid> PagarAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid movimiento, Guid clienteId, Guid[] facturas, decimal monto,
        string referencia, string clave, string estado, string? usuario, string cid, DateTimeOffset ahora, CancellationToken ct)
    {
        var pago = PagoConfirmado.Crear(new PagoNuevo(clienteId, monto, MetodosPago.Spei, referencia, Gateway, $"{Gateway}:{clave}", facturas), cid, ahora);
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pagos (id, cliente_id, monto, metodo, referencia, gateway, gateway_pago_id, gateway_evento_id, estado, recibido_en, cid, facturas_solicitadas)
            VALUES (@Id, @clienteId, @monto, 'spei', @referencia, @gateway, @clave, @evento, 'confirmado', @ahora, @cid, @facturas);
            UPDATE movimientos_bancarios SET estado = @estado, pago_id = @Id, asignado_por = @usuario, asignado_en = CASE WHEN @usuario IS NULL THEN NULL ELSE @ahora END
            WHERE id = @movimiento;
            """, new { pago.Id, clienteId, monto, referencia, gateway = Gateway, clave, evento = $"{Gateway}:{clave}", ahora, cid, facturas, estado, usuario, movimiento },
            tx, cancellationToken: ct));
        await Outbox.Outbox.AgregarAsync(cn, tx, pago.Evento, ct);
        return pago.Id;
    }

    public async Task<Pagina<MovimientoBancario>> PendientesAsync(Paginacion p, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await Datos.Paginado.LeerAsync<MovimientoBancario>(cn, """
            SELECT id, banco, fecha::timestamp AS Fecha, concepto, referencia, monto, estado, pago_id AS PagoId
            FROM movimientos_bancarios WHERE estado = 'pendiente'
            """, "fecha, id", null, p, ct);
    }

    /// <summary>An operator assigns a queued line to a customer: it becomes that customer's payment (named invoices or
    /// oldest first). Assigning it again to the same customer answers the same payment; to another is 409.</summary>
    public async Task<MovimientoBancario> AsignarAsync(Guid id, SolicitudAsignacion s, string usuario, string cid, CancellationToken ct)
    {
        if (s.ClienteId is not { } clienteId) throw new ErrorValidacion("clienteId", "Es obligatorio.");
        var facturas = (s.Facturas ?? []).ToArray();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var m = await cn.QuerySingleOrDefaultAsync<(string Estado, decimal Monto, string Referencia, string Clave, Guid? Cliente)?>(new CommandDefinition("""
            SELECT m.estado, m.monto, m.referencia, m.clave, p.cliente_id FROM movimientos_bancarios m LEFT JOIN pagos p ON p.id = m.pago_id
            WHERE m.id = @id FOR UPDATE OF m
            """, new { id }, tx, cancellationToken: ct)) ?? throw new ErrorNoEncontrado("movimiento", id.ToString());
        if (m.Estado != "pendiente")
        {
            if (m.Cliente != clienteId) throw new ErrorConflicto("El movimiento ya se asignó a otro cliente.", "movimiento_asignado");
        }
        else
        {
            if (!await cn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM clientes WHERE id = @clienteId)", new { clienteId }, tx, cancellationToken: ct)))
                throw new ErrorValidacion("clienteId", "No existe ese cliente.");
            for (var i = 0; i < facturas.Length; i++)
                if (!await cn.ExecuteScalarAsync<bool>(new CommandDefinition(
                        "SELECT EXISTS (SELECT 1 FROM facturas WHERE id = @f AND cliente_id = @clienteId AND estado = 'timbrada')", new { f = facturas[i], clienteId }, tx, cancellationToken: ct)))
                    throw new ErrorValidacion($"facturas[{i}]", "No es una factura abierta de ese cliente.");
            await PagarAsync(cn, tx, id, clienteId, facturas, m.Monto, m.Referencia, m.Clave, "asignado", usuario, cid, reloj.GetUtcNow(), ct);
        }
        var vista = await cn.QuerySingleAsync<MovimientoBancario>(new CommandDefinition("""
            SELECT id, banco, fecha::timestamp AS Fecha, concepto, referencia, monto, estado, pago_id AS PagoId FROM movimientos_bancarios WHERE id = @id
            """, new { id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return vista;
    }
}
