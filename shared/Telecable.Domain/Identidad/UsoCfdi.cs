namespace Telecable.Domain.Identidad;

/// <summary>
/// SAT catalog c_UsoCFDI (CFDI 4.0): whether each use applies to físicas and/or morales, and the
/// receptor's fiscal regimes that allow it (the catalog's "Régimen Fiscal Receptor" column).
/// </summary>
public sealed record UsoCfdi(string Clave, string Descripcion, bool AplicaFisica, bool AplicaMoral, IReadOnlySet<string> RegimenesPermitidos)
{
    public const string CampoPredeterminado = "usoCfdi";

    private static readonly string[] RegimenesGastos = ["601", "603", "606", "612", "620", "621", "622", "623", "624", "625", "626"];
    private static readonly string[] RegimenesDeducciones = ["605", "606", "607", "608", "611", "612", "614", "615", "625"];
    private static readonly string[] RegimenesSinEfectos = ["601", "603", "605", "606", "607", "608", "610", "611", "612", "614", "615", "616", "620", "621", "622", "623", "624", "625", "626"];

    public static readonly UsoCfdi GastosEnGeneral = new("G03", "Gastos en general", true, true, Set(RegimenesGastos));
    public static readonly UsoCfdi SinEfectosFiscales = new("S01", "Sin efectos fiscales", true, true, Set(RegimenesSinEfectos));
    public static readonly UsoCfdi Pagos = new("CP01", "Pagos", true, true, Set(RegimenesSinEfectos));

    public static IReadOnlyList<UsoCfdi> Todos { get; } =
    [
        new("G01", "Adquisición de mercancías", true, true, Set(RegimenesGastos)),
        new("G02", "Devoluciones, descuentos o bonificaciones", true, true, Set(RegimenesGastos)),
        GastosEnGeneral,
        new("I01", "Construcciones", true, true, Set(RegimenesGastos)),
        new("I02", "Mobiliario y equipo de oficina por inversiones", true, true, Set(RegimenesGastos)),
        new("I03", "Equipo de transporte", true, true, Set(RegimenesGastos)),
        new("I04", "Equipo de computo y accesorios", true, true, Set(RegimenesGastos)),
        new("I05", "Dados, troqueles, moldes, matrices y herramental", true, true, Set(RegimenesGastos)),
        new("I06", "Comunicaciones telefónicas", true, true, Set(RegimenesGastos)),
        new("I07", "Comunicaciones satelitales", true, true, Set(RegimenesGastos)),
        new("I08", "Otra maquinaria y equipo", true, true, Set(RegimenesGastos)),
        new("D01", "Honorarios médicos, dentales y gastos hospitalarios", true, false, Set(RegimenesDeducciones)),
        new("D02", "Gastos médicos por incapacidad o discapacidad", true, false, Set(RegimenesDeducciones)),
        new("D03", "Gastos funerales", true, false, Set(RegimenesDeducciones)),
        new("D04", "Donativos", true, false, Set(RegimenesDeducciones)),
        new("D05", "Intereses reales efectivamente pagados por créditos hipotecarios (casa habitación)", true, false, Set(RegimenesDeducciones)),
        new("D06", "Aportaciones voluntarias al SAR", true, false, Set(RegimenesDeducciones)),
        new("D07", "Primas por seguros de gastos médicos", true, false, Set(RegimenesDeducciones)),
        new("D08", "Gastos de transportación escolar obligatoria", true, false, Set(RegimenesDeducciones)),
        new("D09", "Depósitos en cuentas para el ahorro, primas que tengan como base planes de pensiones", true, false, Set(RegimenesDeducciones)),
        new("D10", "Pagos por servicios educativos (colegiaturas)", true, false, Set(RegimenesDeducciones)),
        SinEfectosFiscales,
        Pagos,
        new("CN01", "Nómina", true, false, Set(["605"])),
    ];

    private static readonly Dictionary<string, UsoCfdi> PorClave = Todos.ToDictionary(u => u.Clave, StringComparer.Ordinal);

    public bool AplicaA(TipoPersona tipo) => tipo == TipoPersona.Fisica ? AplicaFisica : AplicaMoral;

    public bool PermiteRegimen(string claveRegimen) => RegimenesPermitidos.Contains(claveRegimen);

    public static UsoCfdi? Buscar(string? clave) =>
        clave is not null && PorClave.TryGetValue(clave.Trim().ToUpperInvariant(), out var u) ? u : null;

    /// <summary>
    /// Checks the key exists and, when given, that it applies to the kind of person and is allowed
    /// for the receptor's fiscal regime (CFDI 4.0 rule CFDI40158/CFDI40161).
    /// </summary>
    public static ResultadoValidacion<UsoCfdi> Validar(string? clave, TipoPersona? tipo = null, string? claveRegimen = null, string campo = CampoPredeterminado)
    {
        if (string.IsNullOrWhiteSpace(clave))
        {
            return ResultadoValidacion<UsoCfdi>.Falla(campo, CodigosValidacion.Requerido, "El uso del CFDI es obligatorio.");
        }

        var uso = Buscar(clave);
        if (uso is null)
        {
            return ResultadoValidacion<UsoCfdi>.Falla(campo, CodigosValidacion.NoExisteEnCatalogo,
                $"El uso de CFDI '{clave.Trim()}' no existe en el catálogo c_UsoCFDI del SAT.");
        }

        if (tipo is { } t && !uso.AplicaA(t))
        {
            return ResultadoValidacion<UsoCfdi>.Falla(campo, CodigosValidacion.NoAplicaTipoPersona,
                $"El uso de CFDI {uso.Clave} ({uso.Descripcion}) no aplica a personas {(t == TipoPersona.Fisica ? "físicas" : "morales")}.");
        }

        if (claveRegimen is not null && !uso.PermiteRegimen(claveRegimen.Trim()))
        {
            return ResultadoValidacion<UsoCfdi>.Falla(campo, CodigosValidacion.NoAplicaRegimen,
                $"El uso de CFDI {uso.Clave} ({uso.Descripcion}) no está permitido para el régimen fiscal {claveRegimen.Trim()}.");
        }

        return ResultadoValidacion<UsoCfdi>.Ok(uso);
    }

    private static HashSet<string> Set(string[] claves) => new(claves, StringComparer.Ordinal);
}
