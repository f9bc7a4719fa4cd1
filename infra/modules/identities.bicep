// User-assigned identities. They exist before the resources that use them, so every role can be
// granted up front: IoT Hub's routing endpoint is validated at creation and the Function App
// starts reading Event Hubs and ADT the moment code lands.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Name of the identity the Function App runs as.')
param functionIdentityName string

@description('Name of the identity IoT Hub uses to send routed messages to Event Hubs.')
param iotHubIdentityName string

@description('Create the IoT Hub routing identity (only the routed Event Hubs mode needs it).')
param createIotHubIdentity bool

resource functionIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: functionIdentityName
  location: location
  tags: tags
}

resource iotHubIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = if (createIotHubIdentity) {
  name: iotHubIdentityName
  location: location
  tags: tags
}

output functionIdentityId string = functionIdentity.id
output functionPrincipalId string = functionIdentity.properties.principalId
output functionClientId string = functionIdentity.properties.clientId
output iotHubIdentityId string = createIotHubIdentity ? iotHubIdentity.id : ''
output iotHubPrincipalId string = createIotHubIdentity ? iotHubIdentity!.properties.principalId : ''
