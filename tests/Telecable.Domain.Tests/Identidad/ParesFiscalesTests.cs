using Telecable.Domain.Identidad;

namespace Telecable.Domain.Tests.Identidad;

/// <summary>Issue 21: the form offered 605 with G03, which the server rejects. The pairs now come from the server's rules.</summary>
public sealed class ParesFiscalesTests
{
    [Fact]
    public void Sueldos_y_salarios_no_ofrece_gastos_en_general()
    {
        var r605 = ParesFiscales.Para(TipoPersona.Fisica).Single(r => r.Clave == "605");
        Assert.DoesNotContain(r605.Usos, u => u.Clave == "G03");
        Assert.Contains(r605.Usos, u => u.Clave == "S01");
    }

    [Theory]
    [InlineData(TipoPersona.Fisica, "GODE561231GR8")]
    [InlineData(TipoPersona.Moral, "EKU9003173C9")]
    public void Cada_par_ofrecido_lo_acepta_la_validacion_del_servidor(TipoPersona tipo, string rfc)
    {
        var pares = ParesFiscales.Para(tipo);
        Assert.NotEmpty(pares);
        foreach (var r in pares)
            foreach (var u in r.Usos)
                Assert.True(DatosFiscales.Validar(rfc, "NOMBRE", r.Clave, u.Clave, "64000").EsValido, $"{r.Clave}/{u.Clave}");
        Assert.DoesNotContain(pares, r => r.Clave == (tipo == TipoPersona.Fisica ? "601" : "605"));
    }
}
