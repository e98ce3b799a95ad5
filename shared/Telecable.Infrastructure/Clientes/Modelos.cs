namespace Telecable.Infrastructure.Clientes;

// Requests carry no transaction and no HTTP: the HTTP functions and the onboarding saga (issue 6) send the same shapes.

public sealed record SolicitudDomicilio(string? Calle, string? NumeroExterior, string? NumeroInterior, string? Colonia, string? Cp,
    string? Referencias, decimal? Latitud, decimal? Longitud);

/// <summary>Origen: portal_cliente, backoffice, telefono, sucursal, tecnico. Ip/UserAgent: where it was given from.</summary>
public sealed record SolicitudConsentimiento(string? AvisoPrivacidadVersion, bool? AceptaMarketing, string? Origen, string? Ip, string? UserAgent);

/// <summary>A new customer with the fiscal data CFDI 4.0 needs, the installation address and the first consent.
/// <paramref name="RequiereFactura"/> false: "no necesita factura": no RFC of their own; billed with receipts that the month's
/// global CFDI covers (RFC XAXX010101000, regime 616, use S01, fiscal postal code = the installation's unless given).</summary>
public sealed record SolicitudCliente(string? Nombre, string? Rfc, string? Email, string? Telefono, string? RegimenFiscal, string? UsoCfdi,
    string? CpFiscal, SolicitudDomicilio? Domicilio, SolicitudConsentimiento? Consentimiento, bool? RequiereFactura = null)
{
    /// <summary>The request with the general public's fiscal data filled in when the customer needs no invoice (a given RFC is
    /// kept, so that a real RFC sent with requiereFactura=false is refused by validation rather than silently dropped).</summary>
    public SolicitudCliente Normalizada() => RequiereFactura == false
        ? this with
        {
            Rfc = string.IsNullOrWhiteSpace(Rfc) ? Telecable.Domain.Identidad.Rfc.GenericoNacional : Rfc,
            RegimenFiscal = Telecable.Domain.Facturacion.ReglasCfdiGlobal.RegimenSinObligaciones,
            UsoCfdi = Telecable.Domain.Facturacion.ReglasCfdiGlobal.UsoSinEfectos,
            CpFiscal = CpFiscal ?? Domicilio?.Cp,
        }
        : this;
}

/// <summary>Partial update; Version is the optimistic-concurrency token (or the If-Match header).</summary>
/// <remarks><paramref name="ContribuyenteIepsTelecom"/> and <paramref name="SolicitaDesgloseIeps"/>: LIEPS art. 19 fr. II, the IEPS is
/// itemized on the customer's invoices only when both are true (docs/facturacion.md).
/// <paramref name="Rfc"/>: only a customer without an RFC of their own (generic) gets one (issue 20: from then on they are billed
/// with individual CFDIs); an RFC of their own never changes.</remarks>
public sealed record CambioCliente(string? Nombre, string? Email, string? Telefono, string? RegimenFiscal, string? UsoCfdi, string? CpFiscal,
    string? Estado, int? Version, bool? ContribuyenteIepsTelecom = null, bool? SolicitaDesgloseIeps = null, string? Rfc = null);

/// <summary>Plan or combo (exactly one); the installation address (default: the customer's latest); start date (default today).</summary>
public sealed record SolicitudContrato(Guid? PlanId, Guid? ComboId, Guid? DomicilioId, DateOnly? FechaInicio, int? DiaCorte);

/// <summary>accion: cambiar_plan (with planId or comboId), activar, suspender, reactivar, cancelar.</summary>
public sealed record CambioContrato(string? Accion, Guid? PlanId, Guid? ComboId, int? Version);

public sealed record ClienteCreado(Guid Id, long NumeroCliente, Guid DomicilioId, Guid ConsentimientoId, Guid ZonaId, int Version);

public sealed record Cliente
{
    public Guid Id { get; init; }
    public long NumeroCliente { get; init; }
    public string TipoPersona { get; init; } = "";
    public string Nombre { get; init; } = "";
    public string Rfc { get; init; } = "";
    public string Email { get; init; } = "";
    public string Telefono { get; init; } = "";
    public string RegimenFiscal { get; init; } = "";
    public string UsoCfdi { get; init; } = "";
    public string CpFiscal { get; init; } = "";
    /// <summary>False for a customer without an RFC of their own ("no necesita factura"): billed with receipts and the global CFDI.</summary>
    public bool RequiereFactura => !Telecable.Domain.Facturacion.ReglasCfdiGlobal.FacturaConRecibo(Rfc);
    public Guid? ZonaId { get; init; }
    public string? ZonaClave { get; init; }
    public string Estado { get; init; } = "";
    /// <summary>LIEPS art. 19 fr. II: an IEPS taxpayer for telecom services who asked for the IEPS itemized.</summary>
    public bool ContribuyenteIepsTelecom { get; init; }
    public bool SolicitaDesgloseIeps { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public int Version { get; init; }
    public IReadOnlyList<Domicilio> Domicilios { get; init; } = [];
    public Consentimiento? ConsentimientoVigente { get; init; }
}

public sealed record Domicilio
{
    public Guid Id { get; init; }
    public string Tipo { get; init; } = "";
    public string Calle { get; init; } = "";
    public string NumeroExterior { get; init; } = "";
    public string? NumeroInterior { get; init; }
    public string Colonia { get; init; } = "";
    public string Cp { get; init; } = "";
    public string Municipio { get; init; } = "";
    public string Estado { get; init; } = "";
    public string? Referencias { get; init; }
    public bool Activo { get; init; }
}

public sealed record Consentimiento
{
    public Guid Id { get; init; }
    public string AvisoPrivacidadVersion { get; init; } = "";
    public bool AceptaMarketing { get; init; }
    public DateTime OtorgadoEn { get; init; }
    public string? Ip { get; init; }
    public string Origen { get; init; } = "";
    public string? UserAgent { get; init; }
}

public sealed record ClienteResumen
{
    public Guid Id { get; init; }
    public long NumeroCliente { get; init; }
    public string Nombre { get; init; } = "";
    public string Rfc { get; init; } = "";
    public string Email { get; init; } = "";
    public string Telefono { get; init; } = "";
    public string? ZonaClave { get; init; }
    public string Estado { get; init; } = "";
    public int Version { get; init; }
}

public sealed record Contrato
{
    public Guid Id { get; init; }
    public Guid ClienteId { get; init; }
    public Guid? PlanId { get; init; }
    public Guid? ComboId { get; init; }
    public string Producto { get; init; } = "";
    public Guid? PromocionId { get; init; }
    public Guid ZonaId { get; init; }
    public string ZonaClave { get; init; } = "";
    public Guid DomicilioId { get; init; }
    public decimal PrecioPactado { get; init; }
    public string FechaInicio { get; init; } = "";
    public string? FechaActivacion { get; init; }
    public string? FechaCancelacion { get; init; }
    public string Estado { get; init; } = "";
    public int DiaCorte { get; init; }
    public int Version { get; init; }
}

public sealed record RouterResumen
{
    public Guid Id { get; init; }
    public string Serial { get; init; } = "";
    public string Modelo { get; init; } = "";
    public Guid? ContratoId { get; init; }
    public string? Estado { get; init; }
    public DateTime? ReportadoEn { get; init; }
}

public sealed record TicketResumen
{
    public Guid Id { get; init; }
    public long Numero { get; init; }
    public string Tipo { get; init; } = "";
    public string Estado { get; init; } = "";
    public string Prioridad { get; init; } = "";
    public string? FechaProgramada { get; init; }
    public string Descripcion { get; init; } = "";
}

/// <summary>Balance: unpaid stamped invoices (total minus what payments applied) minus credit in favour.</summary>
public sealed record Saldo(decimal FacturasPendientes, int NumeroFacturasPendientes, decimal SaldoAFavor, decimal SaldoPorPagar);

/// <summary>The one answer a support agent needs when a customer phones. <see cref="Clabe"/>: the customer's own
/// SPEI reference, where a bank transfer pays their invoices.</summary>
public sealed record EstadoCliente(ClienteResumen Cliente, IReadOnlyList<Contrato> Contratos, Saldo Saldo,
    IReadOnlyList<RouterResumen> Routers, IReadOnlyList<TicketResumen> TicketsAbiertos, string Clabe);
