namespace Telecable.Domain.Identidad;

/// <summary>A Mexican postal code (SEPOMEX): exactly 5 digits, 01000 to 99999.</summary>
public sealed record CodigoPostal
{
    public const string CampoPredeterminado = "cp";

    private CodigoPostal(string valor) => Valor = valor;

    public string Valor { get; }

    public override string ToString() => Valor;

    public static ResultadoValidacion<CodigoPostal> Validar(string? texto, string campo = CampoPredeterminado)
    {
        if (string.IsNullOrWhiteSpace(texto))
        {
            return ResultadoValidacion<CodigoPostal>.Falla(campo, CodigosValidacion.Requerido, "El código postal es obligatorio.");
        }

        var cp = texto.Trim();
        if (cp.Length != 5)
        {
            return ResultadoValidacion<CodigoPostal>.Falla(campo, CodigosValidacion.Longitud,
                $"El código postal debe tener 5 dígitos; tiene {cp.Length} caracteres.");
        }

        if (!cp.All(char.IsAsciiDigit))
        {
            return ResultadoValidacion<CodigoPostal>.Falla(campo, CodigosValidacion.Formato,
                "El código postal solo puede contener dígitos.");
        }

        if (cp.StartsWith("00", StringComparison.Ordinal))
        {
            return ResultadoValidacion<CodigoPostal>.Falla(campo, CodigosValidacion.Formato,
                "El código postal no existe: los códigos postales de México van de 01000 a 99999.");
        }

        return ResultadoValidacion<CodigoPostal>.Ok(new CodigoPostal(cp));
    }

    public static bool TryParse(string? texto, out CodigoPostal? cp)
    {
        var r = Validar(texto);
        cp = r.Valor;
        return r.EsValido;
    }
}
