// Azure Digital Twins, the Event Grid topic its change notifications go to, and the ADT endpoint
// pointing at that topic. The event route (data plane, no ARM type) and the topic's subscription
// to the propagate function (needs deployed code) are created by scripts/post-deploy.sh.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Azure Digital Twins instance name.')
param instanceName string

@description('Event Grid topic name.')
param topicName string

@description('Name of the ADT endpoint that forwards to the topic.')
param endpointName string

@description('Dead-letter notifications the endpoint cannot deliver to the topic.')
param endpointDeadLettering bool

@description('Storage account holding the ADT endpoint dead-letter container (SAS-capable, see adt-dead-letters.bicep).')
param endpointDeadLetterAccountName string

@description('Container in that account.')
param endpointDeadLetterContainerName string

@description('Expiry of the dead-letter SAS; redeploying renews it.')
param endpointDeadLetterSasExpiry string

resource adt 'Microsoft.DigitalTwins/digitalTwinsInstances@2023-01-31' = {
  name: instanceName
  location: location
  tags: tags
  // System identity: identity-based egress endpoints and data history (egress.bicep) send with it.
  identity: { type: 'SystemAssigned' }
  properties: { publicNetworkAccess: 'Enabled' }
}

resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: topicName
  location: location
  tags: tags
  // System identity: Event Grid writes subscription dead letters to keyless storage with it.
  identity: { type: 'SystemAssigned' }
  properties: {
    inputSchema: 'EventGridSchema'
    publicNetworkAccess: 'Enabled'
    // Must stay false: ADT → Event Grid endpoints only support access keys, never identity.
    disableLocalAuth: false
    minimumTlsVersionAllowed: '1.2'
  }
}

resource deadLetterAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = if (endpointDeadLettering) {
  name: endpointDeadLetterAccountName
}

// Write/create-only SAS on one container: ADT endpoint dead-lettering accepts nothing else.
var deadLetterSas = !endpointDeadLettering
  ? ''
  : deadLetterAccount!.listServiceSas('2023-05-01', {
      canonicalizedResource: '/blob/${endpointDeadLetterAccountName}/${endpointDeadLetterContainerName}'
      signedResource: 'c'
      signedPermission: 'cw'
      signedProtocol: 'https'
      signedExpiry: endpointDeadLetterSasExpiry
    }).serviceSasToken

resource endpoint 'Microsoft.DigitalTwins/digitalTwinsInstances/endpoints@2023-01-31' = {
  parent: adt
  name: endpointName
  properties: {
    endpointType: 'EventGrid'
    authenticationType: 'KeyBased'
    TopicEndpoint: topic.properties.endpoint
    // Keys go straight from listKeys() into the endpoint; they are never outputs or parameters.
    accessKey1: topic.listKeys().key1
    accessKey2: topic.listKeys().key2
    deadLetterSecret: !endpointDeadLettering
      ? null
      : '${deadLetterAccount!.properties.primaryEndpoints.blob}${endpointDeadLetterContainerName}?${deadLetterSas}'
  }
}

output instanceName string = adt.name
output hostName string = adt.properties.hostName
output principalId string = adt.identity.principalId
output topicName string = topic.name
output topicPrincipalId string = topic.identity.principalId
output endpointName string = endpoint.name
