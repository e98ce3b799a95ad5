using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Infrastructure.Facturacion;
using Telecable.Infrastructure.Pac;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Billing runs, CFDI sealing, PAC and mass stamping (issue 4).</summary>
    public static IServiceCollection AgregarFacturacion(this IServiceCollection s, IConfiguration config)
    {
        s.AddOptions<OpcionesEmisor>().BindConfiguration(OpcionesEmisor.Seccion);
        s.AddOptions<OpcionesCsd>().BindConfiguration(OpcionesCsd.Seccion);
        s.AddOptions<OpcionesFacturacion>().BindConfiguration(OpcionesFacturacion.Seccion);
        s.AddOptions<PacEmuladoOptions>().BindConfiguration(PacEmuladoOptions.Seccion);
        s.AddSingleton(sp => sp.GetRequiredService<IOptions<OpcionesEmisor>>().Value);
        s.AddSingleton(sp => sp.GetRequiredService<IOptions<OpcionesFacturacion>>().Value);
        // Billing cycles (issue 18): plan changes with proration, statement of account.
        s.AddSingleton<Telecable.Application.Ciclos.IRepositorioCiclos, RepositorioCiclos>();
        s.AddSingleton<Telecable.Application.Ciclos.ServicioCiclos>();
        // Earmarked credit balance applied with a CFDI de egreso (07 advance, 01 bonus), before collections looks at balances.
        s.AddSingleton<Telecable.Application.Ciclos.IRepositorioAplicacionSaldo, RepositorioAplicacionSaldo>();
        s.AddSingleton<Telecable.Application.Ciclos.ServicioAplicacionSaldo>();
        // The CSD is loaded once per process, on first use.
        s.AddSingleton(sp => new ProveedorCsd(sp.GetRequiredService<IOptions<OpcionesCsd>>().Value,
            sp.GetRequiredService<OpcionesEmisor>(), sp.GetRequiredService<TimeProvider>()));

        var modo = config["PAC_MODE"] ?? "emulated";
        if (modo != "emulated")
        {
            throw new InvalidOperationException($"PAC_MODE={modo}: solo existe el PAC emulado; un PAC real implementa IPacClient.");
        }
        s.AddSingleton(sp =>
        {
            var op = sp.GetRequiredService<IOptions<PacEmuladoOptions>>().Value;
            var reloj = sp.GetRequiredService<TimeProvider>();
            if (op.CertificadoSatPfx is not null || op.CertificadoSatPfxPath is not null) return PacEmulado.DesdeOpciones(op, reloj);
            // Kept under .data so SelloSAT of earlier stamps still verifies after a restart; its .cer goes to .data/pac-emulado/tfdcerts.
            var carpeta = config["Pac:Carpeta"] ?? Path.Combine(".data", "pac-emulado");
            return new PacEmulado(op, PacEmuladoPersistente.CertificadoPersistente(carpeta), reloj);
        });
        s.AddSingleton(sp => new PacEmuladoPersistente(sp.GetRequiredService<PacEmulado>(), sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<ILogger<PacEmuladoPersistente>>()));
        s.AddSingleton<IPacClient>(sp => sp.GetRequiredService<PacEmuladoPersistente>());
        // The status of cancellations waiting for the receptor (a real PAC adapter implements it too).
        s.AddSingleton<IConsultaCancelaciones>(sp => sp.GetRequiredService<PacEmuladoPersistente>());

        s.AddSingleton<ServicioCorridas>();
        s.AddSingleton<TimbradorFacturas>();
        // The TimbradoMasivo activities see only the ports (orchestrations reference Application, never Infrastructure).
        s.AddSingleton<Telecable.Application.Facturacion.IPasosCorrida>(sp => sp.GetRequiredService<ServicioCorridas>());
        s.AddSingleton<Telecable.Application.Facturacion.ITimbradorPartes>(sp => sp.GetRequiredService<TimbradorFacturas>());
        s.AddSingleton<ServicioFacturas>();
        s.AddSingleton<ServicioSustitucion>();
        s.AddSingleton<ServicioCancelacionesPendientes>();
        // The one "stamp exactly once" PAC step (issue 16): credit notes and the global CFDI go through it.
        s.AddSingleton<Telecable.Application.Facturacion.ITimbradoUnico, TimbradoUnico>();
        s.AddSingleton<ReceptorEmulado>();
        s.AddSingleton<Telecable.Application.Facturacion.IServicioNotasCredito, ServicioNotasCredito>();
        s.AddSingleton<Telecable.Application.Facturacion.IServicioCreditosSla, ServicioCreditosSla>();
        s.AddSingleton<Telecable.Application.Facturacion.IServicioAjustesCortesia, ServicioAjustesCortesia>();
        // Receipts of customers without an RFC and the month's global CFDI (issue 20).
        s.AddSingleton<Telecable.Application.Facturacion.IServicioCfdiGlobal, ServicioCfdiGlobal>();
        // The invoice a customer asks for a receipt not yet in a global CFDI (issue 20).
        s.AddSingleton<Telecable.Application.Facturacion.IServicioFacturaRecibo, ServicioFacturaRecibo>();
        return s;
    }
}
