namespace Telecable.Domain.Identidad;

/// <summary>SAT's two kinds of taxpayer. In SQL: 'fisica' / 'moral'.</summary>
public enum TipoPersona
{
    Fisica,
    Moral,
}

public static class TipoPersonaExtensions
{
    /// <summary>The value stored in <c>clientes.tipo_persona</c>.</summary>
    public static string ComoTexto(this TipoPersona tipo) => tipo switch
    {
        TipoPersona.Fisica => "fisica",
        TipoPersona.Moral => "moral",
        _ => throw new ArgumentOutOfRangeException(nameof(tipo), tipo, null),
    };
}
