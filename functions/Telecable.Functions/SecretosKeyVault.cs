using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;

namespace Telecable.Functions;

/// <summary>
/// Settings whose values are Key Vault secrets, read once at start-up through the SDK with the app's identity
/// when <c>KeyVault__Uri</c> is set (Azure). Key Vault references in app settings are resolved by the platform,
/// which on Flex Consumption cannot reach a vault that denies public traffic; the app itself reaches it through
/// its VNet integration and the private endpoint. A rotation takes effect on the next start (README).
/// </summary>
public static class SecretosKeyVault
{
    public const string ClaveUri = "KeyVault:Uri";

    /// <summary>Configuration key, Key Vault secret name (the contract with infra/bicep/main.bicep), required or not.</summary>
    public static readonly IReadOnlyList<(string Clave, string Secreto, bool Obligatorio)> Mapa =
    [
        ("Webhooks:Pagos:Secretos:0", "webhook-pagos-secreto-actual", true),
        // The previous secret exists only while a rotation is under way.
        ("Webhooks:Pagos:Secretos:1", "webhook-pagos-secreto-anterior", false),
        // SPEI deposit notices: optional, without it every deposit is rejected (sin_secretos_configurados).
        ("Webhooks:Spei:Secretos:0", "webhook-spei-secreto-actual", false),
        ("Webhooks:Spei:Secretos:1", "webhook-spei-secreto-anterior", false),
        // OXXO cash notices (issue 19): likewise optional.
        ("Webhooks:Oxxo:Secretos:0", "webhook-oxxo-secreto-actual", false),
        ("Webhooks:Oxxo:Secretos:1", "webhook-oxxo-secreto-anterior", false),
    ];

    public static ConfigurationManager AgregarSecretosKeyVault(this ConfigurationManager config, Func<Uri, SecretClient>? crearCliente = null)
    {
        var uri = config["KeyVault:Uri"]; // ClaveUri; a literal, so the settings contract test sees the read
        if (string.IsNullOrWhiteSpace(uri)) return config;
        var cliente = crearCliente?.Invoke(new Uri(uri)) ?? new SecretClient(new Uri(uri), new DefaultAzureCredential());
        ((IConfigurationBuilder)config).Add(new Fuente(cliente));
        return config;
    }

    private sealed class Fuente(SecretClient cliente) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Proveedor(cliente);
    }

    private sealed class Proveedor(SecretClient cliente) : ConfigurationProvider
    {
        public override void Load()
        {
            var datos = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (clave, secreto, obligatorio) in Mapa)
            {
                try
                {
                    datos[clave] = cliente.GetSecret(secreto).Value.Value;
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    if (obligatorio) throw new InvalidOperationException($"Falta el secreto {secreto} en Key Vault (setting {clave}).", e);
                }
            }
            Data = datos;
        }
    }
}
