// Virtual network for the "private" network mode (recommended for prod):
// - snet-func: Flex Consumption VNet integration (outbound), delegated to Microsoft.App/environments;
// - snet-pg:   PostgreSQL flexible server with private access (VNet injection), delegated to
//              Microsoft.DBforPostgreSQL/flexibleServers;
// - a private DNS zone "<server>.private.postgres.database.azure.com" linked to the VNet, so the
//   function app resolves the server's FQDN to its private IP.
// - snet-pe:   private endpoints of both storage accounts (blob; host also queue and table) and Key Vault,
//   with the privatelink DNS zones linked to the VNet, so those services deny public traffic (prod).
// Service Bus Standard has no private endpoints (Premium only): it keeps its public endpoint, guarded by
// Entra ID RBAC with SAS disabled.

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

@description('Subnet for private endpoints.')
param privateEndpointSubnetPrefix string

resource vnet 'Microsoft.Network/virtualNetworks@2025-05-01' = {
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
        name: 'snet-pe'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
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

// privatelink zones for the private endpoints (names from the cloud's own suffixes where it has one).
var privateLinkZones = {
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  queue: 'privatelink.queue.${environment().suffixes.storage}'
  table: 'privatelink.table.${environment().suffixes.storage}'
  vault: 'privatelink.vaultcore.azure.net'
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for z in items(privateLinkZones): {
    name: z.value
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (z, i) in items(privateLinkZones): {
    parent: zones[i]
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
]

output privateEndpointSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'snet-pe')
// Zone ids by private-link group (blob, queue, table, vault); the links are ordered before any endpoint uses them.
output privateDnsZoneIds object = {
  blob: zones[0].id
  queue: zones[1].id
  table: zones[2].id
  vault: zones[3].id
}
output privateDnsLinkIds array = [for (z, i) in items(privateLinkZones): zoneLinks[i].id]
output functionSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'snet-func')
output postgresSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'snet-pg')
output postgresDnsZoneId string = postgresDnsZone.id
// The zone link must exist before the server is created; main.bicep depends on this output.
output postgresDnsLinkId string = postgresDnsLink.id
