using Telecable.Infrastructure.Seguridad;

namespace Telecable.UnitTests;

/// <summary>The JWT signing key rotates without downtime: add the new key first, retire the old one later.</summary>
public sealed class RotacionClavesTests
{
    private const string Vieja = "clave-vieja-de-firma-de-al-menos-32-bytes";
    private const string Nueva = "clave-nueva-de-firma-de-al-menos-32-bytes";

    private static string Token(params string[] claves) =>
        new EmisorDesarrollo(new OpcionesAuth { SigningKeys = [.. claves] }, TimeProvider.System).Emitir(UsuariosDemo.Todos[0]);

    private static async Task<bool> Valido(string token, params string[] claves) =>
        await new ValidadorTokens(new OpcionesAuth { SigningKeys = [.. claves] }).AutenticarAsync("Bearer " + token, CancellationToken.None) is Autenticacion.Valida;

    [Fact]
    public async Task Durante_la_rotacion_valen_ambas_y_al_retirar_la_vieja_sus_tokens_dejan_de_valer()
    {
        var emitidoAntes = Token(Vieja);
        var emitidoDespues = Token(Nueva, Vieja); // the first key signs
        Assert.True(await Valido(emitidoAntes, Nueva, Vieja));
        Assert.True(await Valido(emitidoDespues, Nueva, Vieja));
        Assert.True(await Valido(emitidoDespues, Nueva));
        Assert.False(await Valido(emitidoAntes, Nueva));
    }

    [Fact]
    public void Una_clave_corta_se_rechaza_al_configurar()
    {
        Assert.Throws<InvalidOperationException>(() => new ValidadorTokens(new OpcionesAuth { SigningKeys = ["corta"] }));
    }
}
