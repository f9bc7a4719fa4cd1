// Stores the IoT Hub built-in endpoint connection string in Key Vault. Uses the least-privileged
// 'service' policy (ServiceConnect: read device-to-cloud messages), not iothubowner.

@description('IoT Hub name.')
param iotHubName string

@description('Key Vault that receives the secret.')
param keyVaultName string

@description('Secret name.')
param secretName string

resource iotHub 'Microsoft.Devices/IotHubs@2023-06-30' existing = {
  name: iotHubName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

var events = iotHub.properties.eventHubEndpoints.events
// listKeys on the named policy (ARM operation IotHubResource_GetKeysForKeyName), not an index into
// the policy list, whose order is not guaranteed. Bicep's type library lacks this child type.
#disable-next-line use-recognized-resource-type
var serviceKey = listKeys(resourceId('Microsoft.Devices/IotHubs/IotHubKeys', iotHub.name, 'service'), '2023-06-30').primaryKey

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: secretName
  properties: {
    contentType: 'Event Hubs connection string (IoT Hub built-in endpoint, policy service)'
    value: 'Endpoint=${events.endpoint};SharedAccessKeyName=service;SharedAccessKey=${serviceKey};EntityPath=${events.path}'
  }
}

// The versionless URI makes the app pick up a rotated key on its next reference refresh.
output secretUri string = secret.properties.secretUri
