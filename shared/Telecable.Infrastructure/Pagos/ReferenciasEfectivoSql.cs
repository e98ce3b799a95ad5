using System.Globalization;
using System.Net;
using Dapper;
using Npgsql;
using Telecable.Application.Pagos;
using Telecable.Domain.Pagos;
using ZXing;
using ZXing.Common;

namespace Telecable.Infrastructure.Pagos;

/// <summary>Cash references in <c>referencias_efectivo</c> (migration 0024); numbers from <c>referencia_efectivo_secuencia</c>.</summary>
public sealed class RepositorioReferenciasEfectivo(NpgsqlDataSource db, OpcionesReferenciasEfectivo opciones) : IRepositorioReferenciasEfectivo
{
    private const string Columnas = """
        id, proveedor, referencia, cliente_id AS ClienteId, factura_id AS FacturaId, monto, estado, vence_en AS VenceEn,
        creada_en AS CreadaEn, pago_id AS PagoId, '/api/pagos/referencias/' || id || '/comprobante' AS Comprobante
        """;

    public async Task<bool> ClienteExisteAsync(Guid clienteId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM clientes WHERE id = @clienteId)", new { clienteId }, cancellationToken: ct));
    }

    public async Task<SaldoFacturaEfectivo?> SaldoFacturaAsync(Guid facturaId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.QuerySingleOrDefaultAsync<SaldoFacturaEfectivo>(new CommandDefinition("""
            SELECT f.id, f.cliente_id AS ClienteId, f.estado, f.total - coalesce((SELECT sum(a.monto) FROM pago_aplicaciones a WHERE a.factura_id = f.id), 0) AS Saldo
            FROM facturas f WHERE f.id = @facturaId OR f.uuid = @facturaId
            ORDER BY f.id = @facturaId DESC LIMIT 1
            """, new { facturaId }, cancellationToken: ct));
    }

    public async Task<ReferenciaEfectivoEmitida> CrearAsync(ReferenciaEfectivoNueva n, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var numero = await cn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT nextval('referencia_efectivo_secuencia')", cancellationToken: ct));
        var referencia = ReferenciaEfectivo.Construir(opciones.Prefijo, numero);
        return (await cn.QuerySingleAsync<Fila>(new CommandDefinition($"""
            INSERT INTO referencias_efectivo (id, proveedor, referencia, cliente_id, factura_id, monto, vence_en, creada_en, cid)
            VALUES (@Id, @Proveedor, @referencia, @ClienteId, @FacturaId, @Monto, @VenceEn, @CreadaEn, @Cid)
            RETURNING {Columnas}
            """, new { n.Id, n.Proveedor, referencia, n.ClienteId, n.FacturaId, n.Monto, n.VenceEn, n.CreadaEn, n.Cid }, cancellationToken: ct))).Vista();
    }

    public async Task<ReferenciaEfectivoEmitida?> ObtenerAsync(Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return (await cn.QuerySingleOrDefaultAsync<Fila>(new CommandDefinition(
            $"SELECT {Columnas} FROM referencias_efectivo WHERE id = @id", new { id }, cancellationToken: ct)))?.Vista();
    }

    /// <summary>Npgsql reads timestamptz as a UTC DateTime; the API speaks DateTimeOffset.</summary>
    private sealed record Fila
    {
        public Guid Id { get; init; }
        public string Proveedor { get; init; } = "";
        public string Referencia { get; init; } = "";
        public Guid ClienteId { get; init; }
        public Guid? FacturaId { get; init; }
        public decimal Monto { get; init; }
        public string Estado { get; init; } = "";
        public DateTime VenceEn { get; init; }
        public DateTime CreadaEn { get; init; }
        public Guid? PagoId { get; init; }
        public string Comprobante { get; init; } = "";

        public ReferenciaEfectivoEmitida Vista() => new(Id, Proveedor, Referencia, ClienteId, FacturaId, Monto, Estado,
            FechasDb.Utc(VenceEn), FechasDb.Utc(CreadaEn), PagoId, Comprobante);
    }

    public async Task<int> CerrarVencidasAsync(DateTimeOffset ahora, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteAsync(new CommandDefinition(
            "UPDATE referencias_efectivo SET estado = 'vencida', cerrada_en = @ahora WHERE estado = 'vigente' AND vence_en < @ahora",
            new { ahora }, cancellationToken: ct));
    }
}

/// <summary>
/// The printable OXXO voucher: amount, reference, expiry and the Code 128 barcode the cashier scans, drawn as SVG by
/// ZXing.Net (no hand-drawn bars). Self-contained HTML (inline style, no external resources), printable as is.
/// </summary>
public sealed class ComprobanteEfectivoHtml : IComprobanteEfectivo
{
    public static string CodigoBarrasSvg(string referencia)
    {
        var escritor = new BarcodeWriterSvg
        {
            Format = BarcodeFormat.CODE_128,
            Options = new EncodingOptions { Height = 80, Width = 320, Margin = 8, PureBarcode = true },
        };
        return escritor.Write(referencia).Content;
    }

    public string Html(ReferenciaEfectivoEmitida r)
    {
        var mx = CultureInfo.GetCultureInfo("es-MX");
        var vence = Telecable.Domain.Comun.RelojMexico.Ahora(r.VenceEn);
        var estado = r.Estado switch { "pagada" => "PAGADA", "vencida" => "VENCIDA: ya no se puede pagar", _ => "Vigente" };
        return $"""
            <!doctype html>
            <html lang="es"><head><meta charset="utf-8"><title>Ficha de pago OXXO {r.Referencia}</title>
            <style>body{"{"}font-family:system-ui,sans-serif;max-width:28rem;margin:1rem auto;padding:1rem;border:1px solid #999{"}"}
            .monto{"{"}font-size:2rem;font-weight:700{"}"} .ref{"{"}font-family:monospace;font-size:1.4rem;letter-spacing:.15em{"}"}
            @media print{"{"}button{"{"}display:none{"}"}{"}"}</style></head>
            <body>
            <h1>Ficha de pago en OXXO</h1>
            <p>Telecable: pago de servicios</p>
            <p class="monto">{WebUtility.HtmlEncode(r.Monto.ToString("C2", mx))} MXN</p>
            <p>Referencia:</p>
            <p class="ref">{string.Join(' ', r.Referencia.Chunk(4).Select(c => new string(c)))}</p>
            <div role="img" aria-label="Código de barras de la referencia {r.Referencia}">{CodigoBarrasSvg(r.Referencia)}</div>
            <p>Vence: {vence.ToString("dddd d 'de' MMMM 'de' yyyy, HH:mm", mx)} (hora del centro de México)</p>
            <p>Estado: <strong>{estado}</strong></p>
            <ol>
            <li>Acuda a cualquier tienda OXXO y diga en caja que quiere hacer un pago de OXXO Pay.</li>
            <li>Muestre esta ficha (impresa o en su teléfono) o dicte la referencia de 14 dígitos.</li>
            <li>Pague el monto exacto en efectivo (la tienda puede cobrar una comisión).</li>
            <li>Conserve el ticket: el pago se refleja en minutos en su cuenta.</li>
            </ol>
            <button onclick="window.print()">Imprimir</button>
            </body></html>
            """;
    }
}
