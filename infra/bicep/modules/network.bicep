// Virtual network for the "private" network mode (recommended for prod):
// - snet-func: Flex Consumption VNet integration (outbound), delegated to Microsoft.App/environments;
// - snet-pg:   PostgreSQL flexible server with private access (VNet injection), delegated to
//              Microsoft.DBforPostgreSQL/flexibleServers;
// - a private DNS zone "<server>.private.postgres.database.azure.com" linked to the VNet, so the
//   function app resolves the server's FQDN to its private IP.
// Storage, Key Vault and Service Bus keep public endpoints guarded by Entra ID RBAC (shared keys and
// SAS disabled). Service Bus Standard has no private endpoints (Premium only); private endpoints for
// storage and Key Vault are a documented follow-up (README).

@description('Azure region.')
param location string

@description('Resource name prefix, e.g. telecable-prod.')
param namePrefix string

@description('Tags applied to every resource.')
param tags object

@description('VNet address space.')
param addressPrefix string

@description('Subnet for the function app VNet integration (/27 or larger; Flex Consumption).')
param functionSubnetPrefix string

@description('Subnet delegated to the PostgreSQL flexible server (/28 or larger).')
param postgresSubnetPrefix string

@description('PostgreSQL server name (the private DNS zone is named after it).')
param postgresServerName string

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: 'vnet-${namePrefix}'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'snet-func'
        properties: {
          addressPrefix: functionSubnetPrefix
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'snet-pg'
        properties: {
          addressPrefix: postgresSubnetPrefix
          delegations: [
            {
              name: 'postgres-flexible'
              properties: {
                serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers'
              }
            }
          ]
        }
      }
    ]
  }
}

resource postgresDnsZone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: '${postgresServerName}.private.postgres.database.azure.com'
  location: 'global'
  tags: tags
}

resource postgresDnsLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: postgresDnsZone
  name: 'link-${vnet.name}'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}

output functionSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'snet-func')
output postgresSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'snet-pg')
output postgresDnsZoneId string = postgresDnsZone.id
// The zone link must exist before the server is created; main.bicep depends on this output.
output postgresDnsLinkId string = postgresDnsLink.id
