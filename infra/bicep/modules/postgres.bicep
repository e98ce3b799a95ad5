// Azure Database for PostgreSQL flexible server 15 with Microsoft Entra ID authentication and the
// application database "telecable".
//
// Authentication: Entra ID is always enabled; password auth is optional (param). The app connects
// as its user-assigned managed identity with a short-lived Entra access token as the password
// (scope https://ossrdbms-aad.database.windows.net/.default, refreshed by Npgsql's
// UsePeriodicPasswordProvider); the connection string therefore carries no password. The database
// role for the identity is created once by an Entra admin (README, "PostgreSQL role for the app").
//
// Network (param networkMode):
//   'public' : public endpoint + firewall. Flex Consumption has no fixed outbound IPs, so the rule
//              "AllowAllAzureServicesAndResourcesWithinAzureIps" (0.0.0.0) is needed; it admits any
//              Azure-hosted client to the TLS handshake, still gated by Entra/password auth. Dev only.
//   'private': VNet injection into a delegated subnet with a private DNS zone; no public endpoint.
//              Recommended for prod (the function app reaches it through VNet integration).

@description('Azure region.')
param location string

@description('Server name (globally unique DNS label).')
param name string

@description('Tags applied to every resource.')
param tags object

@description('Compute tier.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param skuTier string

@description('Compute SKU, e.g. Standard_B2s (dev) or Standard_D2ds_v5 (prod).')
param skuName string

@description('Storage size in GB.')
param storageSizeGB int

@description('High availability: ZoneRedundant (prod, needs GeneralPurpose/MemoryOptimized) or Disabled.')
@allowed([
  'Disabled'
  'ZoneRedundant'
  'SameZone'
])
param haMode string

@description('Backup retention in days (7-35).')
@minValue(7)
@maxValue(35)
param backupRetentionDays int

@description('Geo-redundant backups (cannot be changed after creation).')
param geoRedundantBackup bool

@description('public (firewall) or private (VNet-injected).')
@allowed([
  'public'
  'private'
])
param networkMode string

@description('Delegated subnet id (networkMode = private).')
param delegatedSubnetId string

@description('Private DNS zone id (networkMode = private).')
param privateDnsZoneId string

@description('Extra firewall rules for administrators (networkMode = public): [{ name, startIpAddress, endIpAddress }].')
param adminFirewallRules array

@description('Enable password authentication in addition to Entra ID.')
param passwordAuthEnabled bool

@description('Administrator login (only used when passwordAuthEnabled).')
param administratorLogin string

@description('Administrator password (only used when passwordAuthEnabled). Pass it at deployment time, never in a parameter file.')
@secure()
param administratorPassword string

@description('Entra ID tenant id.')
param tenantId string

@description('Object id of the Entra ID principal (preferably a group of DBAs) made server administrator.')
param entraAdminObjectId string

@description('Display name of that principal (the PostgreSQL role name it logs in as).')
param entraAdminName string

@description('Type of that principal.')
@allowed([
  'Group'
  'User'
  'ServicePrincipal'
])
param entraAdminType string

@description('Application database name.')
param databaseName string

var isPrivate = networkMode == 'private'

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2025-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: '15'
    administratorLogin: passwordAuthEnabled ? administratorLogin : null
    administratorLoginPassword: passwordAuthEnabled ? administratorPassword : null
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: passwordAuthEnabled ? 'Enabled' : 'Disabled'
      tenantId: tenantId
    }
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: backupRetentionDays
      geoRedundantBackup: geoRedundantBackup ? 'Enabled' : 'Disabled'
    }
    highAvailability: {
      mode: haMode
    }
    network: isPrivate
      ? {
          delegatedSubnetResourceId: delegatedSubnetId
          privateDnsZoneArmResourceId: privateDnsZoneId
          publicNetworkAccess: 'Disabled'
        }
      : {
          publicNetworkAccess: 'Enabled'
        }
  }
}

// The Entra admin must be set after the server exists; it can then create roles for managed
// identities with pgaadauth_create_principal.
resource entraAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2025-08-01' = {
  parent: server
  name: entraAdminObjectId
  properties: {
    principalName: entraAdminName
    principalType: entraAdminType
    tenantId: tenantId
  }
}

// Server child operations are serialized (the server rejects concurrent updates).
resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2025-08-01' = {
  parent: server
  name: databaseName
  dependsOn: [
    entraAdmin
  ]
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2025-08-01' = if (!isPrivate) {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  dependsOn: [
    database
  ]
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

@batchSize(1)
resource adminRules 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2025-08-01' = [
  for rule in adminFirewallRules: if (!isPrivate) {
    parent: server
    name: rule.name
    dependsOn: [
      allowAzure
    ]
    properties: {
      startIpAddress: rule.startIpAddress
      endIpAddress: rule.endIpAddress
    }
  }
]

output name string = server.name
output fqdn string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
output entraAdminName string = entraAdmin.properties.principalName
