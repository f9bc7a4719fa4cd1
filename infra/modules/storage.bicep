// One keyless storage account: Functions host state (leases, Event Hubs checkpoints), the Flex
// deployment package, pipeline dead letters, Event Grid delivery dead letters and ADT import jobs
// (input files and job logs). Shared keys are
// off, so every client — host, code, Event Grid — must come with an Entra identity.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Container azd / zip deploy uploads the Flex Consumption package to.')
param deploymentContainerName string

@description('Container the ingest function writes rejected messages to (DEAD_LETTER_CONTAINER).')
param deadLetterContainerName string

@description('Container the ingest function keeps deferred twin values in until the drainer writes them (DEFERRED_VALUES_CONTAINER); the function identity\'s Storage Blob Data Owner on the account covers it.')
param deferredValuesContainerName string

@description('Container Event Grid writes undeliverable ADT notifications to.')
param eventGridDeadLetterContainerName string

@description('Container for ADT import-job input files (npm run seed -- --bulk); ADT reads it with its own identity.')
param importContainerName string

@description('Container ADT writes import-job logs to (append blobs).')
param importLogContainerName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in [deploymentContainerName, deadLetterContainerName, eventGridDeadLetterContainerName, importContainerName, importLogContainerName, deferredValuesContainerName]: {
    parent: blobService
    name: container
    properties: { publicAccess: 'None' }
  }
]

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${containers[0].name}'
