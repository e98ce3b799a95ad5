// Key Vault (RBAC authorization, soft delete 90 days, purge protection) for the CSD certificate, key
// and password, the payment webhook signing secrets (current + previous, for rotation) and the JWT
// signing key.
//
// Secrets are NOT created here. A Bicep secret resource needs a value; deploying one with an empty
// or placeholder value would, on every redeploy, add a new "current" version that the app's Key
// Vault references then resolve to, overwriting the real value set out of band. Instead the secret
// NAMES are fixed here (the contract), the app settings reference their versionless URIs, and the
// values are set with `az keyvault secret set` (README). Until a secret is set, its reference shows
// as unresolved in the portal and the setting holds the literal reference string.
//
// Role granted to the app managed identity on the vault:
//   Key Vault Secrets User  4633458b-17de-408a-b874-0445c86b69e6  (read secret values)
// Operators who set secrets need "Key Vault Secrets Officer" (b86a8fe4-44ce-4948-aee5-eccb2c155cd7),
// granted outside this template (optional param below for a deployer/ops group).

@description('Azure region.')
param location string

@description('Vault name (3-24 chars, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Tags applied to every resource.')
param tags object

@description('Entra ID tenant id.')
param tenantId string

@description('Resource id of the app managed identity (deterministic role assignment names).')
param appIdentityId string

@description('Principal id of the app managed identity.')
param appPrincipalId string

@description('Optional object id of an operator group granted Key Vault Secrets Officer (empty = none).')
param operatorsGroupObjectId string

@description('Deny public network access (prod): reachable only through private endpoints (networkMode = private).')
param denyPublicAccess bool

@description('Public IPv4 addresses or CIDR ranges admitted while public access is denied, e.g. an operator setting secrets. Empty in prod: set secrets from inside the VNet.')
param operatorIpRules array

@description('Log Analytics workspace for the vault\'s audit log (every secret read, by whom).')
param workspaceId string

var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    // With an IP rule the vault stays reachable publicly for those addresses only; without, only privately.
    publicNetworkAccess: denyPublicAccess && empty(operatorIpRules) ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: denyPublicAccess ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
      ipRules: [for ip in operatorIpRules: { value: ip }]
    }
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentityId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
  }
}

resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorsGroupObjectId)) {
  name: guid(vault.id, operatorsGroupObjectId, keyVaultSecretsOfficerRoleId)
  scope: vault
  properties: {
    principalId: operatorsGroupObjectId
    principalType: 'Group'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficerRoleId)
  }
}

// The vault holds the CSD, which signs every invoice: keep who read which secret, and when (AZKVAuditLogs).
// 2021-05-01-preview is the newest diagnosticSettings version; the linter's only alternative, 2016-09-01, has
// neither categoryGroup nor logAnalyticsDestinationType (needed for AZKVAuditLogs).
#disable-next-line use-recent-api-versions
resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'auditoria-kv'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output name string = vault.name
output id string = vault.id
// Ends with '/', e.g. https://kv-x.vault.azure.net/
output uri string = vault.properties.vaultUri
