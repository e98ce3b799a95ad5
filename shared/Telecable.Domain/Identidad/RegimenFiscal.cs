namespace Telecable.Domain.Identidad;

/// <summary>
/// SAT catalog c_RegimenFiscal (CFDI 4.0), with whether each regime applies to personas físicas
/// and/or morales.
/// </summary>
public sealed record RegimenFiscal(string Clave, string Descripcion, bool AplicaFisica, bool AplicaMoral)
{
    public const string CampoPredeterminado = "regimenFiscal";

    public static readonly RegimenFiscal GeneralPersonasMorales = new("601", "General de Ley Personas Morales", false, true);
    public static readonly RegimenFiscal SueldosYSalarios = new("605", "Sueldos y Salarios e Ingresos Asimilados a Salarios", true, false);
    public static readonly RegimenFiscal ActividadesEmpresarialesYProfesionales = new("612", "Personas Físicas con Actividades Empresariales y Profesionales", true, false);
    public static readonly RegimenFiscal SinObligacionesFiscales = new("616", "Sin obligaciones fiscales", true, false);
    public static readonly RegimenFiscal SimplificadoDeConfianza = new("626", "Régimen Simplificado de Confianza", true, true);

    public static IReadOnlyList<RegimenFiscal> Todos { get; } =
    [
        GeneralPersonasMorales,
        new("603", "Personas Morales con Fines no Lucrativos", false, true),
        SueldosYSalarios,
        new("606", "Arrendamiento", true, false),
        new("607", "Régimen de Enajenación o Adquisición de Bienes", true, false),
        new("608", "Demás ingresos", true, false),
        new("610", "Residentes en el Extranjero sin Establecimiento Permanente en México", true, true),
        new("611", "Ingresos por Dividendos (socios y accionistas)", true, false),
        ActividadesEmpresarialesYProfesionales,
        new("614", "Ingresos por intereses", true, false),
        new("615", "Régimen de los ingresos por obtención de premios", true, false),
        SinObligacionesFiscales,
        new("620", "Sociedades Cooperativas de Producción que optan por diferir sus ingresos", false, true),
        new("621", "Incorporación Fiscal", true, false),
        new("622", "Actividades Agrícolas, Ganaderas, Silvícolas y Pesqueras", false, true),
        new("623", "Opcional para Grupos de Sociedades", false, true),
        new("624", "Coordinados", false, true),
        new("625", "Régimen de las Actividades Empresariales con ingresos a través de Plataformas Tecnológicas", true, false),
        SimplificadoDeConfianza,
    ];

    private static readonly Dictionary<string, RegimenFiscal> PorClave = Todos.ToDictionary(r => r.Clave, StringComparer.Ordinal);

    public bool AplicaA(TipoPersona tipo) => tipo == TipoPersona.Fisica ? AplicaFisica : AplicaMoral;

    public static RegimenFiscal? Buscar(string? clave) =>
        clave is not null && PorClave.TryGetValue(clave.Trim(), out var r) ? r : null;

    /// <summary>Checks the key exists and, when <paramref name="tipo"/> is given, that it applies to it.</summary>
    public static ResultadoValidacion<RegimenFiscal> Validar(string? clave, TipoPersona? tipo = null, string campo = CampoPredeterminado)
    {
        if (string.IsNullOrWhiteSpace(clave))
        {
            return ResultadoValidacion<RegimenFiscal>.Falla(campo, CodigosValidacion.Requerido, "El régimen fiscal es obligatorio.");
        }

        var regimen = Buscar(clave);
        if (regimen is null)
        {
            return ResultadoValidacion<RegimenFiscal>.Falla(campo, CodigosValidacion.NoExisteEnCatalogo,
                $"El régimen fiscal '{clave.Trim()}' no existe en el catálogo c_RegimenFiscal del SAT.");
        }

        if (tipo is { } t && !regimen.AplicaA(t))
        {
            return ResultadoValidacion<RegimenFiscal>.Falla(campo, CodigosValidacion.NoAplicaTipoPersona,
                $"El régimen fiscal {regimen.Clave} ({regimen.Descripcion}) no aplica a personas {(t == TipoPersona.Fisica ? "físicas" : "morales")}.");
        }

        return ResultadoValidacion<RegimenFiscal>.Ok(regimen);
    }
}
