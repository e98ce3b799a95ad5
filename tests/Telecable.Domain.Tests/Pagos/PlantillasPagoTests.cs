using Telecable.Domain.Pagos;

namespace Telecable.Domain.Tests.Pagos;

public sealed class PlantillasPagoTests
{
    [Theory]
    [InlineData("464", "tarjeta", "Recibimos su pago de $464.00 MXN (tarjeta). Gracias.")]
    [InlineData("12345.5", "spei", "Recibimos su pago de $12,345.50 MXN (spei). Gracias.")]
    [InlineData("0.01", "efectivo", "Recibimos su pago de $0.01 MXN (efectivo). Gracias.")]
    public void El_aviso_de_pago_aplicado_lleva_el_monto_con_miles_y_dos_decimales(string monto, string metodo, string esperado)
    {
        var (asunto, cuerpo) = PlantillasPago.Aplicado(decimal.Parse(monto, System.Globalization.CultureInfo.InvariantCulture), metodo);
        Assert.Equal("Recibimos su pago", asunto);
        Assert.Equal(esperado, cuerpo);
    }
}
