using Telecable.Domain.Comun;
using Telecable.Domain.Pagos;

namespace Telecable.Application.Pagos;

/// <summary>POST /api/pagos/referencias: for an invoice (its balance, or part of it) or for an amount on account.
/// A customer may omit <see cref="ClienteId"/> (it is theirs); staff name the customer or the invoice.</summary>
public sealed record SolicitudReferenciaEfectivo(Guid? ClienteId, Guid? FacturaId, decimal? Monto);

/// <summary>An issued cash reference, as the API answers it.</summary>
public sealed record ReferenciaEfectivoEmitida(
    Guid Id, string Proveedor, string Referencia, Guid ClienteId, Guid? FacturaId, decimal Monto, string Estado,
    DateTimeOffset VenceEn, DateTimeOffset CreadaEn, Guid? PagoId, string Comprobante);

/// <summary>A reference to issue (the store assigns the number).</summary>
public sealed record ReferenciaEfectivoNueva(Guid Id, string Proveedor, Guid ClienteId, Guid? FacturaId, decimal Monto,
    DateTimeOffset VenceEn, DateTimeOffset CreadaEn, string Cid);

/// <summary>What a reference for an invoice needs to know about it.</summary>
public sealed record SaldoFacturaEfectivo(Guid Id, Guid ClienteId, string Estado, decimal Saldo);

/// <summary>Storage of cash references (Infrastructure: SQL).</summary>
public interface IRepositorioReferenciasEfectivo
{
    Task<bool> ClienteExisteAsync(Guid clienteId, CancellationToken ct);
    /// <summary>The invoice named by its internal id or its fiscal UUID (the one printed on it).</summary>
    Task<SaldoFacturaEfectivo?> SaldoFacturaAsync(Guid facturaId, CancellationToken ct);
    /// <summary>Stores it with the next number of the provider's series; returns it as stored.</summary>
    Task<ReferenciaEfectivoEmitida> CrearAsync(ReferenciaEfectivoNueva nueva, CancellationToken ct);
    Task<ReferenciaEfectivoEmitida?> ObtenerAsync(Guid id, CancellationToken ct);
    /// <summary>Closes the references whose expiry passed unpaid; returns how many.</summary>
    Task<int> CerrarVencidasAsync(DateTimeOffset ahora, CancellationToken ct);
}

/// <summary>The printable voucher (Infrastructure: HTML with the barcode drawn by a barcode library).</summary>
public interface IComprobanteEfectivo
{
    string Html(ReferenciaEfectivoEmitida referencia);
}

/// <summary>Settings of cash references: the provider that issues them, its 4-digit prefix and the days they last.</summary>
public sealed class OpcionesReferenciasEfectivo
{
    public const string Seccion = "Oxxo";
    public string Proveedor { get; set; } = "oxxo";
    public string Prefijo { get; set; } = "9300";
    public int DiasVigencia { get; set; } = ReferenciaEfectivo.DiasVigenciaPorDefecto;
    /// <summary>The timer that closes expired references runs (off in tests that fingerprint the database).</summary>
    public bool CerrarVencidas { get; set; } = true;
}

/// <summary>
/// Issues cash references (owner or staff). Amount rules (positive, two decimals, OXXO's limit) are the domain's;
/// a reference for an invoice is at most its balance and defaults to it. Customers reach only their own
/// customer and invoices (anything else is a 404, never "exists but not yours").
/// </summary>
public sealed class ServicioReferenciasEfectivo(IRepositorioReferenciasEfectivo repositorio, IComprobanteEfectivo comprobante,
    TimeProvider reloj, OpcionesReferenciasEfectivo opciones)
{
    public async Task<ReferenciaEfectivoEmitida> EmitirAsync(Usuario usuario, SolicitudReferenciaEfectivo s, string cid, CancellationToken ct)
    {
        var clienteId = s.ClienteId;
        if (usuario.ClienteId is { } propio && usuario.Roles.Contains(Roles.Cliente))
        {
            if (clienteId is { } otro && otro != propio) throw new ErrorNoEncontrado("cliente", otro.ToString());
            clienteId = propio;
        }
        decimal monto;
        Guid? factura = null;
        if (s.FacturaId is { } facturaId)
        {
            var f = await repositorio.SaldoFacturaAsync(facturaId, ct);
            if (f is null || !usuario.PuedeVerCliente(f.ClienteId)) throw new ErrorNoEncontrado("factura", facturaId.ToString());
            if (clienteId is { } c && c != f.ClienteId) throw new ErrorValidacion("facturaId", "La factura no es de ese cliente.");
            clienteId = f.ClienteId;
            factura = f.Id;
            if (f.Estado != "timbrada" || f.Saldo <= 0) throw new ErrorRegla("La factura no tiene saldo pendiente.", "facturaId");
            monto = s.Monto ?? f.Saldo;
            if (monto > f.Saldo) throw new ErrorValidacion("monto", $"Excede el saldo de la factura ({f.Saldo:0.00}).");
        }
        else
        {
            if (clienteId is null) throw new ErrorValidacion("clienteId", "Indique el cliente o la factura.");
            monto = s.Monto ?? throw new ErrorValidacion("monto", "Indique el monto o la factura.");
        }
        if (ReferenciaEfectivo.MotivoMonto(monto) is { } motivo) throw new ErrorValidacion("monto", motivo);
        if (!usuario.PuedeVerCliente(clienteId.Value) || !await repositorio.ClienteExisteAsync(clienteId.Value, ct))
            throw new ErrorNoEncontrado("cliente", clienteId.Value.ToString());

        var ahora = reloj.GetUtcNow();
        var o = opciones;
        return await repositorio.CrearAsync(new ReferenciaEfectivoNueva(Guid.CreateVersion7(ahora), o.Proveedor, clienteId.Value, factura, monto,
            ReferenciaEfectivo.Vencimiento(ahora, o.DiasVigencia), ahora, cid), ct);
    }

    /// <summary>The printable voucher of a reference the caller may see (404 otherwise).</summary>
    public async Task<string> ComprobanteAsync(Usuario usuario, Guid id, CancellationToken ct)
    {
        var r = await repositorio.ObtenerAsync(id, ct);
        if (r is null || !usuario.PuedeVerCliente(r.ClienteId)) throw new ErrorNoEncontrado("referencia", id.ToString());
        return comprobante.Html(r);
    }

    public Task<int> CerrarVencidasAsync(CancellationToken ct) => repositorio.CerrarVencidasAsync(reloj.GetUtcNow(), ct);
}
