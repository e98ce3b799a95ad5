using System.Globalization;

namespace Telecable.Domain.Pagos;

/// <summary>
/// CLABE (Clave Bancaria Estandarizada, Banxico): 18 digits = 3 bank + 3 plaza + 11 account + 1 check digit.
/// The check digit weights the first 17 digits 3, 7, 1, 3, 7, 1, ..., keeps each product mod 10, and is
/// (10 - sum mod 10) mod 10. A collection aggregator (STP and the like) issues each payer its own CLABE under
/// the company's prefix, so a deposit names its customer.
/// </summary>
public static class Clabe
{
    public const int Longitud = 18;
    /// <summary>Bank and plaza at least; an aggregator's prefix also carries the company's own digits.</summary>
    public const int PrefijoMinimo = 6, PrefijoMaximo = 16;
    private static readonly int[] Pesos = [3, 7, 1];

    /// <summary>The check digit of the first 17 digits.</summary>
    public static int DigitoVerificador(ReadOnlySpan<char> diecisiete)
    {
        if (diecisiete.Length != Longitud - 1 || !SoloDigitos(diecisiete))
            throw new ArgumentException("Se esperan 17 dígitos.", nameof(diecisiete));
        var suma = 0;
        for (var i = 0; i < diecisiete.Length; i++) suma += (diecisiete[i] - '0') * Pesos[i % 3] % 10;
        return (10 - suma % 10) % 10;
    }

    public static bool EsValida(string? clabe) =>
        clabe is { Length: Longitud } && SoloDigitos(clabe) && DigitoVerificador(clabe.AsSpan(0, Longitud - 1)) == clabe[Longitud - 1] - '0';

    public static bool EsPrefijoValido(string? prefijo) =>
        prefijo is { Length: >= PrefijoMinimo and <= PrefijoMaximo } && SoloDigitos(prefijo);

    /// <summary>The CLABE of reference number <paramref name="secuencia"/> (1, 2, ...) under the account's prefix:
    /// the prefix, the sequence left-padded with zeros to 17 digits, and the check digit.</summary>
    public static string Construir(string prefijo, long secuencia)
    {
        if (!EsPrefijoValido(prefijo)) throw new ArgumentException($"El prefijo debe tener de {PrefijoMinimo} a {PrefijoMaximo} dígitos.", nameof(prefijo));
        var espacio = Longitud - 1 - prefijo.Length;
        if (secuencia < 1 || (double)secuencia >= Math.Pow(10, espacio))
            throw new ArgumentOutOfRangeException(nameof(secuencia), secuencia, $"No cabe en los {espacio} dígitos que deja el prefijo.");
        var base17 = prefijo + secuencia.ToString("D" + espacio.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return base17 + DigitoVerificador(base17).ToString(CultureInfo.InvariantCulture);
    }

    private static bool SoloDigitos(ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (c is < '0' or > '9') return false;
        return true;
    }
}
