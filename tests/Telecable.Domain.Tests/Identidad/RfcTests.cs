using Telecable.Domain.Identidad;

namespace Telecable.Domain.Tests.Identidad;

public sealed class RfcTests
{
    [Theory]
    [InlineData("EKU9003173C9", TipoPersona.Moral)]   // SAT's test CSD taxpayer
    [InlineData("IIA040805DZ4", TipoPersona.Moral)]   // SAT's other test persona moral
    [InlineData("GODE561231GR8", TipoPersona.Fisica)] // the classic persona física example
    [InlineData("CACX7605101P8", TipoPersona.Fisica)] // SAT's test persona física
    [InlineData("GATM900417PC4", TipoPersona.Fisica)] // demo customer (seed)
    [InlineData("R&S090701CW4", TipoPersona.Moral)]   // & in the name part (seed)
    [InlineData("ÑCN150228E40", TipoPersona.Moral)]   // Ñ in the name part (seed)
    [InlineData("GOMA850315ABA", TipoPersona.Fisica)] // check digit 'A' (remainder 1)
    [InlineData("GOMA850315AG0", TipoPersona.Fisica)] // check digit '0' (remainder 0)
    [InlineData("TEL120101A9A", TipoPersona.Moral)]
    [InlineData("TEL120101AE0", TipoPersona.Moral)]
    [InlineData("GOMA000229AB8", TipoPersona.Fisica)] // 29 Feb 2000
    public void Acepta_rfc_valido_y_reconoce_el_tipo(string texto, TipoPersona tipo)
    {
        var r = Rfc.Validar(texto);

        Assert.True(r.EsValido, r.Error?.Mensaje);
        Assert.Equal(texto, r.Valor!.Valor);
        Assert.Equal(tipo, r.Valor.Tipo);
        Assert.False(r.Valor.EsGenerico);
        Assert.Empty(r.Errores);
    }

    [Theory]
    [InlineData("XAXX010101000")]
    [InlineData("XEXX010101000")]
    [InlineData("xaxx010101000")]
    public void Acepta_los_rfc_genericos(string texto)
    {
        var r = Rfc.Validar(texto);

        Assert.True(r.EsValido, r.Error?.Mensaje);
        Assert.True(r.Valor!.EsGenerico);
        Assert.Equal(TipoPersona.Fisica, r.Valor.Tipo);
        Assert.Equal(texto.ToUpperInvariant(), r.Valor.Valor);
    }

    [Theory]
    [InlineData("eku9003173c9", "EKU9003173C9")]
    [InlineData("  EKU-900317-3C9 ", "EKU9003173C9")]
    [InlineData("ñcn150228e40", "ÑCN150228E40")]
    [InlineData("gode 561231 gr8", "GODE561231GR8")]
    public void Normaliza_a_mayusculas_sin_espacios_ni_guiones(string texto, string esperado)
    {
        Assert.True(Rfc.TryParse(texto, out var rfc));
        Assert.Equal(esperado, rfc!.Valor);
        Assert.Equal(esperado, rfc.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Rechaza_vacio_como_requerido(string? texto)
    {
        var r = Rfc.Validar(texto);

        Assert.False(r.EsValido);
        Assert.Null(r.Valor);
        Assert.Equal(CodigosValidacion.Requerido, r.Error!.Codigo);
    }

    [Theory]
    [InlineData("EKU900317")]
    [InlineData("EKU9003173C")]
    [InlineData("GODE561231GR81")]
    [InlineData("GODE561231GR8XYZ")]
    public void Rechaza_longitud(string texto)
    {
        var r = Rfc.Validar(texto);

        Assert.False(r.EsValido);
        Assert.Equal(CodigosValidacion.Longitud, r.Error!.Codigo);
        Assert.Contains("13 caracteres", r.Error.Mensaje, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1KU9003173C9")]  // digit in the letters
    [InlineData("EKU90031X3C9")]  // letter in the date
    [InlineData("EKU9003173CB")]  // check digit must be 0-9 or A
    [InlineData("EKU9003173.9")]  // punctuation in the homoclave
    [InlineData("GOD1561231GR8")] // física with 3 letters
    [InlineData("GODE56123AGR8")]
    [InlineData("GODE561231G#8")]
    public void Rechaza_formato(string texto)
    {
        var r = Rfc.Validar(texto);

        Assert.False(r.EsValido);
        Assert.Equal(CodigosValidacion.Formato, r.Error!.Codigo);
    }

    [Theory]
    [InlineData("EKU901317AB")]  // month 13
    [InlineData("EKU900300AB")]  // day 00
    [InlineData("GODE561232GR")] // 32 December
    [InlineData("GOMA010229AB")] // 29 Feb in 1901 and 2001
    [InlineData("GOMA850431AB")] // 31 April
    public void Rechaza_fecha_invalida_aunque_el_digito_cuadre(string sinDigito)
    {
        var texto = sinDigito + Rfc.CalcularDigitoVerificador(sinDigito);

        var r = Rfc.Validar(texto);

        Assert.False(r.EsValido);
        Assert.Equal(CodigosValidacion.FechaInvalida, r.Error!.Codigo);
        Assert.Contains(sinDigito.Substring(sinDigito.Length - 8, 6), r.Error.Mensaje, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EKU9003173C8")]
    [InlineData("EKU9003173CA")]
    [InlineData("GODE561231GR9")]
    [InlineData("GODE561231GRA")]
    [InlineData("GATM900417PC5")]
    [InlineData("ÑCN150228E41")]
    [InlineData("NCN150228E40")] // Ñ and N are different characters for the check digit
    [InlineData("XAXX010101001")] // only the exact generic RFCs skip the check digit
    public void Rechaza_digito_verificador(string texto)
    {
        var r = Rfc.Validar(texto);

        Assert.False(r.EsValido);
        Assert.Equal(CodigosValidacion.DigitoVerificador, r.Error!.Codigo);
        Assert.Equal("rfc", r.Error.Campo);
    }

    [Fact]
    public void Calcula_el_digito_verificador_del_sat()
    {
        Assert.Equal('9', Rfc.CalcularDigitoVerificador("EKU9003173C"));
        Assert.Equal('8', Rfc.CalcularDigitoVerificador("GODE561231GR"));
        Assert.Equal('A', Rfc.CalcularDigitoVerificador("GOMA850315AB"));
        Assert.Equal('0', Rfc.CalcularDigitoVerificador("GOMA850315AG"));
        Assert.Throws<ArgumentException>(() => Rfc.CalcularDigitoVerificador("ABC"));
        Assert.Throws<ArgumentException>(() => Rfc.CalcularDigitoVerificador("EKU9003173#"));
    }

    [Fact]
    public void Usa_el_nombre_de_campo_indicado()
    {
        var r = Rfc.Validar("EKU9003173C8", "receptor.rfc");

        Assert.Equal("receptor.rfc", r.Error!.Campo);
        var problema = r.Errores.ComoDiccionario();
        Assert.Equal(["receptor.rfc"], problema.Keys);
        Assert.Single(problema["receptor.rfc"]);
    }

    [Fact]
    public void Parse_lanza_formatexception_con_la_razon()
    {
        Assert.Equal("EKU9003173C9", Rfc.Parse("eku9003173c9").Valor);
        var ex = Assert.Throws<FormatException>(() => Rfc.Parse("EKU9003173C8"));
        Assert.Contains("dígito verificador", ex.Message, StringComparison.Ordinal);
        Assert.False(Rfc.TryParse("nope", out var rfc));
        Assert.Null(rfc);
    }

    [Fact]
    public void Dos_rfc_iguales_son_iguales()
    {
        Assert.Equal(Rfc.Parse("EKU9003173C9"), Rfc.Parse(" eku9003173c9"));
        Assert.NotEqual(Rfc.Parse("EKU9003173C9"), Rfc.Parse("IIA040805DZ4"));
    }
}
