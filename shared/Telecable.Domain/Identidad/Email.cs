namespace Telecable.Domain.Identidad;

/// <summary>
/// A pragmatic e-mail check (not the whole of RFC 5322): one '@', a local part of 1-64 visible
/// characters without spaces, a domain of dot-separated labels (letters, digits, hyphens, not at a
/// label's ends) with a top-level label of at least 2 letters, 254 characters at most. The domain
/// is lower-cased; the local part is kept as written.
/// </summary>
public sealed record Email
{
    public const string CampoPredeterminado = "email";

    private Email(string valor) => Valor = valor;

    public string Valor { get; }

    public override string ToString() => Valor;

    public static ResultadoValidacion<Email> Validar(string? texto, string campo = CampoPredeterminado)
    {
        if (string.IsNullOrWhiteSpace(texto))
        {
            return ResultadoValidacion<Email>.Falla(campo, CodigosValidacion.Requerido, "El correo electrónico es obligatorio.");
        }

        var email = texto.Trim();
        if (email.Length > 254)
        {
            return ResultadoValidacion<Email>.Falla(campo, CodigosValidacion.Longitud,
                "El correo electrónico no puede tener más de 254 caracteres.");
        }

        var arroba = email.IndexOf('@', StringComparison.Ordinal);
        if (arroba <= 0 || arroba != email.LastIndexOf('@') || arroba == email.Length - 1)
        {
            return Invalido(campo);
        }

        var local = email[..arroba];
        var dominio = email[(arroba + 1)..].ToLowerInvariant();
        if (local.Length > 64 || local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            return Invalido(campo);
        }

        foreach (var c in local)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '(' or ')' or ',' or ':' or ';' or '<' or '>' or '[' or ']' or '\\')
            {
                return Invalido(campo);
            }
        }

        var etiquetas = dominio.Split('.');
        if (etiquetas.Length < 2)
        {
            return Invalido(campo);
        }

        foreach (var etiqueta in etiquetas)
        {
            if (etiqueta.Length is 0 or > 63 || etiqueta[0] == '-' || etiqueta[^1] == '-')
            {
                return Invalido(campo);
            }

            foreach (var c in etiqueta)
            {
                if (!(char.IsLetterOrDigit(c) || c == '-'))
                {
                    return Invalido(campo);
                }
            }
        }

        var tld = etiquetas[^1];
        if (tld.Length < 2 || !tld.All(char.IsLetter))
        {
            return Invalido(campo);
        }

        return ResultadoValidacion<Email>.Ok(new Email(local + "@" + dominio));
    }

    public static bool TryParse(string? texto, out Email? email)
    {
        var r = Validar(texto);
        email = r.Valor;
        return r.EsValido;
    }

    private static ResultadoValidacion<Email> Invalido(string campo) =>
        ResultadoValidacion<Email>.Falla(campo, CodigosValidacion.Formato,
            "El correo electrónico no tiene un formato válido (ejemplo: nombre@dominio.com).");
}
