namespace Telecable.Domain.Identidad;

/// <summary>A fiscal regime with the CFDI uses it allows, for one kind of person.</summary>
public sealed record RegimenConUsos(string Clave, string Descripcion, IReadOnlyList<UsoPermitido> Usos);

public sealed record UsoPermitido(string Clave, string Descripcion);

/// <summary>
/// The regime/use pairs a sign-up form may offer, derived from the very validations <see cref="DatosFiscales"/> runs
/// (<see cref="RegimenFiscal.Validar"/> and <see cref="UsoCfdi.Validar"/>), so the form and the server never disagree.
/// </summary>
public static class ParesFiscales
{
    public static IReadOnlyList<RegimenConUsos> Para(TipoPersona tipo) =>
        RegimenFiscal.Todos
            .Where(r => RegimenFiscal.Validar(r.Clave, tipo).EsValido)
            .Select(r => new RegimenConUsos(r.Clave, r.Descripcion, UsoCfdi.Todos
                // CP01 and CN01 are for payment and payroll CFDIs, never a customer's use on an invoice.
                .Where(u => u.Clave is not ("CP01" or "CN01") && UsoCfdi.Validar(u.Clave, tipo, r.Clave).EsValido)
                .Select(u => new UsoPermitido(u.Clave, u.Descripcion)).ToList()))
            .Where(r => r.Usos.Count > 0)
            .ToList();
}
