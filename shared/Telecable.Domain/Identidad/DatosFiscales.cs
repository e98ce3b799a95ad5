using Telecable.Domain.Comun;

namespace Telecable.Domain.Identidad;

/// <summary>
/// The fiscal identity of a customer as CFDI 4.0's Receptor needs it: RFC, name exactly as
/// registered with SAT, fiscal regime, CFDI use and the fiscal address postal code, validated
/// together (each field on its own, then regime vs. kind of person and use vs. regime; the generic
/// RFC XAXX010101000 requires regime 616 and use S01).
/// </summary>
public sealed record DatosFiscales(Rfc Rfc, string Nombre, RegimenFiscal RegimenFiscal, UsoCfdi UsoCfdi, CodigoPostal CpFiscal)
{
    public static ResultadoValidacion<DatosFiscales> Validar(string? rfc, string? nombre, string? regimenFiscal, string? usoCfdi, string? cpFiscal)
    {
        var errores = new List<ErrorCampo>();
        var r = Rfc.Validar(rfc);
        errores.AddRange(r.Errores);

        var nombreNormalizado = nombre?.Trim() ?? string.Empty;
        if (nombreNormalizado.Length == 0)
        {
            errores.Add(new ErrorCampo("nombre", "El nombre o razón social es obligatorio, tal como aparece en la constancia de situación fiscal.", CodigosValidacion.Requerido));
        }
        else if (nombreNormalizado.Length > 254)
        {
            errores.Add(new ErrorCampo("nombre", "El nombre o razón social no puede tener más de 254 caracteres.", CodigosValidacion.Longitud));
        }

        var tipo = r.Valor?.Tipo;
        var regimen = RegimenFiscal.Validar(regimenFiscal, tipo);
        errores.AddRange(regimen.Errores);

        var uso = UsoCfdi.Validar(usoCfdi, tipo, regimen.Valor?.Clave);
        errores.AddRange(uso.Errores);

        var cp = CodigoPostal.Validar(cpFiscal, "cpFiscal");
        errores.AddRange(cp.Errores);

        if (r.Valor is { EsGenerico: true, Valor: Rfc.GenericoNacional })
        {
            if (regimen.Valor is not null && regimen.Valor.Clave != "616")
            {
                errores.Add(new ErrorCampo(RegimenFiscal.CampoPredeterminado, "Con el RFC genérico XAXX010101000 el régimen fiscal debe ser 616 (Sin obligaciones fiscales).", CodigosValidacion.NoAplicaRegimen));
            }

            if (uso.Valor is not null && uso.Valor.Clave != "S01")
            {
                errores.Add(new ErrorCampo(UsoCfdi.CampoPredeterminado, "Con el RFC genérico XAXX010101000 el uso del CFDI debe ser S01 (Sin efectos fiscales).", CodigosValidacion.NoAplicaRegimen));
            }
        }

        return errores.Count > 0
            ? ResultadoValidacion<DatosFiscales>.Falla(errores)
            : ResultadoValidacion<DatosFiscales>.Ok(new DatosFiscales(r.Valor!, nombreNormalizado, regimen.Valor!, uso.Valor!, cp.Valor!));
    }
}
