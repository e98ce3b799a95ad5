// One private endpoint for one private-link group of a resource (a storage account's blob, queue or
// table service, or a key vault), registered in the matching privatelink DNS zone, so the function app
// reaches the resource through its VNet integration while the resource denies public traffic.

@description('Azure region.')
param location string

@description('Endpoint name.')
param name string

@description('Tags applied to every resource.')
param tags object

@description('Subnet of the private endpoints.')
param subnetId string

@description('Resource id of the target (storage account or key vault).')
param targetId string

@description('Private-link group: blob, queue, table or vault.')
@allowed([
  'blob'
  'queue'
  'table'
  'vault'
])
param groupId string

@description('Private DNS zone of that group.')
param privateDnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: targetId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }
}

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2025-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: groupId
        properties: {
          privateDnsZoneId: privateDnsZoneId
        }
      }
    ]
  }
}
