namespace Telecable.Domain.Comun;

/// <summary>
/// What a PostgreSQL text column can hold: no NUL (the server refuses it, 22021) and no unpaired UTF-16
/// surrogate (it has no UTF-8 encoding). Checked wherever outside text enters, so it is bad input, not a fault.
/// </summary>
public static class TextoAlmacenable
{
    /// <summary>Why <paramref name="s"/> cannot be stored as text, or null when it can.</summary>
    public static string? Motivo(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\0') return "El texto no puede contener el carácter nulo (\\u0000).";
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return "El texto contiene un sustituto Unicode sin pareja.";
        }
        return null;
    }
}
