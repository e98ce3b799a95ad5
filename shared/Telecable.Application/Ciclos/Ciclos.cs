using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;

namespace Telecable.Application.Ciclos;

/// <summary>POST /api/contratos/{id}/cambio-plan body: exactly one of planId or comboId; <c>aplicar</c> is
/// <c>inmediato</c> (prorated now) or <c>siguiente_corte</c> (from the next cut-off, nothing prorated). Without it, an
/// upgrade (dearer) applies now and a downgrade at the next cut-off.</summary>
public sealed record SolicitudCambioPlan(Guid? PlanId, Guid? ComboId, string? Aplicar);

public static class ModosCambioPlan
{
    public const string Inmediato = "inmediato";
    public const string SiguienteCorte = "siguiente_corte";
}

/// <summary>What a contract's plan change needs to know about it.</summary>
public sealed record ContratoCiclo(Guid Id, Guid ClienteId, Guid ZonaId, Guid? PlanId, Guid? ComboId, decimal PrecioPactado, int DiaCorte,
    string Estado, bool CicloActualFacturado, bool CambioPendiente);

/// <summary>The new plan or combo quoted in the contract's zone: agreed price before taxes and discount, its promotion,
/// and the plan whose SAT keys a charge line uses.</summary>
public sealed record OfertaCambio(Guid? PlanId, Guid? ComboId, string Nombre, decimal Precio, Guid? PromocionId, Guid PlanParaCargo);

/// <summary>A plan change as recorded (and answered).</summary>
public sealed record CambioPlanRegistrado(Guid Id, Guid ContratoId, string Modo, DateOnly EfectivoDesde, Guid? PlanId, Guid? ComboId,
    decimal PrecioAnterior, decimal PrecioNuevo, decimal Credito, decimal Cargo, decimal Neto, DateOnly? Desde, DateOnly? Hasta);

/// <summary>Port: contracts, quotes and the ledger writes of a plan change, in one transaction on the adapter's side.</summary>
public interface IRepositorioCiclos
{
    Task<ContratoCiclo?> ContratoAsync(Guid contratoId, DateOnly hoy, CancellationToken ct);
    Task<OfertaCambio> CotizarAsync(Guid zonaId, Guid? planId, Guid? comboId, DateOnly fecha, CancellationToken ct);
    /// <summary>Writes the change: an immediate one updates the contract and puts the difference on cargos_pendientes (a
    /// charge) or movimientos_saldo (a credit); a deferred one waits in cambios_plan. Plus the outbox event.</summary>
    Task RegistrarAsync(CambioPlanRegistrado cambio, OfertaCambio oferta, string concepto, string actor, string cid, CancellationToken ct);
    Task<EstadoDeCuenta> EstadoDeCuentaAsync(Guid clienteId, DateOnly desde, DateOnly hasta, DateOnly hoy, CancellationToken ct);
}

/// <summary>One line of a statement of account: a charge (invoice, debit) or a credit (payment, bonus), with the running
/// balance after it (positive: the customer owes; negative: credit in their favour).</summary>
public sealed record MovimientoCuenta(DateOnly Fecha, string Tipo, string Referencia, string Concepto, decimal Cargo, decimal Abono, decimal Saldo);

/// <summary>The statement of account of a customer over a date range, and what comes next.</summary>
public sealed record EstadoDeCuenta(Guid ClienteId, string Nombre, string NumeroCliente, DateOnly Desde, DateOnly Hasta,
    decimal SaldoInicial, IReadOnlyList<MovimientoCuenta> Movimientos, decimal SaldoFinal, decimal SaldoAFavor,
    IReadOnlyList<CargoPorFacturar> CargosPorFacturar, ProximoCorte? ProximoCorte);

public sealed record CargoPorFacturar(string Concepto, decimal Importe);

/// <summary>The customer's next invoice date and what is due now (for the portal).</summary>
public sealed record ProximoCorte(DateOnly Fecha, decimal MontoEstimado, decimal PorPagar, DateOnly? VenceMasProximo, string? Aviso)
{
    public string ComoPagar => Domain.Cobranza.PlantillasCobranza.ComoPagar;
}

/// <summary>Plan changes with proration and the statement of account (issue 18).</summary>
public sealed class ServicioCiclos(IRepositorioCiclos repositorio, TimeProvider reloj)
{
    public async Task<CambioPlanRegistrado> CambiarPlanAsync(Guid contratoId, SolicitudCambioPlan? s, string actor, string cid, CancellationToken ct)
    {
        new Validador()
            .Regla(s is not null, "body", "Falta el cuerpo.")
            .Regla(s is null || (s.PlanId is null) != (s.ComboId is null), "planId", "Indique exactamente uno: planId o comboId.")
            .Regla(s?.Aplicar is null or ModosCambioPlan.Inmediato or ModosCambioPlan.SiguienteCorte, "aplicar",
                "Debe ser inmediato o siguiente_corte.")
            .Lanzar();
        var hoy = reloj.Hoy();
        var k = await repositorio.ContratoAsync(contratoId, hoy, ct) ?? throw new ErrorNoEncontrado("contrato", contratoId.ToString());
        if (k.Estado != "activo") throw new ErrorConflicto($"Solo un contrato activo cambia de plan (está {k.Estado}).", "estado_invalido");
        if (k.CambioPendiente) throw new ErrorConflicto("El contrato ya tiene un cambio de plan programado para su siguiente corte.", "cambio_pendiente");
        if (s!.PlanId == k.PlanId && s.ComboId == k.ComboId) throw new ErrorRegla("El contrato ya tiene ese plan.", s.PlanId is null ? "comboId" : "planId");
        var oferta = await repositorio.CotizarAsync(k.ZonaId, s.PlanId, s.ComboId, hoy, ct);
        var modo = s.Aplicar ?? (oferta.Precio >= k.PrecioPactado ? ModosCambioPlan.Inmediato : ModosCambioPlan.SiguienteCorte);

        CambioPlanRegistrado cambio;
        string concepto;
        if (modo == ModosCambioPlan.SiguienteCorte)
        {
            cambio = new CambioPlanRegistrado(Guid.NewGuid(), contratoId, modo, CicloFacturacion.SiguienteCorte(hoy, k.DiaCorte), oferta.PlanId,
                oferta.ComboId, k.PrecioPactado, oferta.Precio, 0m, 0m, 0m, null, null);
            concepto = $"Cambio a {oferta.Nombre} desde el corte del {cambio.EfectivoDesde:dd/MM/yyyy}";
        }
        else if (!k.CicloActualFacturado)
        {
            // The current cycle is not billed yet: its invoice will price the new plan; nothing to prorate.
            cambio = new CambioPlanRegistrado(Guid.NewGuid(), contratoId, modo, hoy, oferta.PlanId, oferta.ComboId, k.PrecioPactado, oferta.Precio,
                0m, 0m, 0m, null, null);
            concepto = $"Cambio a {oferta.Nombre}";
        }
        else
        {
            var p = CicloFacturacion.CambioInmediato(hoy, k.DiaCorte, k.PrecioPactado, oferta.Precio);
            cambio = new CambioPlanRegistrado(Guid.NewGuid(), contratoId, modo, hoy, oferta.PlanId, oferta.ComboId, k.PrecioPactado, oferta.Precio,
                p.Credito, p.Cargo, p.Neto, p.Resto.Desde, p.Resto.Hasta);
            concepto = p.Neto >= 0
                ? $"Cambio a {oferta.Nombre}: diferencia {p.Resto.Texto}"
                : $"Cambio a {oferta.Nombre}: días no usados del plan anterior {p.Resto.Texto}";
        }
        await repositorio.RegistrarAsync(cambio, oferta, concepto, actor, cid, ct);
        return cambio;
    }

    /// <summary>desde/hasta default to the last 6 months through today; at most 3 years.</summary>
    public Task<EstadoDeCuenta> EstadoDeCuentaAsync(Guid clienteId, DateOnly? desde, DateOnly? hasta, CancellationToken ct)
    {
        var hoy = reloj.Hoy();
        var h = hasta ?? hoy;
        var d = desde ?? h.AddMonths(-6);
        new Validador()
            .Regla(d <= h, "desde", "Debe ser anterior o igual a hasta.")
            .Regla(h.DayNumber - d.DayNumber <= 366 * 3, "hasta", "El rango admite como máximo 3 años.")
            .Lanzar();
        return repositorio.EstadoDeCuentaAsync(clienteId, d, h, hoy, ct);
    }
}
