using Telecable.Domain.Cuentas;

namespace Telecable.Domain.Tests.Cuentas;

public sealed class ReglasCuentasTests
{
    private static readonly DateTimeOffset Ahora = new(2026, 12, 3, 18, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, "obligatoria")]
    [InlineData("corta", "al menos 10")]
    [InlineData("aaaaaaaaaaaa", "repite")]
    [InlineData("juanperez-2026", "usuario")]
    public void Password_rechazada_con_su_motivo(string? password, string motivo)
    {
        var errores = ReglasCuentas.ValidarPassword(password, "juanperez@example.com");
        var e = Assert.Single(errores);
        Assert.Equal("password", e.Campo);
        Assert.Contains(motivo, e.Mensaje);
    }

    [Fact]
    public void Password_larga_y_variada_se_acepta() =>
        Assert.Empty(ReglasCuentas.ValidarPassword("caballo correcto batería grapa", "juanperez@example.com"));

    [Fact]
    public void El_quinto_fallo_bloquea_quince_minutos_y_reinicia_la_cuenta()
    {
        var intentos = 0;
        DateTimeOffset? hasta = null;
        for (var i = 0; i < ReglasCuentas.FallosParaBloqueo - 1; i++)
        {
            (intentos, hasta) = ReglasCuentas.TrasFallo(intentos, Ahora);
            Assert.Null(hasta);
        }
        (intentos, hasta) = ReglasCuentas.TrasFallo(intentos, Ahora);
        Assert.Equal(0, intentos);
        Assert.Equal(Ahora.AddMinutes(15), hasta);
        Assert.True(ReglasCuentas.EstaBloqueada(hasta, Ahora.AddMinutes(14)));
        Assert.False(ReglasCuentas.EstaBloqueada(hasta, Ahora.AddMinutes(15)));
        Assert.False(ReglasCuentas.EstaBloqueada(null, Ahora));
    }

    [Theory]
    [InlineData("123456", "123456")]
    [InlineData(" 123 456 ", "123456")]
    [InlineData("123-456", "123456")]
    [InlineData("12345", null)]
    [InlineData("12345a", null)]
    [InlineData("１２３４５６", null)] // full-width digits are not ASCII digits
    [InlineData(null, null)]
    public void Codigo_normalizado(string? entrada, string? esperado) => Assert.Equal(esperado, ReglasCuentas.NormalizarCodigo(entrada));
}
