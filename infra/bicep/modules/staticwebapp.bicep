// Static Web App (Standard) serving the four portals from static-web/ (portal-cliente,
// portal-tecnico, backoffice, portal-facturacion as sub-paths of one site). The function app is
// linked as its backend by swa-backend.bicep (a separate module so that the function app's CORS
// can name this site's hostname without a dependency cycle).

@description('Region for the static web app (SWA is only offered in a few regions: westus2, centralus, eastus2, westeurope, eastasia).')
param location string

@description('Static web app name.')
param name string

@description('Tags applied to every resource.')
param tags object

resource swa 'Microsoft.Web/staticSites@2025-03-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // Content is deployed with the SWA CLI / deployment token (README), not from a linked repo.
    provider: 'None'
    stagingEnvironmentPolicy: 'Enabled'
    allowConfigFileUpdates: true
    enterpriseGradeCdnStatus: 'Disabled'
  }
}

output name string = swa.name
output defaultHostName string = swa.properties.defaultHostname
