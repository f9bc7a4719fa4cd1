// Every role assignment in one place, so "who can do what" is reviewable at a glance (and
// test/infra checks it). Runs after the target resources exist and before IoT Hub, whose routing
// endpoint needs its Sender role at creation time.

// Assignment names are derived from resource ids known when the deployment starts (not from
// principal ids, which exist only at run time) so What-If can predict them.

@description('Name of the Function App\'s user-assigned identity.')
param functionIdentityName string

@description('Principal (object) id of the Function App identity.')
param functionPrincipalId string

@description('eventHub mode: grant IoT Hub\'s routing identity and the Function App access to the telemetry hub.')
param routed bool

@description('eventHub mode: name of the IoT Hub routing identity.')
param iotHubIdentityName string

@description('eventHub mode: principal id of the IoT Hub routing identity.')
param iotHubPrincipalId string

@description('Event Grid topic (its system identity writes subscription dead letters).')
param topicName string

@description('Principal id of the Event Grid topic identity.')
param topicPrincipalId string

@description('Principal id of whoever runs the deployment (creates the ADT event route). Empty = skip.')
param deployerPrincipalId string

@description('Host storage account.')
param storageAccountName string

@description('Container Event Grid dead-letters into.')
param eventGridDeadLetterContainerName string

@description('Azure Digital Twins instance.')
param digitalTwinsName string

@description('Application Insights component.')
param appInsightsName string

@description('eventHub mode: Event Hubs namespace.')
param eventHubNamespaceName string

@description('eventHub mode: telemetry event hub.')
param eventHubName string

@description('builtIn mode: Key Vault holding the IoT Hub connection string.')
param keyVaultName string

var functionIdentityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', functionIdentityName)
var iotHubIdentityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', iotHubIdentityName)
var topicId = resourceId('Microsoft.EventGrid/topics', topicName)

// Built-in role definition ids (identical in every tenant).
var role = {
  digitalTwinsDataOwner: 'bcd981a7-7f74-457b-83e1-cceb9e632ffe'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource eventGridDeadLetters 'containers' existing = {
      name: eventGridDeadLetterContainerName
    }
  }
}

resource adt 'Microsoft.DigitalTwins/digitalTwinsInstances@2023-01-31' existing = {
  name: digitalTwinsName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = if (routed) {
  name: eventHubNamespaceName

  resource hub 'eventhubs' existing = {
    name: eventHubName
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = if (!routed) {
  name: keyVaultName
}

// Function App: host storage, Flex deployment package, Event Hubs checkpoints, dead letters.
resource functionBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, functionIdentityId, role.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.storageBlobDataOwner)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Function App: read and patch twins, read relationships, query.
resource functionAdtOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(adt.id, functionIdentityId, role.digitalTwinsDataOwner)
  scope: adt
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.digitalTwinsDataOwner)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Function App: send telemetry to Application Insights with Entra ID (local auth is off).
resource functionMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, functionIdentityId, role.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.monitoringMetricsPublisher)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Function App: read the telemetry hub (eventHub mode).
resource functionHubReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (routed) {
  name: guid(eventHubNamespace::hub.id, functionIdentityId, role.eventHubsDataReceiver)
  scope: eventHubNamespace::hub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.eventHubsDataReceiver)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// IoT Hub routing identity: send device messages to the telemetry hub (eventHub mode).
resource iotHubHubSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (routed) {
  name: guid(eventHubNamespace::hub.id, iotHubIdentityId, role.eventHubsDataSender)
  scope: eventHubNamespace::hub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.eventHubsDataSender)
    principalId: iotHubPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Function App: resolve the Key Vault reference to the IoT Hub connection string (builtIn mode).
resource functionSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!routed) {
  name: guid(vault.id, functionIdentityId, role.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.keyVaultSecretsUser)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Event Grid topic: write undeliverable notifications to its dead-letter container only.
resource topicDeadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::eventGridDeadLetters.id, topicId, role.storageBlobDataContributor)
  scope: storage::blobService::eventGridDeadLetters
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.storageBlobDataContributor)
    principalId: topicPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Deployer: create the ADT event route (a data-plane call) in scripts/post-deploy.sh.
// principalType is left out: the deployer may be a user or a CI service principal.
resource deployerAdtOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(adt.id, deployerPrincipalId, role.digitalTwinsDataOwner)
  scope: adt
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.digitalTwinsDataOwner)
    principalId: deployerPrincipalId
  }
}

