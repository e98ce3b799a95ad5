// Telecable Comercial: Azure infrastructure (resource group scope).
//
//   az deployment group create -g <rg> -f infra/bicep/main.bicep -p infra/bicep/parameters/<env>.bicepparam
//
// Resources: user-assigned managed identity; Log Analytics + Application Insights; host/durable
// storage; CFDI storage (container cfdi-xml, lifecycle to Cool, retention); PostgreSQL 15 flexible
// server (Entra auth) + database telecable; Service Bus Standard (topic eventos-dominio,
// subscriptions notificaciones and analitica); Key Vault (RBAC); Function App on Flex Consumption;
// Static Web App Standard linked to the Function App; optional VNet for private PostgreSQL.
// Every data-plane permission is an Azure RBAC role assignment for the managed identity, scoped to
// the narrowest resource that works (see each module's header for the role GUIDs).
targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------
// General
// ---------------------------------------------------------------------------------------------
@description('Environment name; part of every resource name.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Short workload name used in resource names (lowercase letters/digits).')
@minLength(3)
@maxLength(10)
param workloadName string = 'telecable'

@description('Region for everything except the Static Web App.')
param location string = resourceGroup().location

@description('Region for the Static Web App (offered only in westus2, centralus, eastus2, westeurope, eastasia).')
@allowed([
  'westus2'
  'centralus'
  'eastus2'
  'westeurope'
  'eastasia'
])
param staticWebAppLocation string

@description('Extra tags.')
param tags object = {}

// ---------------------------------------------------------------------------------------------
// Identity / authentication (Entra ID)
// ---------------------------------------------------------------------------------------------
@description('Entra ID tenant that issues tokens for the API (Auth__Authority) and hosts the admins.')
param tenantId string = subscription().tenantId

@description('Audience (App ID URI or client id) of the API app registration, e.g. api://telecable-comercial.')
param authAudience string

@description('Entra External ID (customers) tenant id; empty = customers not yet migrated to External ID (docs/cuentas.md).')
param externalIdTenantId string = ''

@description('Subdomain of the External ID tenant (<subdominio>.ciamlogin.com), e.g. telecableclientes.')
param externalIdSubdominio string = ''

@description('Object id of the Entra group made PostgreSQL administrator.')
param postgresEntraAdminObjectId string

@description('Display name of that group (it is also the PostgreSQL role name).')
param postgresEntraAdminName string

@description('Optional object id of an operator group granted Key Vault Secrets Officer (to set the secrets). Empty = none.')
param keyVaultOperatorsGroupObjectId string = ''

// ---------------------------------------------------------------------------------------------
// Network
// ---------------------------------------------------------------------------------------------
@description('public: PostgreSQL public endpoint + firewall (dev). private: VNet, PostgreSQL VNet-injected, function app VNet-integrated (prod, recommended).')
@allowed([
  'public'
  'private'
])
param networkMode string

@description('VNet address space (networkMode = private).')
param vnetAddressPrefix string = '10.40.0.0/16'

@description('Function app integration subnet (networkMode = private).')
param functionSubnetPrefix string = '10.40.1.0/24'

@description('PostgreSQL delegated subnet (networkMode = private).')
param postgresSubnetPrefix string = '10.40.2.0/28'

@description('Private endpoints subnet (networkMode = private): both storage accounts and Key Vault deny public traffic.')
param privateEndpointSubnetPrefix string = '10.40.3.0/24'

@description('Public IPs or CIDRs admitted to Key Vault while it denies public traffic (an operator setting secrets from outside the VNet). Empty = private only.')
param keyVaultOperatorIpRules array = []

// ---------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------
@description('PostgreSQL compute tier.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string

@description('PostgreSQL compute SKU, e.g. Standard_B2s or Standard_D2ds_v5.')
param postgresSkuName string

@description('PostgreSQL storage in GB.')
param postgresStorageSizeGB int = 64

@description('PostgreSQL high availability mode.')
@allowed([
  'Disabled'
  'ZoneRedundant'
  'SameZone'
])
param postgresHaMode string

@description('PostgreSQL backup retention in days.')
@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 7

@description('PostgreSQL geo-redundant backups (fixed at creation).')
param postgresGeoRedundantBackup bool = false

@description('Also allow password authentication (Entra ID is always on).')
param postgresPasswordAuthEnabled bool = false

@description('PostgreSQL password-auth administrator login (used only if password auth is enabled).')
param postgresAdminLogin string = 'telecableadmin'

@description('PostgreSQL password-auth administrator password: pass on the command line or from a pipeline secret, never in a .bicepparam file.')
@secure()
param postgresAdminPassword string = ''

@description('Administrator firewall rules (networkMode = public): [{ name, startIpAddress, endIpAddress }].')
param postgresAdminFirewallRules array = []

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------
@description('Replication of the host/durable storage account.')
param hostStorageSku string = 'Standard_LRS'

@description('Replication of the CFDI storage account.')
param cfdiStorageSku string = 'Standard_LRS'

@description('CFDI protection: immutability (time-based WORM retention) or versioningSoftDelete.')
@allowed([
  'immutability'
  'versioningSoftDelete'
])
param cfdiProtectionMode string

@description('CFDI time-based retention in days (immutability mode). SAT requires 5 years; 2192 days = 6 years of margin.')
param cfdiRetentionDays int = 2192

@description('Soft-delete retention for CFDI blobs/containers, days.')
param cfdiSoftDeleteDays int = 30

@description('Days after creation before CFDI XML moves to the Cool tier.')
param cfdiCoolAfterDays int = 90

@description('CanNotDelete lock on the CFDI storage account.')
param cfdiLockAccount bool = false

// ---------------------------------------------------------------------------------------------
// Function app
// ---------------------------------------------------------------------------------------------
@description('Flex Consumption maximum instance count.')
param functionMaximumInstanceCount int = 100

@description('Flex Consumption instance memory (MB).')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Always-ready instances for HTTP functions (0 = on-demand only).')
param functionAlwaysReadyHttpInstances int = 0

@description('Always-ready instances for the durable group (orchestrators, activities, entities). Flex guidance for Durable Functions: 1, so the task hub is always polled and a timer or webhook that starts an orchestration is picked up at once.')
@minValue(0)
param functionAlwaysReadyDurableInstances int = 1

@description('Durable activities one instance runs at once in Azure (host.json says 32 for the local host). Low, so a billing run\'s chunks queue up and Flex scales out on that backlog instead of one instance taking every chunk.')
@minValue(1)
param durableMaxConcurrentActivities int = 4

@description('Chunk activities of 50 CFDIs one billing run keeps queued at once (Facturacion__PartesEnVuelo), whatever the run size: 500 is a backlog Flex spreads over up to 125 instances of 4 activities (README).')
@minValue(1)
param facturacionPartesEnVuelo int = 500

@description('Durable Functions task hub name (host.json: %DURABLE_TASK_HUB%). Letters and digits, 3-45 chars.')
param durableTaskHubName string

@description('Durable Azure Storage provider: longest idle queue polling interval in Azure. Overrides the 1 s of host.json (tuned for Azurite), which costs one queue transaction per second per queue per running instance.')
param durableMaxQueuePollingInterval string = '00:00:10'

// Only the values the app implements (ContratoSettingsTests checks each one starts): a real PAC or gateway is a
// new IPacClient / IAdaptadorPasarela in the app first, then a new allowed value here.
@description('PAC adapter mode (PAC_MODE). The app implements only the emulated PAC.')
@allowed([
  'emulated'
])
param pacMode string

@description('Payment gateway adapter mode (PAYMENT_MODE). The app implements only the emulated gateway.')
@allowed([
  'emulated'
])
param paymentMode string

@description('SPEI collection account prefix (Spei__PrefijoClabe, 6-16 digits: bank, plaza and the digits the aggregator assigned); each customer CLABE is this prefix, a sequence and the check digit. The default is the demo STP-style prefix: set the real one in production.')
@minLength(6)
@maxLength(16)
param speiPrefijoClabe string = '6461801234'

@description('OXXO cash references (Oxxo__Prefijo): the 4-digit issuer prefix the cash aggregator assigned; each reference is this prefix, a sequence and a Luhn digit. The default is the demo prefix.')
@minLength(4)
@maxLength(4)
param oxxoPrefijo string = '9300'

@description('Issuer of every CFDI (Emisor__Rfc): the RFC of the CSD in Key Vault. Dev: SAT\'s test issuer EKU9003173C9.')
@minLength(12)
@maxLength(13)
param emisorRfc string

@description('Issuer name exactly as in the SAT tax certificate (Emisor__Nombre).')
@minLength(1)
param emisorNombre string

@description('Issuer tax regime, SAT catalog c_RegimenFiscal (Emisor__RegimenFiscal), e.g. 601.')
@minLength(3)
@maxLength(3)
param emisorRegimenFiscal string

@description('Postal code of the place of issue (Emisor__LugarExpedicion).')
@minLength(5)
@maxLength(5)
param emisorLugarExpedicion string

@description('Invoice series (Emisor__Serie).')
param emisorSerie string = 'A'

@description('Whether the outage detector opens tickets and notifications (Routers__DetectarDesconexiones).')
param detectarDesconexiones bool = true

@description('Whether closed outages earn SLA credits issued as credit notes (Facturacion__CreditosSla).')
param creditosSla bool = true

@description('OpenTelemetry trace sampling ratio (0-1] applied by the app (OTEL_TRACES_SAMPLER_ARG).')
param otelTraceSampleRatio string = '1.0'

@description('Log Analytics retention (days).')
param logRetentionDays int = 30

@description('Retention of the Key Vault audit log (AZKVAuditLogs), days.')
param auditRetentionDays int = 365

@description('Log Analytics daily ingestion cap in GB (-1 = none).')
param logDailyCapGb int = -1

@description('Link the function app as the Static Web App backend. Off: SWA documents bring-your-own-functions for Consumption, Premium and Dedicated plans, not Flex Consumption, and nothing here has shown it to work; the portals call the function app\'s hostname (CORS).')
param linkSwaBackend bool = false

@description('Resource id of an existing action group the Azure Monitor alerts notify (on-call). Empty: alerts fire without notifying anyone.')
param alertActionGroupId string = ''

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------
var isPrivate = networkMode == 'private'
var suffix = take(uniqueString(subscription().id, resourceGroup().id, workloadName, environmentName), 6)
var namePrefix = '${workloadName}-${environmentName}'
var compactPrefix = take(replace(workloadName, '-', ''), 8)
var allTags = union(tags, {
  workload: 'telecable-comercial'
  environment: environmentName
})
var names = {
  identity: 'id-${namePrefix}'
  hostStorage: 'st${compactPrefix}host${environmentName}${suffix}'
  cfdiStorage: 'st${compactPrefix}cfdi${environmentName}${suffix}'
  postgres: 'psql-${namePrefix}-${suffix}'
  serviceBus: 'sb-${namePrefix}-${suffix}'
  keyVault: 'kv-${take(compactPrefix, 6)}-${environmentName}-${suffix}'
  functionApp: 'func-${namePrefix}-${suffix}'
  staticWebApp: 'swa-${namePrefix}-${suffix}'
}

// Connection budget (README, "Connection budget"): every instance at maximum scale holds at most its two
// pools full, and together they stay under the server's max_connections. Azure sets max_connections by the
// SKU's memory and keeps 15 for itself; 20 more stay free for the release step, admins and monitoring.
var postgresMaxConnectionsPorSku = {
  Standard_B1ms: 50
  Standard_B2s: 429
  Standard_B2ms: 859
  Standard_D2ds_v5: 859
  Standard_D4ds_v5: 1718
  Standard_D8ds_v5: 3437
  Standard_E2ds_v5: 1718
  Standard_E4ds_v5: 3437
}
var postgresConexionesApp = postgresMaxConnectionsPorSku[postgresSkuName] - 15 - 20
var postgresPoolPorInstancia = postgresConexionesApp / functionMaximumInstanceCount
var postgresPoolTelemetria = 2
var postgresPoolPrincipal = postgresPoolPorInstancia - postgresPoolTelemetria

// Fixed contract between infrastructure and app.
var cfdiContainerName = 'cfdi-xml'
var deploymentContainerName = 'app-package'
var databaseName = 'telecable'
var topicName = 'eventos-dominio'
var topicSubscriptions = [
  'notificaciones'
  'analitica'
]
// Key Vault secret names (values are set out of band, see README and modules/keyvault.bicep).
var secretNames = {
  csdCertificate: 'csd-cer' // base64 of the CSD .cer (DER); the app's ProveedorCsd reads this name
  csdPrivateKey: 'csd-key' // base64 of the CSD .key (PKCS#8 DER, encrypted); the app reads this name
  csdPassword: 'csd-password' // password of the .key
  webhookSecretCurrent: 'webhook-pagos-secreto-actual' // payment gateway signing secret, current
  webhookSecretPrevious: 'webhook-pagos-secreto-anterior' // previous one, accepted during rotation
  jwtSigningKey: 'jwt-signing-key' // key for tokens the app itself issues
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.identity
  location: location
  tags: allTags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    namePrefix: namePrefix
    tags: allTags
    retentionInDays: logRetentionDays
    auditRetentionInDays: auditRetentionDays
    dailyQuotaGb: logDailyCapGb
    appIdentityId: identity.id
    appPrincipalId: identity.properties.principalId
  }
}

// Azure Monitor alerts (the rules of infra/prometheus/alertas.yml); see modules/alertas.bicep.
module alertas 'modules/alertas.bicep' = {
  name: 'alertas'
  params: {
    location: location
    namePrefix: namePrefix
    tags: allTags
    appInsightsId: resourceId('Microsoft.Insights/components', monitoring.outputs.appInsightsName)
    actionGroupId: alertActionGroupId
  }
}

module network 'modules/network.bicep' = if (isPrivate) {
  name: 'network'
  params: {
    location: location
    namePrefix: namePrefix
    tags: allTags
    addressPrefix: vnetAddressPrefix
    functionSubnetPrefix: functionSubnetPrefix
    postgresSubnetPrefix: postgresSubnetPrefix
    postgresServerName: names.postgres
    privateEndpointSubnetPrefix: privateEndpointSubnetPrefix
  }
}

module hostStorage 'modules/storage-host.bicep' = {
  name: 'storage-host'
  params: {
    location: location
    name: names.hostStorage
    tags: allTags
    skuName: hostStorageSku
    deploymentContainerName: deploymentContainerName
    appIdentityId: identity.id
    appPrincipalId: identity.properties.principalId
    denyPublicAccess: isPrivate
  }
}

module cfdiStorage 'modules/storage-cfdi.bicep' = {
  name: 'storage-cfdi'
  params: {
    location: location
    name: names.cfdiStorage
    tags: allTags
    skuName: cfdiStorageSku
    containerName: cfdiContainerName
    protectionMode: cfdiProtectionMode
    retentionDays: cfdiRetentionDays
    softDeleteDays: cfdiSoftDeleteDays
    coolAfterDays: cfdiCoolAfterDays
    lockAccount: cfdiLockAccount
    appIdentityId: identity.id
    appPrincipalId: identity.properties.principalId
    denyPublicAccess: isPrivate
    workspaceId: monitoring.outputs.workspaceId
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    location: location
    name: names.postgres
    tags: allTags
    skuTier: postgresSkuTier
    skuName: postgresSkuName
    storageSizeGB: postgresStorageSizeGB
    haMode: postgresHaMode
    backupRetentionDays: postgresBackupRetentionDays
    geoRedundantBackup: postgresGeoRedundantBackup
    networkMode: networkMode
    delegatedSubnetId: network.?outputs.postgresSubnetId ?? ''
    // Referencing the link output orders the server after the DNS zone is linked to the VNet.
    privateDnsZoneId: empty(network.?outputs.postgresDnsLinkId ?? '') ? '' : network.?outputs.postgresDnsZoneId ?? ''
    adminFirewallRules: postgresAdminFirewallRules
    passwordAuthEnabled: postgresPasswordAuthEnabled
    administratorLogin: postgresAdminLogin
    administratorPassword: postgresAdminPassword
    tenantId: tenantId
    entraAdminObjectId: postgresEntraAdminObjectId
    entraAdminName: postgresEntraAdminName
    entraAdminType: 'Group'
    databaseName: databaseName
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    location: location
    name: names.serviceBus
    tags: allTags
    topicName: topicName
    subscriptionNames: topicSubscriptions
    appIdentityId: identity.id
    appPrincipalId: identity.properties.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    name: names.keyVault
    tags: allTags
    tenantId: tenantId
    appIdentityId: identity.id
    appPrincipalId: identity.properties.principalId
    operatorsGroupObjectId: keyVaultOperatorsGroupObjectId
    denyPublicAccess: isPrivate
    operatorIpRules: keyVaultOperatorIpRules
    workspaceId: monitoring.outputs.workspaceId
  }
}

// Private endpoints (networkMode = private): what the app reaches through its VNet integration. Targets by
// resourceId, so the list is known when the deployment starts; dependsOn orders them after the resources.
var privateEndpoints = isPrivate
  ? [
      { target: resourceId('Microsoft.Storage/storageAccounts', names.hostStorage), name: names.hostStorage, group: 'blob' }
      { target: resourceId('Microsoft.Storage/storageAccounts', names.hostStorage), name: names.hostStorage, group: 'queue' }
      { target: resourceId('Microsoft.Storage/storageAccounts', names.hostStorage), name: names.hostStorage, group: 'table' }
      { target: resourceId('Microsoft.Storage/storageAccounts', names.cfdiStorage), name: names.cfdiStorage, group: 'blob' }
      { target: resourceId('Microsoft.KeyVault/vaults', names.keyVault), name: names.keyVault, group: 'vault' }
    ]
  : []

module endpoints 'modules/private-endpoint.bicep' = [
  for pe in privateEndpoints: {
    name: 'pe-${pe.name}-${pe.group}'
    dependsOn: [
      hostStorage
      cfdiStorage
      keyVault
    ]
    params: {
      location: location
      name: 'pe-${pe.name}-${pe.group}'
      tags: allTags
      subnetId: network.?outputs.privateEndpointSubnetId ?? ''
      targetId: pe.target
      groupId: pe.group
      privateDnsZoneId: network.?outputs.privateDnsZoneIds[pe.group] ?? ''
    }
  }
]

module staticWebApp 'modules/staticwebapp.bicep' = {
  name: 'staticwebapp'
  params: {
    location: staticWebAppLocation
    name: names.staticWebApp
    tags: allTags
  }
}

var kvUri = keyVault.outputs.uri

// Everything the app reads. Names are the app's configuration keys ("__" = ":" in .NET config).
var appSettings = {
  // Host storage + Durable task hub (Azure Storage provider), identity-based.
  AzureWebJobsStorage__accountName: hostStorage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  DURABLE_TASK_HUB: durableTaskHubName
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval: durableMaxQueuePollingInterval
  // Flex scale-out for billing runs: few activities per instance, chunks of about 100 CFDIs, and a timeout
  // (and work-item visibility, so a chunk still running is never delivered twice) above the worst chunk:
  // ceil(100 / 12 in parallel) = 9 waves x (6 PAC attempts x 10 s + 0.6 s backoff) = 546 s < 15 min.
  AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions: string(durableMaxConcurrentActivities)
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__workItemQueueVisibilityTimeout: '00:15:00'
  AzureFunctionsJobHost__functionTimeout: '00:15:00'
  Facturacion__PartesEnVuelo: string(facturacionPartesEnVuelo)

  // Observability. Ingestion is Entra-authenticated (App Insights local auth is disabled).
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  OTEL_SERVICE_NAME: 'telecable-comercial'
  OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=telecable,deployment.environment=${environmentName}'
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio'
  OTEL_TRACES_SAMPLER_ARG: otelTraceSampleRatio

  // PostgreSQL: no password; the app obtains an Entra token for the managed identity
  // (scope https://ossrdbms-aad.database.windows.net/.default) and passes it as the password
  // (Npgsql UsePeriodicPasswordProvider, FuentesPostgres). Username = the identity's PostgreSQL role = its name.
  Postgres__ConnectionString: 'Host=${postgres.outputs.fqdn};Port=5432;Database=${databaseName};Username=${identity.name};Ssl Mode=VerifyFull;Maximum Pool Size=${postgresPoolPrincipal};Timeout=15'
  Postgres__PoolTelemetria: string(postgresPoolTelemetria)
  Postgres__Autenticacion: 'EntraId'
  // Migrations are a release step (Telecable.Functions --migrar, README): Flex stops an app that takes over
  // 30 s to start, and the app's identity gets no DDL rights.
  Postgres__MigrarAlIniciar: 'false'

  // Blob storage for stamped CFDI XML.
  Blob__ServiceUri: cfdiStorage.outputs.blobEndpoint
  Blob__ContenedorCfdi: cfdiStorage.outputs.containerName

  // Domain events (outbox relay -> topic).
  ServiceBus__FullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
  ServiceBus__Topic: serviceBus.outputs.topicName

  // Timers (6-field CRON): outbox relay, and the start of ProcesarPago for webhook payments.
  OutboxRelayCron: '*/5 * * * * *'
  PagosInicioCron: '*/5 * * * * *'

  // Limits and the client address (issue 22). The platform's front end appends the caller's address to
  // X-Forwarded-For and the Functions host hands each request to the worker over loopback, so loopback is
  // the one known proxy and one hop from the right is the caller (verify on a first deployment; add the
  // Front Door or API Management ranges here when one is put in front). Rejected webhook deliveries are
  // purged after 30 days.
  Limites__AnonimoPorMinuto: '300'
  Limites__FallosFirmadosPorMinuto: '60'
  // Sign-in and code endpoints of the development issuer answer 404 in Azure, but the budget is set the same.
  Limites__CuentasPorMinuto: '10'
  Proxies__Conocidos__0: '127.0.0.1'
  Proxies__Saltos: '1'
  Webhooks__Pagos__RetencionDias: '30'

  // Adapters (only values the app implements, see the parameters).
  PAC_MODE: pacMode
  PAYMENT_MODE: paymentMode
  // Each customer's CLABE is issued under this prefix (docs/pagos.md).
  Spei__PrefijoClabe: speiPrefijoClabe
  // OXXO cash references: issuer prefix and days a reference stays payable (docs/pagos.md).
  Oxxo__Prefijo: oxxoPrefijo
  Oxxo__DiasVigencia: '3'
  // Providers leave their daily settlement CSVs here (<provider>/<yyyy-MM-dd>.csv); the reconciliation timer reads them.
  Pagos__ContenedorLiquidaciones: 'liquidaciones'
  // From 50 waiting payments the timer starts ProcesarPagosLote batches of 100 (docs/escala.md). 2 payments at once per
  // batch: 4 activities x 2 = 8 flows share the instance's main pool of 6-14 connections (infra/bicep/README.md).
  Pagos__LoteMinimo: '50'
  Pagos__TamanoLote: '100'
  Pagos__ParalelismoLote: '2'
  // The emulated PAC keeps its SAT test certificate in a writable folder; Flex's app folder is read-only.
  Pac__Carpeta: '/tmp/pac-emulado'

  // Issuer of every CFDI. Without these the app would issue as SAT's test issuer EKU9003173C9.
  Emisor__Rfc: emisorRfc
  Emisor__Nombre: emisorNombre
  Emisor__RegimenFiscal: emisorRegimenFiscal
  Emisor__LugarExpedicion: emisorLugarExpedicion
  Emisor__Serie: emisorSerie

  // Outage detection: off by default in the code, so it must be said here.
  Routers__DetectarDesconexiones: string(detectarDesconexiones)
  // SLA credits (credit notes for long outages): off by default in the code, so it must be said here.
  Facturacion__CreditosSla: string(creditosSla)

  // API authentication (Entra ID bearer tokens).
  Auth__Authority: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
  Auth__Audience: authAudience
  // Customers' accounts (sign-up with e-mail code, sign-in, reset, lockout, sessions) live in Entra External ID
  // (docs/cuentas.md): its tenant's authority is accepted beside the workforce tenant's. Empty = none yet.
  Auth__AuthorityClientes: empty(externalIdTenantId) ? '' : 'https://${externalIdSubdominio}.ciamlogin.com/${externalIdTenantId}/v2.0'

  // Secrets are read by the app through the SDK with its identity, not as Key Vault references: the
  // platform resolves references from outside the VNet, so they fail once the vault denies public
  // traffic. The CSD (csd-cer, csd-key, csd-password) by ProveedorCsd from Csd__KeyVaultUri; the
  // webhook secrets (webhook-pagos-secreto-actual/-anterior) by SecretosKeyVault from KeyVault__Uri.
  Csd__KeyVaultUri: kvUri
  KeyVault__Uri: kvUri
  // No JWT signing key: in Azure, Entra ID issues the tokens (Auth__Authority) and the development
  // issuer stays off. jwt-signing-key remains in Key Vault only for a future self-issued token.
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    namePrefix: namePrefix
    name: names.functionApp
    tags: allTags
    identityId: identity.id
    identityClientId: identity.properties.clientId
    deploymentContainerUrl: hostStorage.outputs.deploymentContainerUrl
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    alwaysReadyHttpInstances: functionAlwaysReadyHttpInstances
    alwaysReadyDurableInstances: functionAlwaysReadyDurableInstances
    vnetSubnetId: network.?outputs.functionSubnetId ?? ''
    corsAllowedOrigins: [
      'https://${staticWebApp.outputs.defaultHostName}'
    ]
    appSettings: appSettings
    workspaceId: monitoring.outputs.workspaceId
  }
  // The app reaches storage and Key Vault only through these once they deny public traffic.
  dependsOn: [
    endpoints
  ]
}

module swaBackend 'modules/swa-backend.bicep' = if (linkSwaBackend) {
  // Ordered after the static web app through functionApp (its CORS uses the SWA hostname).
  name: 'swa-backend'
  params: {
    staticWebAppName: names.staticWebApp
    functionAppId: functionApp.outputs.id
    functionAppLocation: location
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs (no secrets)
// ---------------------------------------------------------------------------------------------
output functionAppName string = functionApp.outputs.name
output functionAppHostname string = functionApp.outputs.defaultHostName
output staticWebAppName string = staticWebApp.outputs.name
output staticWebAppHostname string = staticWebApp.outputs.defaultHostName
output hostStorageAccountName string = hostStorage.outputs.name
output cfdiStorageAccountName string = cfdiStorage.outputs.name
output cfdiBlobServiceUri string = cfdiStorage.outputs.blobEndpoint
output postgresServerName string = postgres.outputs.name
output postgresFqdn string = postgres.outputs.fqdn
output postgresDatabase string = postgres.outputs.databaseName
output serviceBusFullyQualifiedNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output keyVaultName string = keyVault.outputs.name
output keyVaultUri string = kvUri
output keyVaultSecretNames object = secretNames
output managedIdentityName string = identity.name
output managedIdentityClientId string = identity.properties.clientId
output appInsightsName string = monitoring.outputs.appInsightsName
