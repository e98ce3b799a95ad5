using System.Globalization;

namespace Telecable.Domain.Pagos;

/// <summary>The Spanish texts sent about payments, in one place (built here, not in SQL, like the collection texts).</summary>
public static class PlantillasPago
{
    public const string PagoAplicado = "pago_aplicado";

    public static (string Asunto, string Cuerpo) Aplicado(decimal monto, string metodo) =>
        ("Recibimos su pago", $"Recibimos su pago de ${monto.ToString("#,##0.00", CultureInfo.InvariantCulture)} MXN ({metodo}). Gracias.");
}
