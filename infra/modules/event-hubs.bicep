// Event Hubs namespace that IoT Hub routes device messages into. Local (SAS) auth is off: IoT Hub
// sends and the Function App receives with their managed identities.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Namespace name.')
param namespaceName string

@description('Event hub carrying device telemetry.')
param hubName string

@description('Consumer group dedicated to the ingest function (never share $Default with ad-hoc readers).')
param consumerGroupName string

@description('Partitions of the telemetry hub; the ceiling on parallel ingest instances.')
@minValue(1)
@maxValue(32)
param partitionCount int

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  // Standard, not Basic: Basic allows only the $Default consumer group.
  sku: { name: 'Standard', tier: 'Standard', capacity: 1 }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: hubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: 1
  }
}

resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: hub
  name: consumerGroupName
}

output namespaceName string = namespace.name
output hubName string = hub.name
output consumerGroupName string = consumerGroup.name
// Identity-based connections and IoT Hub endpoints both want the bare host name. It is cut from
// the namespace's own endpoint (https://<ns>.servicebus.windows.net:443/ in the public cloud) so
// sovereign clouds get their own suffix; environment() has no Service Bus suffix.
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '/')[2], ':')[0]
