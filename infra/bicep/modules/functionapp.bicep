// Function App on the Flex Consumption plan (FC1), .NET 10 isolated worker, running as the
// user-assigned managed identity for everything: host storage (identity-based AzureWebJobsStorage),
// the deployment package container, Key Vault references, PostgreSQL (Entra token), Blob, Service
// Bus and Application Insights (Entra-authenticated ingestion).
//
// Flex Consumption sets the runtime through functionAppConfig; FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE and WEBSITE_CONTENT* are not allowed as app
// settings there and are deliberately absent.

@description('Azure region.')
param location string

@description('Resource name prefix, e.g. telecable-prod.')
param namePrefix string

@description('Function app name (globally unique DNS label).')
param name string

@description('Tags applied to every resource.')
param tags object

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

@description('URL of the blob container holding the deployment package.')
param deploymentContainerUrl string

@description('Maximum scale-out instances (Flex Consumption: 40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Instance memory in MB (Flex Consumption: 512, 2048 or 4096).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Always-ready instances for the HTTP trigger group (0 = pure on-demand; each one is billed 24x7 at the baseline rate).')
@minValue(0)
param alwaysReadyHttpInstances int

@description('Always-ready instances for the durable trigger group (Flex guidance for Durable Functions: 1).')
@minValue(0)
param alwaysReadyDurableInstances int

@description('Subnet id for VNet integration (empty = none).')
param vnetSubnetId string

@description('Origins allowed by CORS (the static web app hostname).')
param corsAllowedOrigins array

@description('App settings (name/value pairs) assembled by main.bicep.')
param appSettings object

@description('Log Analytics workspace for the platform\'s function execution logs (FunctionAppLogs).')
param workspaceId string

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'asp-${namePrefix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    // Key Vault references resolve with the user-assigned identity (the default would be a
    // system-assigned identity, which this app does not have).
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: empty(vnetSubnetId) ? null : vnetSubnetId
    functionAppConfig: {
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: filter(
          [
            {
              name: 'http'
              instanceCount: alwaysReadyHttpInstances
            }
            {
              name: 'durable'
              instanceCount: alwaysReadyDurableInstances
            }
          ],
          g => g.instanceCount > 0
        )
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
    }
  }
}

// App settings as a child resource: replaces the whole set on each deployment (what you see in the
// template is what runs), and lets the role assignments made elsewhere land first.
resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, {
    // DefaultAzureCredential / ManagedIdentityCredential pick the user-assigned identity.
    AZURE_CLIENT_ID: identityClientId
  })
}

// No FTP / SCM basic-auth publishing: deployments use Entra ID (az / func CLI) only.
resource ftpPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// 2021-05-01-preview is the newest diagnosticSettings version (see keyvault.bicep).
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'registros-funciones'
  scope: site
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
