using Telecable.Domain.Pagos;

namespace Telecable.Domain.Tests.Pagos;

public sealed class ClabeTests
{
    [Theory]
    [InlineData("032180000118359719")] // Banxico's published example (BBVA-style account)
    [InlineData("646180123400000010")] // built by hand below: the demo prefix, reference 1
    [InlineData("002010077777777771")] // Banamex 002, plaza 010, account 07777777777: sum 19 -> 1
    public void Acepta_CLABEs_con_digito_verificador_correcto(string clabe) => Assert.True(Clabe.EsValida(clabe));

    [Theory]
    [InlineData("032180000118359718")] // check digit off by one
    [InlineData("032180000118359791")] // two digits swapped
    [InlineData("03218000011835971")]  // 17 digits
    [InlineData("0321800001183597190")] // 19 digits
    [InlineData("03218000011835971A")]
    [InlineData(" 32180000118359719")]
    [InlineData("")]
    [InlineData(null)]
    public void Rechaza_CLABEs_invalidas(string? clabe) => Assert.False(Clabe.EsValida(clabe));

    [Fact]
    public void El_digito_verificador_pesa_3_7_1_modulo_10()
    {
        // 6*3=18->8, 4*7=28->8, 6*1=6, 1*3=3, 8*7=56->6, 0, 1*3=3, 2*7=14->4, 3*1=3, 4*3=12->2, zeros, 1*7=7 (17th digit, weight 7):
        // 8+8+6+3+6+0+3+4+3+2+7 = 50 -> (10 - 0) % 10 = 0
        Assert.Equal(0, Clabe.DigitoVerificador("64618012340000001"));
        Assert.Equal(3, Clabe.DigitoVerificador("64618012340000002")); // 2*7=14->4: sum 47 -> 3

        Assert.Equal(9, Clabe.DigitoVerificador("03218000011835971"));
        Assert.Throws<ArgumentException>(() => Clabe.DigitoVerificador("1234"));
    }

    [Fact]
    public void Construye_una_CLABE_valida_por_referencia_bajo_el_prefijo_de_la_cuenta()
    {
        var a = Clabe.Construir("6461801234", 1);
        var b = Clabe.Construir("6461801234", 9_999_999);
        Assert.Equal("646180123400000010", a);
        Assert.StartsWith("6461801234", b);
        Assert.True(Clabe.EsValida(a));
        Assert.True(Clabe.EsValida(b));
        Assert.NotEqual(a, Clabe.Construir("6461801234", 2));
        Assert.Equal(18, Clabe.Construir("646180", 42).Length);
    }

    [Theory]
    [InlineData("64618", 1)]         // shorter than bank + plaza
    [InlineData("64618O1234", 1)]    // a letter O
    [InlineData("6461801234", 0)]
    [InlineData("6461801234", 10_000_000)] // 8 digits do not fit in the 7 the prefix leaves
    public void Rechaza_prefijos_y_secuencias_que_no_caben(string prefijo, long secuencia) =>
        Assert.ThrowsAny<ArgumentException>(() => Clabe.Construir(prefijo, secuencia));
}
