// Links the Function App as the Static Web App backend ("bring your own functions"): /api/* on the
// SWA hostname is proxied to the function app, so the portals call same-origin /api.
//
// Caveats (README): linking makes SWA configure an identity provider (Easy Auth) on the function
// app that only admits traffic coming through the SWA; the app's own bearer-token validation
// (Auth__Authority / Auth__Audience) still runs behind it. Payment-gateway webhooks and router
// telemetry must then also come through the SWA hostname. Bring-your-own-functions is documented
// for Consumption/Premium/Dedicated plans; if linking a Flex Consumption app is refused, deploy with
// linkSwaBackend = false: the portals call the function app hostname directly (allowed by its CORS).

@description('Static web app name.')
param staticWebAppName string

@description('Resource id of the function app.')
param functionAppId string

@description('Region of the function app.')
param functionAppLocation string

resource swa 'Microsoft.Web/staticSites@2025-03-01' existing = {
  name: staticWebAppName
}

resource backend 'Microsoft.Web/staticSites/linkedBackends@2025-03-01' = {
  parent: swa
  name: 'functions'
  properties: {
    backendResourceId: functionAppId
    region: functionAppLocation
  }
}

output backendName string = backend.name
