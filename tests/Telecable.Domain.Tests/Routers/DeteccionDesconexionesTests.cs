using Telecable.Domain.Routers;

namespace Telecable.Domain.Tests.Routers;

public sealed class DeteccionDesconexionesTests
{
    private static readonly TimeSpan Limite = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0, false)]
    [InlineData(29, false)]
    [InlineData(30, true)]
    [InlineData(3600, true)]
    public void No_declara_caidas_hasta_haber_escuchado_el_limite_completo(int segundosDesdeArranque, bool escuchando) =>
        Assert.Equal(escuchando, DeteccionDesconexiones.Escuchando(TimeSpan.FromSeconds(segundosDesdeArranque), Limite));
}
