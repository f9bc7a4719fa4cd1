// A small storage account only for ADT endpoint dead letters. ADT takes endpoint dead-letter
// targets as a container SAS URL, and a SAS needs shared-key access, which the main account keeps
// off. Isolating it here keeps that exception to one container holding undeliverable events.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Storage account name.')
@minLength(3)
@maxLength(24)
param name string

@description('Container for dead-lettered ADT notifications.')
param containerName string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Cool'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: containerName
  properties: { publicAccess: 'None' }
}

output name string = account.name
output containerName string = container.name
