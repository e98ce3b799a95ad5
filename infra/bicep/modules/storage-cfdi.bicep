// Storage account dedicated to stamped CFDI XML (container "cfdi-xml").
// Kept apart from the host/durable account so that retention, immutability, locks, replication and
// access reviews apply to fiscal documents only, and the host account can be recreated freely.
//
// SAT obligation: Codigo Fiscal de la Federacion, art. 30, requires keeping the accounting records,
// including the CFDI issued, for 5 years (counted from the filing of the corresponding annual
// return, so keep a margin: the policy below defaults to 6 years = 2192 days). Two protection modes:
//   'immutability'        : container-level time-based retention (WORM) of retentionDays, plus blob
//                           and container soft delete. Deployed UNLOCKED (it can still be shortened
//                           or removed while you validate it); lock it out of band once verified
//                           (README). A locked policy can only be extended, and the account cannot be
//                           deleted while it holds protected blobs.
//   'versioningSoftDelete': blob versioning + blob/container soft delete + change feed (recoverable,
//                           but not WORM: an Owner can still purge). Cheaper to experiment with (dev).
// Lifecycle: block blobs under cfdi-xml/ move to Cool 90 days after creation (tier changes are
// allowed on immutable blobs). No delete rule: deletion after the retention period is a deliberate
// manual step.
//
// Role granted to the managed identity, scoped to the CONTAINER only:
//   Storage Blob Data Contributor  ba92f5b4-2d11-453d-a403-e96b0029c9fe

@description('Azure region.')
param location string

@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Tags applied to every resource.')
param tags object

@description('Replication SKU, e.g. Standard_LRS (dev), Standard_GZRS or Standard_RAGZRS (prod).')
param skuName string

@description('Container for stamped CFDI XML.')
param containerName string

@description('Protection mode for fiscal documents (see header).')
@allowed([
  'immutability'
  'versioningSoftDelete'
])
param protectionMode string

@description('Time-based retention (days) when protectionMode = immutability. 2192 days = 6 years.')
@minValue(1)
@maxValue(146000)
param retentionDays int

@description('Soft-delete retention for blobs and containers (days).')
@minValue(1)
@maxValue(365)
param softDeleteDays int

@description('Days after creation before a CFDI blob moves to the Cool tier.')
param coolAfterDays int

@description('Add a CanNotDelete management lock on the account (prod).')
param lockAccount bool

@description('Resource id of the app managed identity (deterministic role assignment names).')
param appIdentityId string

@description('Principal id of the app managed identity.')
param appPrincipalId string

@description('Deny public network access (prod): reachable only through private endpoints (networkMode = private).')
param denyPublicAccess bool

@description('Log Analytics workspace for the CFDI container\'s write and delete audit (StorageWrite, StorageDelete).')
param workspaceId string

var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var useImmutability = protectionMode == 'immutability'

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
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: !useImmutability
    changeFeed: {
      enabled: !useImmutability
    }
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
  }
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

resource immutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-06-01' = if (useImmutability) {
  parent: container
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: retentionDays
    allowProtectedAppendWrites: false
  }
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'cfdi-xml-to-cool'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${containerName}/'
              ]
            }
            actions: {
              baseBlob: {
                tierToCool: {
                  daysAfterCreationGreaterThan: coolAfterDays
                }
              }
              version: {
                tierToCool: {
                  daysAfterCreationGreaterThan: coolAfterDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource accountLock 'Microsoft.Authorization/locks@2020-05-01' = if (lockAccount) {
  name: 'lock-cfdi-no-delete'
  scope: account
  properties: {
    level: 'CanNotDelete'
    notes: 'Stamped CFDI XML: SAT 5-year retention (CFF art. 30). Remove only with a documented approval.'
  }
}

resource containerContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(container.id, appIdentityId, storageBlobDataContributorRoleId)
  scope: container
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
  }
}

// Who wrote or deleted fiscal documents. Reads are left out: every invoice download would be a row.
// 2021-05-01-preview is the newest diagnosticSettings version; the linter's only alternative, 2016-09-01, has
// neither categoryGroup nor logAnalyticsDestinationType.
#disable-next-line use-recent-api-versions
resource blobAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'auditoria-cfdi'
  scope: blobService
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output containerName string = container.name
