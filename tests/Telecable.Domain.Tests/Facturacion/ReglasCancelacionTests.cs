using System.Xml.Linq;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;
using Telecable.Domain.Tests.Cfdi;
using static Telecable.Domain.Cfdi.ImpuestoLinea;

namespace Telecable.Domain.Tests.Facturacion;

public sealed class ReglasCancelacionTests
{
    private const string Original = "AAAA0000-1111-2222-3333-444455556666";
    private static readonly DateTime Fecha = new(2026, 11, 20, 10, 0, 0);

    private static XElement Cfdi(string rfcReceptor, params CfdiRelacionados[] relaciones) => ComprobanteXml.Construir(CalculadoraCfdi.Calcular(
        Facturas.Datos(Fecha) with { Receptor = Facturas.Datos(Fecha).Receptor with { Rfc = rfcReceptor }, CfdiRelacionados = relaciones },
        [Facturas.Linea(1m, 100m, Iva16)]));

    [Fact]
    public void Un_sustituto_del_mismo_receptor_que_relaciona_al_original_con_04_es_valido()
    {
        Assert.Null(ReglasCancelacion.ErrorSustituto(Cfdi("MCI7306249Y1", new CfdiRelacionados("04", ["BBBB0000-1111-2222-3333-444455556666", Original.ToLowerInvariant()])),
            Original, "MCI7306249Y1"));
    }

    [Fact]
    public void Sin_relacion_04_al_original_u_otro_receptor_no_es_sustituto()
    {
        Assert.NotNull(ReglasCancelacion.ErrorSustituto(Cfdi("MCI7306249Y1"), Original, "MCI7306249Y1"));
        Assert.NotNull(ReglasCancelacion.ErrorSustituto(Cfdi("MCI7306249Y1", new CfdiRelacionados("01", [Original])), Original, "MCI7306249Y1"));
        Assert.NotNull(ReglasCancelacion.ErrorSustituto(Cfdi("MCI7306249Y1", new CfdiRelacionados("04", ["BBBB0000-1111-2222-3333-444455556666"])), Original, "MCI7306249Y1"));
        Assert.Contains("mismo receptor", ReglasCancelacion.ErrorSustituto(Cfdi("XOJI740919U48", new CfdiRelacionados("04", [Original])), Original, "MCI7306249Y1"));
    }

    [Fact]
    public void Con_complementos_vigentes_no_se_cancela_y_los_nombra()
    {
        var complemento = Guid.Parse("cccc0000-1111-2222-3333-444455556666");

        Assert.Null(ReglasCancelacion.ErrorComplementosVigentes([]));
        Assert.Contains("CCCC0000-1111-2222-3333-444455556666", ReglasCancelacion.ErrorComplementosVigentes([complemento]));
    }
}

/// <summary>Motive 01 only through the substitution operation; the receptor's acceptance above 1,000 MXN for type I.</summary>
public sealed class ReglasCancelacionAceptacionTests
{
    [Theory]
    [InlineData("I", 1058.27, "XOJI740919U48", true)]
    [InlineData("I", 1000.00, "XOJI740919U48", false)]
    [InlineData("I", 654.82, "XOJI740919U48", false)]
    [InlineData("P", 0, "XOJI740919U48", false)]
    [InlineData("E", 5000, "XOJI740919U48", false)]
    [InlineData("I", 5000, "XAXX010101000", false)]
    public void La_aceptacion_del_receptor_se_pide_solo_fuera_de_las_excepciones(string tipo, double total, string rfc, bool requiere) =>
        Assert.Equal(requiere, ReglasCancelacion.RequiereAceptacion(tipo, (decimal)total, rfc));

    [Fact]
    public void El_motivo_01_no_es_una_cancelacion_directa()
    {
        Assert.Contains("sustitucion", ReglasCancelacion.ErrorMotivoDirecto("01"));
        Assert.Null(ReglasCancelacion.ErrorMotivoDirecto("02"));
        Assert.Null(ReglasCancelacion.ErrorMotivoDirecto("03"));
    }
}
