using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Moq;
using Telecable.Functions;

namespace Telecable.UnitTests;

/// <summary>
/// In Azure the webhook secrets come from Key Vault through the SDK (KeyVault:Uri), not as Key Vault references:
/// each mapped secret lands on its configuration key, a missing optional one is skipped, a missing required one
/// stops the start naming both, and without KeyVault:Uri nothing is read. SecretClient is a Moq mock.
/// </summary>
public sealed class SecretosKeyVaultTests
{
    private static Mock<SecretClient> Cliente(params (string Nombre, string Valor)[] secretos)
    {
        var m = new Mock<SecretClient>(MockBehavior.Strict);
        m.Setup(c => c.GetSecret(It.IsAny<string>(), It.IsAny<string?>(), It.IsAny<SecretContentType?>(), It.IsAny<CancellationToken>()))
            .Returns((string n, string? _, SecretContentType? _, CancellationToken _) =>
                secretos.FirstOrDefault(s => s.Nombre == n) is { Valor: { } v }
                    ? Response.FromValue(new KeyVaultSecret(n, v), Mock.Of<Response>())
                    : throw new RequestFailedException(404, $"{n} not found"));
        return m;
    }

    private static ConfigurationManager Config(string? uri)
    {
        var c = new ConfigurationManager();
        if (uri is not null) c.AddInMemoryCollection(new Dictionary<string, string?> { [SecretosKeyVault.ClaveUri] = uri });
        return c;
    }

    [Fact]
    public void Los_secretos_de_Key_Vault_llegan_a_sus_settings_y_el_anterior_es_opcional()
    {
        var cliente = Cliente(("webhook-pagos-secreto-actual", "whsec_actual"), ("webhook-pagos-secreto-anterior", "whsec_anterior"));
        var config = Config("https://kv-prueba.vault.azure.net/").AgregarSecretosKeyVault(_ => cliente.Object);
        Assert.Equal("whsec_actual", config["Webhooks:Pagos:Secretos:0"]);
        Assert.Equal("whsec_anterior", config["Webhooks:Pagos:Secretos:1"]);

        var sinAnterior = Config("https://kv-prueba.vault.azure.net/").AgregarSecretosKeyVault(_ => Cliente(("webhook-pagos-secreto-actual", "a")).Object);
        Assert.Equal("a", sinAnterior["Webhooks:Pagos:Secretos:0"]);
        Assert.Null(sinAnterior["Webhooks:Pagos:Secretos:1"]);
    }

    [Fact]
    public void Falta_el_secreto_actual_y_el_arranque_falla_nombrandolo_sin_KeyVault_Uri_no_se_lee_nada()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Config("https://kv-prueba.vault.azure.net/").AgregarSecretosKeyVault(_ => Cliente().Object));
        Assert.Contains("webhook-pagos-secreto-actual", e.Message);
        Assert.Contains("Webhooks:Pagos:Secretos:0", e.Message);

        var nunca = new Mock<SecretClient>(MockBehavior.Strict);
        var local = Config(null).AgregarSecretosKeyVault(_ => nunca.Object);
        Assert.Null(local["Webhooks:Pagos:Secretos:0"]);
        nunca.VerifyNoOtherCalls();
    }
}
