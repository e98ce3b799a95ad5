// Storage account for the Functions host (AzureWebJobsStorage: leases, timers, keys) and the
// Durable Functions task hub (Azure Storage provider: control/work-item queues, History and
// Instances tables, large-message blobs), plus the Flex Consumption deployment package container.
// Shared-key access is disabled: everything uses the app's user-assigned managed identity.
//
// Roles granted to the managed identity on THIS account (what the host + Durable Functions' Azure
// Storage provider need with identity-based connections):
//   Storage Blob Data Owner        b7e6dc6d-f1e8-4753-8033-0f276bb0955b  (host blob leases, task hub blobs, package)
//   Storage Queue Data Contributor 974c5e8b-45b9-4653-ba55-5f855dd0fb88  (task hub control/work-item queues)
//   Storage Table Data Contributor 0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3  (task hub History/Instances tables)

@description('Azure region.')
param location string

@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Tags applied to every resource.')
param tags object

@description('Replication SKU, e.g. Standard_LRS (dev) or Standard_ZRS (prod).')
param skuName string

@description('Name of the blob container holding the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Resource id of the app managed identity (deterministic role assignment names).')
param appIdentityId string

@description('Principal id of the app managed identity.')
param appPrincipalId string

@description('Deny public network access (prod): reachable only through private endpoints (networkMode = private).')
param denyPublicAccess bool

var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: denyPublicAccess ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: denyPublicAccess ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: false
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

var storageRoles = [
  storageBlobDataOwnerRoleId
  storageQueueDataContributorRoleId
  storageTableDataContributorRoleId
]

resource roleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: {
    name: guid(account.id, appIdentityId, roleId)
    scope: account
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainer.name}'
