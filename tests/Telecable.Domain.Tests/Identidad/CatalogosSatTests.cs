using Telecable.Domain.Identidad;

namespace Telecable.Domain.Tests.Identidad;

public sealed class CatalogosSatTests
{
    [Theory]
    [InlineData("601", TipoPersona.Moral, true)]
    [InlineData("601", TipoPersona.Fisica, false)]
    [InlineData("605", TipoPersona.Fisica, true)]
    [InlineData("605", TipoPersona.Moral, false)]
    [InlineData("612", TipoPersona.Fisica, true)]
    [InlineData("612", TipoPersona.Moral, false)]
    [InlineData("626", TipoPersona.Fisica, true)]
    [InlineData("626", TipoPersona.Moral, true)]
    [InlineData("616", TipoPersona.Fisica, true)]
    [InlineData("616", TipoPersona.Moral, false)]
    [InlineData("603", TipoPersona.Moral, true)]
    public void Regimen_segun_tipo_de_persona(string clave, TipoPersona tipo, bool aplica)
    {
        var r = RegimenFiscal.Validar(clave, tipo);

        Assert.Equal(aplica, r.EsValido);
        if (!aplica)
        {
            Assert.Equal(CodigosValidacion.NoAplicaTipoPersona, r.Error!.Codigo);
            Assert.Equal("regimenFiscal", r.Error.Campo);
        }
        else
        {
            Assert.Equal(clave, r.Valor!.Clave);
        }
    }

    [Theory]
    [InlineData("999", CodigosValidacion.NoExisteEnCatalogo)]
    [InlineData("6O1", CodigosValidacion.NoExisteEnCatalogo)]
    [InlineData("", CodigosValidacion.Requerido)]
    public void Regimen_inexistente(string clave, string codigo)
    {
        Assert.Equal(codigo, RegimenFiscal.Validar(clave).Error!.Codigo);
    }

    [Fact]
    public void Catalogo_de_regimenes_sin_claves_repetidas()
    {
        Assert.Equal(RegimenFiscal.Todos.Count, RegimenFiscal.Todos.Select(r => r.Clave).Distinct().Count());
        Assert.All(RegimenFiscal.Todos, r => Assert.True(r.AplicaFisica || r.AplicaMoral, r.Clave));
        Assert.Same(RegimenFiscal.GeneralPersonasMorales, RegimenFiscal.Buscar("601"));
    }

    [Theory]
    [InlineData("G03", "612", TipoPersona.Fisica)]
    [InlineData("G03", "626", TipoPersona.Fisica)]
    [InlineData("G03", "601", TipoPersona.Moral)]
    [InlineData("G03", "626", TipoPersona.Moral)]
    [InlineData("G01", "612", TipoPersona.Fisica)]
    [InlineData("S01", "605", TipoPersona.Fisica)]
    [InlineData("S01", "616", TipoPersona.Fisica)]
    [InlineData("S01", "601", TipoPersona.Moral)]
    [InlineData("CP01", "601", TipoPersona.Moral)]
    [InlineData("D01", "605", TipoPersona.Fisica)]
    [InlineData("D10", "612", TipoPersona.Fisica)]
    [InlineData("CN01", "605", TipoPersona.Fisica)]
    [InlineData("i04", "601", TipoPersona.Moral)]
    public void Uso_permitido(string uso, string regimen, TipoPersona tipo)
    {
        var r = UsoCfdi.Validar(uso, tipo, regimen);

        Assert.True(r.EsValido, r.Error?.Mensaje);
        Assert.Equal(uso.ToUpperInvariant(), r.Valor!.Clave);
    }

    [Theory]
    [InlineData("G03", "605", TipoPersona.Fisica, CodigosValidacion.NoAplicaRegimen)] // salaried: no business expenses
    [InlineData("G03", "616", TipoPersona.Fisica, CodigosValidacion.NoAplicaRegimen)]
    [InlineData("D01", "601", TipoPersona.Moral, CodigosValidacion.NoAplicaTipoPersona)]
    [InlineData("D01", "626", TipoPersona.Fisica, CodigosValidacion.NoAplicaRegimen)]
    [InlineData("CN01", "612", TipoPersona.Fisica, CodigosValidacion.NoAplicaRegimen)]
    [InlineData("CN01", "601", TipoPersona.Moral, CodigosValidacion.NoAplicaTipoPersona)]
    [InlineData("P01", "601", TipoPersona.Moral, CodigosValidacion.NoExisteEnCatalogo)] // CFDI 3.3 only
    [InlineData("", "601", TipoPersona.Moral, CodigosValidacion.Requerido)]
    public void Uso_no_permitido(string uso, string regimen, TipoPersona tipo, string codigo)
    {
        var r = UsoCfdi.Validar(uso, tipo, regimen);

        Assert.False(r.EsValido);
        Assert.Equal(codigo, r.Error!.Codigo);
        Assert.Equal("usoCfdi", r.Error.Campo);
    }

    [Fact]
    public void Catalogo_de_usos_coherente_con_el_de_regimenes()
    {
        Assert.Equal(UsoCfdi.Todos.Count, UsoCfdi.Todos.Select(u => u.Clave).Distinct().Count());
        foreach (var uso in UsoCfdi.Todos)
        {
            Assert.NotEmpty(uso.RegimenesPermitidos);
            foreach (var clave in uso.RegimenesPermitidos)
            {
                var regimen = RegimenFiscal.Buscar(clave);
                Assert.NotNull(regimen);
                // every allowed regime applies to at least one kind of person the use applies to
                Assert.True((uso.AplicaFisica && regimen.AplicaFisica) || (uso.AplicaMoral && regimen.AplicaMoral), $"{uso.Clave}/{clave}");
            }
        }
    }
}

public sealed class DatosFiscalesTests
{
    [Theory]
    [InlineData("GATM900417PC4", "MARIANA GARZA TREVIÑO", "612", "G03", "64349")]
    [InlineData("EKU9003173C9", "ESCUELA KEMPER URGATE", "601", "G03", "42501")]
    [InlineData("gode561231gr8", "EMILIANO GOMEZ DIAZ", "605", "S01", "64000")]
    [InlineData("XAXX010101000", "PUBLICO EN GENERAL", "616", "S01", "64000")]
    public void Acepta_datos_coherentes(string rfc, string nombre, string regimen, string uso, string cp)
    {
        var r = DatosFiscales.Validar(rfc, nombre, regimen, uso, cp);

        Assert.True(r.EsValido, string.Join("; ", r.Errores.Select(e => e.Mensaje)));
        Assert.Equal(rfc.ToUpperInvariant(), r.Valor!.Rfc.Valor);
        Assert.Equal(regimen, r.Valor.RegimenFiscal.Clave);
        Assert.Equal(uso, r.Valor.UsoCfdi.Clave);
        Assert.Equal(cp, r.Valor.CpFiscal.Valor);
    }

    [Fact]
    public void Reporta_todos_los_campos_con_error_a_la_vez()
    {
        var r = DatosFiscales.Validar("EKU9003173C8", "  ", "601", "G03", "6400");

        Assert.False(r.EsValido);
        var problema = r.Errores.ComoDiccionario();
        Assert.Equal(["cpFiscal", "nombre", "rfc"], problema.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(r.Errores, e => e.Campo == "rfc" && e.Codigo == CodigosValidacion.DigitoVerificador);
    }

    [Fact]
    public void Regimen_de_moral_para_persona_fisica()
    {
        var r = DatosFiscales.Validar("GODE561231GR8", "EMILIANO GOMEZ DIAZ", "601", "G03", "64000");

        Assert.Contains(r.Errores, e => e.Campo == "regimenFiscal" && e.Codigo == CodigosValidacion.NoAplicaTipoPersona);
    }

    [Fact]
    public void Uso_no_permitido_para_el_regimen()
    {
        var r = DatosFiscales.Validar("GODE561231GR8", "EMILIANO GOMEZ DIAZ", "605", "G03", "64000");

        var error = Assert.Single(r.Errores);
        Assert.Equal("usoCfdi", error.Campo);
        Assert.Equal(CodigosValidacion.NoAplicaRegimen, error.Codigo);
    }

    [Fact]
    public void Rfc_generico_exige_regimen_616_y_uso_s01()
    {
        var r = DatosFiscales.Validar("XAXX010101000", "PUBLICO EN GENERAL", "605", "S01", "64000");

        var error = Assert.Single(r.Errores);
        Assert.Equal("regimenFiscal", error.Campo);
        Assert.Contains("616", error.Mensaje, StringComparison.Ordinal);
    }
}
