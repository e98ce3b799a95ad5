// Development: cheapest shapes, public PostgreSQL endpoint with firewall, emulated adapters.
// Replace the <...> GUIDs with your tenant's values before deploying (or override with -p).
using '../main.bicep'

param environmentName = 'dev'
param staticWebAppLocation = 'centralus'

param authAudience = 'api://telecable-comercial-dev'
param postgresEntraAdminObjectId = '00000000-0000-0000-0000-000000000000' // <object id of the DBA group>
param postgresEntraAdminName = 'telecable-dba-dev' // <display name of the DBA group>
param keyVaultOperatorsGroupObjectId = ''

param networkMode = 'public'
param postgresAdminFirewallRules = []

// Burstable B2s: 2 vCores (burstable), 4 GiB RAM, no HA.
param postgresSkuTier = 'Burstable'
param postgresSkuName = 'Standard_B2s'
param postgresStorageSizeGB = 32
param postgresHaMode = 'Disabled'
param postgresBackupRetentionDays = 7
param postgresGeoRedundantBackup = false
param postgresPasswordAuthEnabled = false

param hostStorageSku = 'Standard_LRS'
param cfdiStorageSku = 'Standard_LRS'
// Dev CFDIs are test stamps: recoverable (versioning + soft delete) but not WORM, so the account can be torn down.
param cfdiProtectionMode = 'versioningSoftDelete'
param cfdiSoftDeleteDays = 7
param cfdiCoolAfterDays = 90
param cfdiLockAccount = false

param functionMaximumInstanceCount = 40
param functionInstanceMemoryMB = 2048
param functionAlwaysReadyHttpInstances = 0
param functionAlwaysReadyDurableInstances = 1
param durableMaxConcurrentActivities = 4
param facturacionPartesEnVuelo = 500
param durableTaskHubName = 'TelecableDev'

param pacMode = 'emulated'
param paymentMode = 'emulated'
// Dev stamps with the emulated PAC as SAT's test issuer, whose CSD is public (shared/referencia-sat/csd).
param emisorRfc = 'EKU9003173C9'
param emisorNombre = 'ESCUELA KEMPER URGATE'
param emisorRegimenFiscal = '601'
param emisorLugarExpedicion = '64000'
param emisorSerie = 'A'
param detectarDesconexiones = true

param otelTraceSampleRatio = '1.0'
param logRetentionDays = 30
param auditRetentionDays = 90
param logDailyCapGb = 1

param linkSwaBackend = false
