using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
        s.AddSingleton<IAdaptadorPasarela, AdaptadorPasarelaEmulada>();
        s.AddOptions<OpcionesWebhooksSpei>().BindConfiguration(OpcionesWebhooksSpei.Seccion);
        s.AddSingleton<IAdaptadorPasarela, AdaptadorSpeiEmulado>();
        s.AddSingleton<CheckoutEmulado>();

        s.AddSingleton<LoteWebhooks>();
        s.AddSingleton<ServicioWebhooks>();
        s.AddSingleton<ServicioPagos>();
        s.AddSingleton<ServicioComplementos>();
        s.AddSingleton<PasosPago>();
        s.AddSingleton<ServicioConciliacion>();
        s.AddSingleton<IEmisorComplementoPago, EmisorComplementoPago>();
        s.AddSingleton<ReversionComplemento>();
        s.AddSingleton<ServicioCobranza>();
        return s;
    }
}
