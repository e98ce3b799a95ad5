// Service Bus namespace (Standard) for domain events. The transactional outbox relay publishes to
// topic "eventos-dominio"; consumers read their own subscriptions. Local (SAS) auth is disabled.
// Duplicate detection on the topic absorbs re-sends of the outbox relay after a crash between
// "sent" and "marked as sent" (the relay must set MessageId = outbox event id).
//
// Role granted to the app managed identity, scoped to the TOPIC only:
//   Azure Service Bus Data Sender  69a216fc-b8fb-44d8-bc22-1f3c2cd27a39
// Consumers of the subscriptions get "Azure Service Bus Data Receiver"
// (4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0) on their subscription, outside this template.

@description('Azure region.')
param location string

@description('Namespace name (globally unique).')
param name string

@description('Tags applied to every resource.')
param tags object

@description('Topic for domain events.')
param topicName string

@description('Subscriptions on the topic.')
param subscriptionNames array

@description('Resource id of the app managed identity (deterministic role assignment names).')
param appIdentityId string

@description('Principal id of the app managed identity.')
param appPrincipalId string

var serviceBusDataSenderRoleId = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    defaultMessageTimeToLive: 'P14D'
    maxSizeInMegabytes: 1024
    supportOrdering: false
    enableBatchedOperations: true
  }
}

resource subscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = [
  for sub in subscriptionNames: {
    parent: topic
    name: sub
    properties: {
      maxDeliveryCount: 10
      lockDuration: 'PT1M'
      deadLetteringOnMessageExpiration: true
      deadLetteringOnFilterEvaluationExceptions: true
      defaultMessageTimeToLive: 'P14D'
      enableBatchedOperations: true
    }
  }
]

resource topicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, appIdentityId, serviceBusDataSenderRoleId)
  scope: topic
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
  }
}

// serviceBusEndpoint looks like https://<name>.servicebus.windows.net:443/ ; keep the host only.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output topicName string = topic.name
output name string = namespace.name
