// Production: private PostgreSQL (VNet) with zone-redundant HA, WORM retention for CFDI XML.
// Replace the <...> GUIDs with your tenant's values before deploying (or override with -p).
using '../main.bicep'

param environmentName = 'prod'
param staticWebAppLocation = 'centralus'

param authAudience = 'api://telecable-comercial'
param postgresEntraAdminObjectId = '00000000-0000-0000-0000-000000000000' // <object id of the DBA group>
param postgresEntraAdminName = 'telecable-dba' // <display name of the DBA group>
param keyVaultOperatorsGroupObjectId = '' // <object id of the group allowed to set secrets>

param networkMode = 'private'
param vnetAddressPrefix = '10.40.0.0/16'
param functionSubnetPrefix = '10.40.1.0/24'
param postgresSubnetPrefix = '10.40.2.0/28'
param privateEndpointSubnetPrefix = '10.40.3.0/24'
// Key Vault denies public traffic: set secrets from inside the VNet, or list an operator's IP here for the session.
param keyVaultOperatorIpRules = []

// General Purpose D2ds_v5: 2 vCores, 8 GiB RAM; zone-redundant standby in another zone.
param postgresSkuTier = 'GeneralPurpose'
param postgresSkuName = 'Standard_D2ds_v5'
param postgresStorageSizeGB = 128
param postgresHaMode = 'ZoneRedundant'
param postgresBackupRetentionDays = 35
param postgresGeoRedundantBackup = true
param postgresPasswordAuthEnabled = false

param hostStorageSku = 'Standard_ZRS'
param cfdiStorageSku = 'Standard_GZRS'
// SAT: 5 years (CFF art. 30); 6 years of WORM retention, then lock the policy (README).
param cfdiProtectionMode = 'immutability'
param cfdiRetentionDays = 2192
param cfdiSoftDeleteDays = 30
param cfdiCoolAfterDays = 90
param cfdiLockAccount = true

param functionMaximumInstanceCount = 100
param functionInstanceMemoryMB = 2048
param functionAlwaysReadyHttpInstances = 1
param functionAlwaysReadyDurableInstances = 1
param durableMaxConcurrentActivities = 4
param facturacionPartesEnVuelo = 500
param durableTaskHubName = 'TelecableProd'

// The app implements only the emulated PAC and gateway; the template refuses 'live' until real adapters exist
// (issue 25). A production that issues real CFDIs needs a real IPacClient first.
param pacMode = 'emulated'
param paymentMode = 'emulated'
// The issuer of the CSD stored in Key Vault, from the deployer's environment (README, "First deployment"), so no
// placeholder can reach production: without these variables `az deployment` stops before deploying anything.
param emisorRfc = readEnvironmentVariable('TELECABLE_EMISOR_RFC')
param emisorNombre = readEnvironmentVariable('TELECABLE_EMISOR_NOMBRE')
param emisorRegimenFiscal = readEnvironmentVariable('TELECABLE_EMISOR_REGIMEN')
param emisorLugarExpedicion = readEnvironmentVariable('TELECABLE_EMISOR_CP')
param emisorSerie = 'A'
param detectarDesconexiones = true

param otelTraceSampleRatio = '0.1'
// 90 days of telemetry to investigate incidents; a year of Key Vault audit (who read the CSD).
param logRetentionDays = 90
param auditRetentionDays = 365
param logDailyCapGb = 10

param linkSwaBackend = false
