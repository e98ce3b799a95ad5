using Telecable.Domain.Identidad;

namespace Telecable.Domain.Tests.Identidad;

public sealed class TelefonoMxTests
{
    [Theory]
    [InlineData("8112345678", "+528112345678")]
    [InlineData("81 1234 5678", "+528112345678")]
    [InlineData("(81) 1234-5678", "+528112345678")]
    [InlineData("81.1234.5678", "+528112345678")]
    [InlineData("+52 81 1234 5678", "+528112345678")]
    [InlineData("+52 (81) 1234-5678", "+528112345678")]
    [InlineData("+52 1 81 1234 5678", "+528112345678")] // mobile "1" retired in 2019
    [InlineData("+528112345678", "+528112345678")]
    [InlineData("52 81 1234 5678", "+528112345678")]
    [InlineData("0052 55 1234 5678", "+525512345678")]
    [InlineData("  33-1234-5678  ", "+523312345678")]
    public void Normaliza_a_e164(string texto, string e164)
    {
        var r = TelefonoMx.Validar(texto);

        Assert.True(r.EsValido, r.Error?.Mensaje);
        Assert.Equal(e164, r.Valor!.E164);
        Assert.Equal(e164[3..], r.Valor.Nacional);
    }

    [Theory]
    [InlineData(null, CodigosValidacion.Requerido)]
    [InlineData("", CodigosValidacion.Requerido)]
    [InlineData("12345", CodigosValidacion.Longitud)]
    [InlineData("811234567", CodigosValidacion.Longitud)]
    [InlineData("81123456789", CodigosValidacion.Longitud)]
    [InlineData("+52 81 1234 567", CodigosValidacion.Longitud)]
    [InlineData("+1 212 555 0100", CodigosValidacion.Formato)]
    [InlineData("81-1234-567a", CodigosValidacion.Formato)]
    [InlineData("81 1234 5678 ext 2", CodigosValidacion.Formato)]
    [InlineData("0112345678", CodigosValidacion.Formato)]
    [InlineData("1812345678", CodigosValidacion.Formato)]
    [InlineData("81+12345678", CodigosValidacion.Formato)]
    public void Rechaza_con_razon(string? texto, string codigo)
    {
        var r = TelefonoMx.Validar(texto, "contacto.telefono");

        Assert.False(r.EsValido);
        Assert.Equal(codigo, r.Error!.Codigo);
        Assert.Equal("contacto.telefono", r.Error.Campo);
        Assert.False(string.IsNullOrWhiteSpace(r.Error.Mensaje));
    }
}

public sealed class EmailTests
{
    [Theory]
    [InlineData("cliente.demo@example.com", "cliente.demo@example.com")]
    [InlineData("  Nombre+Etiqueta@Sub.Dominio.MX ", "Nombre+Etiqueta@sub.dominio.mx")]
    [InlineData("facturacion@r-s.com.mx", "facturacion@r-s.com.mx")]
    [InlineData("o'connor@example.org", "o'connor@example.org")]
    [InlineData("josé@correo.mx", "josé@correo.mx")]
    public void Acepta_y_normaliza_el_dominio(string texto, string esperado)
    {
        Assert.True(Email.TryParse(texto, out var email));
        Assert.Equal(esperado, email!.Valor);
    }

    [Theory]
    [InlineData("sin-arroba")]
    [InlineData("a@b")]
    [InlineData("a@@b.com")]
    [InlineData("a@b@c.com")]
    [InlineData("@example.com")]
    [InlineData("usuario@")]
    [InlineData("a b@c.com")]
    [InlineData("a@-b.com")]
    [InlineData("a@b-.com")]
    [InlineData("a@b.c")]
    [InlineData("a@b.c0m")]
    [InlineData("a@b..com")]
    [InlineData(".a@b.com")]
    [InlineData("a..b@c.com")]
    [InlineData("a@b_c.com")]
    [InlineData("<a>@b.com")]
    public void Rechaza_formato(string texto)
    {
        var r = Email.Validar(texto);

        Assert.False(r.EsValido);
        Assert.Equal(CodigosValidacion.Formato, r.Error!.Codigo);
        Assert.Equal("email", r.Error.Campo);
    }

    [Fact]
    public void Rechaza_vacio_y_demasiado_largo()
    {
        Assert.Equal(CodigosValidacion.Requerido, Email.Validar(" ").Error!.Codigo);
        var largo = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".com";
        Assert.Equal(CodigosValidacion.Longitud, Email.Validar(largo).Error!.Codigo);
        Assert.Equal(CodigosValidacion.Formato, Email.Validar(new string('a', 65) + "@example.com").Error!.Codigo);
    }
}

public sealed class CodigoPostalTests
{
    [Theory]
    [InlineData("64000", "64000")]
    [InlineData(" 66220 ", "66220")]
    [InlineData("01000", "01000")]
    [InlineData("99999", "99999")]
    public void Acepta_cinco_digitos(string texto, string esperado)
    {
        Assert.True(CodigoPostal.TryParse(texto, out var cp));
        Assert.Equal(esperado, cp!.Valor);
    }

    [Theory]
    [InlineData(null, CodigosValidacion.Requerido)]
    [InlineData("6400", CodigosValidacion.Longitud)]
    [InlineData("640000", CodigosValidacion.Longitud)]
    [InlineData("64 000", CodigosValidacion.Longitud)]
    [InlineData("64A00", CodigosValidacion.Formato)]
    [InlineData("00999", CodigosValidacion.Formato)]
    public void Rechaza_con_razon(string? texto, string codigo)
    {
        var r = CodigoPostal.Validar(texto, "cpFiscal");

        Assert.False(r.EsValido);
        Assert.Equal(codigo, r.Error!.Codigo);
        Assert.Equal("cpFiscal", r.Error.Campo);
    }
}
