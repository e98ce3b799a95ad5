using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Telecable.Application.Pagos;
using Telecable.Infrastructure.Cobranza;
using Telecable.Infrastructure.Pagos;

namespace Telecable.Functions;

public static partial class Registro
{
    /// <summary>Payments, gateway webhooks and reconciliation (issue 5).</summary>
    public static IServiceCollection AgregarPagos(this IServiceCollection s, IConfiguration config)
    {
        s.AddOptions<OpcionesPagos>().BindConfiguration(OpcionesPagos.Seccion);
        s.AddOptions<OpcionesWebhooksPagos>().BindConfiguration(OpcionesWebhooksPagos.Seccion);
        s.AddOptions<OpcionesComplementoPago>().BindConfiguration(OpcionesComplementoPago.Seccion);
        s.AddOptions<OpcionesSpei>().BindConfiguration(OpcionesSpei.Seccion)
            .Validate(o => Telecable.Domain.Pagos.Clabe.EsPrefijoValido(o.PrefijoClabe), "Spei:PrefijoClabe debe tener de 6 a 16 dígitos.");

        // One adapter per gateway; PAYMENT_MODE=emulated serves the Stripe-compatible emulated gateway. Any other
        // value stops the start-up: an app without a gateway would answer every webhook 404 and look healthy.
        var modo = config["PAYMENT_MODE"] ?? "emulated";
        if (!string.Equals(modo, "emulated", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"PAYMENT_MODE={modo}: solo existe la pasarela emulada; una real implementa IAdaptadorPasarela.");
        // Providers as configuration: each is one adapter (IAdaptadorPasarela) and its settings section (secrets for
        // rotation, tolerance); its webhook is POST /api/webhooks/{name}. Adding one is a class and a line here.
        // (the card gateway's OpcionesWebhooksPagos is bound above: it also carries the retention of deliveries)
        s.AddSingleton<IAdaptadorPasarela, AdaptadorPasarelaEmulada>();
        s.AgregarProveedorPago<AdaptadorSpeiEmulado, OpcionesWebhooksSpei>(OpcionesWebhooksSpei.Seccion);
        s.AgregarProveedorPago<AdaptadorOxxoEmulado, OpcionesWebhooksOxxo>(OpcionesWebhooksOxxo.Seccion);
        s.AddSingleton<CheckoutEmulado>();

        // OXXO cash references (issue 19).
        s.AddOptions<OpcionesReferenciasEfectivo>().BindConfiguration(OpcionesReferenciasEfectivo.Seccion)
            .Validate(o => Telecable.Domain.Pagos.ReferenciaEfectivo.EsPrefijoValido(o.Prefijo), "Oxxo:Prefijo debe tener 4 dígitos.");
        s.AddSingleton(sp => sp.GetRequiredService<IOptions<OpcionesReferenciasEfectivo>>().Value);
        s.AddSingleton<IRepositorioReferenciasEfectivo, RepositorioReferenciasEfectivo>();
        s.AddSingleton<IComprobanteEfectivo, ComprobanteEfectivoHtml>();
        s.AddSingleton<ServicioReferenciasEfectivo>();
        s.AddSingleton<ServicioReversos>();
        s.AddSingleton<ServicioLiquidaciones>();
        s.AddSingleton<ServicioEstadosDeCuenta>();

        s.AddSingleton<LoteWebhooks>();
        s.AddSingleton<ServicioWebhooks>();
        s.AddSingleton<ServicioPagos>();
        s.AddSingleton<IInicioPagos>(sp => sp.GetRequiredService<ServicioPagos>());
        s.AddSingleton<ServicioComplementos>();
        s.AddSingleton<PasosPago>();
        s.AddSingleton<IPasosPago>(sp => sp.GetRequiredService<PasosPago>());
        s.AddSingleton<Telecable.Orchestrations.ProcesarPago.SagaPagoEnLote>();
        s.AddSingleton<ServicioConciliacion>();
        s.AddSingleton<IEmisorComplementoPago, EmisorComplementoPago>();
        s.AddSingleton<ReversionComplemento>();
        s.AddOptions<OpcionesCobranza>().BindConfiguration(OpcionesCobranza.Seccion);
        s.AddSingleton<ServicioCobranza>();
        return s;
    }

    /// <summary>One payment provider: its adapter and its webhook settings class, bound from its own section.</summary>
    public static IServiceCollection AgregarProveedorPago<TAdaptador, TOpciones>(this IServiceCollection s, string seccion)
        where TAdaptador : class, IAdaptadorPasarela where TOpciones : OpcionesWebhookProveedor
    {
        s.AddOptions<TOpciones>().BindConfiguration(seccion);
        s.AddSingleton<IAdaptadorPasarela, TAdaptador>();
        return s;
    }
}
