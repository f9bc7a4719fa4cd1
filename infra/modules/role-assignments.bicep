// Every role assignment but one in one place, so "who can do what" is reviewable at a glance (and
// test/infra checks it). Runs after the target resources exist. The exception is IoT Hub's routing
// grant (iot-hub-routing-role.bicep), which must be made as early as possible: IoT Hub checks it
// when it creates its endpoint, and a fresh grant takes minutes to propagate.

// Assignment names are derived from resource ids known when the deployment starts (not from
// principal ids, which exist only at run time) so What-If can predict them.

@description('Name of the Function App\'s user-assigned identity.')
param functionIdentityName string

@description('Principal (object) id of the Function App identity.')
param functionPrincipalId string

@description('eventHub mode: grant the Function App (receive) and the deployer (send) access to the telemetry hub.')
param routed bool

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

@description('Container the ingest function dead-letters rejected messages into.')
param deadLetterContainerName string

@description('Whether the ADT endpoint dead-letter account exists.')
param adtEndpointDeadLettering bool

@description('ADT endpoint dead-letter storage account.')
param adtDeadLetterStorageName string

@description('Container in that account.')
param adtDeadLetterContainerName string

@description('Azure Digital Twins instance.')
param digitalTwinsName string

@description('Principal id of the ADT instance\'s system identity (import jobs read and write blobs with it).')
param digitalTwinsPrincipalId string

@description('Container ADT import jobs read their input file from.')
param importContainerName string

@description('Container ADT import jobs write their log to.')
param importLogContainerName string

@description('Application Insights component.')
param appInsightsName string

@description('eventHub mode: Event Hubs namespace.')
param eventHubNamespaceName string

@description('eventHub mode: telemetry event hub.')
param eventHubName string

@description('builtIn mode: Key Vault holding the IoT Hub connection string.')
param keyVaultName string

var functionIdentityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', functionIdentityName)
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
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource eventGridDeadLetters 'containers' existing = {
      name: eventGridDeadLetterContainerName
    }

    resource deadLetters 'containers' existing = {
      name: deadLetterContainerName
    }

    resource imports 'containers' existing = {
      name: importContainerName
    }

    resource importLogs 'containers' existing = {
      name: importLogContainerName
    }
  }
}

resource adtDeadLetterStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = if (adtEndpointDeadLettering) {
  name: adtDeadLetterStorageName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource container 'containers' existing = {
      name: adtDeadLetterContainerName
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

// ADT instance (system identity): import jobs read the input file and write their log with it
// (iot-hub-events-and-bulk.md §7.4: Reader on the input container, Contributor on the output one).
resource adtImportReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::imports.id, adt.id, role.storageBlobDataReader)
  scope: storage::blobService::imports
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.storageBlobDataReader)
    principalId: digitalTwinsPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource adtImportLogWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::importLogs.id, adt.id, role.storageBlobDataContributor)
  scope: storage::blobService::importLogs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.storageBlobDataContributor)
    principalId: digitalTwinsPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Deployer: bulk seeding (npm run seed -- --bulk) writes the import file and reads the job log.
resource deployerImportWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(storage::blobService::imports.id, deployerPrincipalId, role.storageBlobDataContributor)
  scope: storage::blobService::imports
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.storageBlobDataContributor)
    principalId: deployerPrincipalId
  }
}

resource deployerImportLogReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(storage::blobService::importLogs.id, deployerPrincipalId, role.storageBlobDataReader)
  scope: storage::blobService::importLogs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.storageBlobDataReader)
    principalId: deployerPrincipalId
  }
}

// Deployer: create the ADT event route (a data-plane call) in scripts/post-deploy.sh, seed the
// sample building and read twins (scripts/smoke-test.sh).
// principalType is left out of every deployer grant: the deployer may be a user or a CI service principal.
resource deployerAdtOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(adt.id, deployerPrincipalId, role.digitalTwinsDataOwner)
  scope: adt
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.digitalTwinsDataOwner)
    principalId: deployerPrincipalId
  }
}

// Deployer, day one: send test telemetry with `npm run simulate` (the namespace has local auth off,
// so without this role the first simulate after `azd up` is refused).
resource deployerHubSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (routed && !empty(deployerPrincipalId)) {
  name: guid(eventHubNamespace::hub.id, deployerPrincipalId, role.eventHubsDataSender)
  scope: eventHubNamespace::hub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.eventHubsDataSender)
    principalId: deployerPrincipalId
  }
}

// Deployer, day one: read rejected telemetry (shared keys are off, so the portal and
// `az storage blob list --auth-mode login` need a data role).
resource deployerDeadLetterReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(storage::blobService::deadLetters.id, deployerPrincipalId, role.storageBlobDataReader)
  scope: storage::blobService::deadLetters
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.storageBlobDataReader)
    principalId: deployerPrincipalId
  }
}

// Deployer, day one: read notifications Event Grid could not deliver to the propagate function.
resource deployerEventGridDeadLetterReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(storage::blobService::eventGridDeadLetters.id, deployerPrincipalId, role.storageBlobDataReader)
  scope: storage::blobService::eventGridDeadLetters
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.storageBlobDataReader)
    principalId: deployerPrincipalId
  }
}

// Deployer, day one: read notifications ADT could not hand to Event Grid.
resource deployerAdtDeadLetterReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (adtEndpointDeadLettering && !empty(deployerPrincipalId)) {
  name: guid(adtDeadLetterStorage::blobService::container.id, deployerPrincipalId, role.storageBlobDataReader)
  scope: adtDeadLetterStorage::blobService::container
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.storageBlobDataReader)
    principalId: deployerPrincipalId
  }
}
