// Log Analytics workspace + workspace-based Application Insights.
// Local (instrumentation-key) auth is disabled: the app sends telemetry with Entra ID, which is why
// the managed identity gets "Monitoring Metrics Publisher" on the component and the function app
// sets APPLICATIONINSIGHTS_AUTHENTICATION_STRING (see functionapp.bicep).

@description('Azure region.')
param location string

@description('Resource name prefix, e.g. telecable-prod.')
param namePrefix string

@description('Tags applied to every resource.')
param tags object

@description('Log Analytics retention in days (31 included in the ingestion price for Analytics logs).')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Daily ingestion cap in GB (-1 = no cap). A cap protects the bill from a telemetry storm (e.g. router posts logged one by one).')
param dailyQuotaGb int

@description('Retention in days of the Key Vault audit log table (AZKVAuditLogs), longer than the telemetry\'s.')
@minValue(30)
@maxValue(730)
param auditRetentionInDays int

@description('Resource id of the app managed identity (deterministic role assignment names).')
param appIdentityId string

@description('Principal id of the app managed identity (gets Monitoring Metrics Publisher on the component).')
param appPrincipalId string

// Built-in role: Monitoring Metrics Publisher
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: 'log-${namePrefix}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

// Key Vault audit (resource-specific table): who read the CSD is kept longer than request telemetry.
resource kvAuditTable 'Microsoft.OperationalInsights/workspaces/tables@2025-02-01' = {
  parent: workspace
  name: 'AZKVAuditLogs'
  properties: {
    retentionInDays: auditRetentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${namePrefix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appIdentityId, monitoringMetricsPublisherRoleId)
  scope: appInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
  }
}

output appInsightsName string = appInsights.name
output appInsightsConnectionString string = appInsights.properties.ConnectionString
output workspaceId string = workspace.id
