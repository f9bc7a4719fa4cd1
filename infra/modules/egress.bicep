// Egress: what changes in ADT (reported values from ingest, derived values from propagate) leaves
// through an ADT endpoint to an Event Hub or a Service Bus topic that downstream consumers read
// (history stores, maps, other services). Identity-based: ADT's system identity gets the data-sender
// role on the entity and the endpoint carries no key. ADT sends in the CloudEvents AMQP binding
// (cloudEvents:* application properties, body = the notification's data; docs/OPERATIONS.md "Egress").
// The event route that selects twin changes is data plane (no ARM type): scripts/post-deploy.sh
// or `az dt route create` creates it from the outputs (routeName, routeFilter).
// Optionally ADT data history: every property change as a row in Azure Data Explorer, and a bridge
// to Microsoft Fabric: a consumer group and a Listen-only policy on the hub for an Eventstream's
// "Azure Event Hubs" source (docs/FABRIC.md).

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('eventHub: an Event Hubs namespace and hub; serviceBus: a Service Bus namespace and topic.')
@allowed(['eventHub', 'serviceBus'])
param egress string

@description('Azure Digital Twins instance (with a system-assigned identity).')
param digitalTwinsName string

@description('Principal id of the ADT instance\'s system identity.')
param digitalTwinsPrincipalId string

@description('Namespace for the egress entity (Event Hubs or Service Bus).')
param namespaceName string

@description('Event hub or Service Bus topic the endpoint sends to.')
param entityName string

@description('ADT endpoint name.')
param endpointName string

@description('Route relationship changes too (Relationship.Create/Update/Delete), not only twin changes.')
param includeRelationshipChanges bool

@description('ADT data history to Azure Data Explorer (needs egress = eventHub: the connection reads its own hub in the same namespace).')
param dataHistory bool

@description('Azure Data Explorer cluster name (dataHistory).')
param kustoClusterName string

@description('Event hub the data history connection uses (dataHistory).')
param dataHistoryHubName string

@description('Fabric: a consumer group and a Listen-only shared access policy on the egress hub for a Fabric Eventstream source (egress = eventHub only). Eventstream\'s Event Hubs source authenticates with a shared access key, so this turns local (SAS) auth on for the egress namespace.')
param fabric bool

@description('Consumer group the Fabric Eventstream reads (fabric).')
param fabricConsumerGroupName string

@description('Shared access policy (Listen only, on the hub) the Fabric Eventstream connects with (fabric).')
param fabricPolicyName string

var useEventHub = egress == 'eventHub'
var fabricOn = fabric && useEventHub
var historyOn = dataHistory && useEventHub
var roles = {
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  eventHubsDataOwner: 'f526a384-b230-433a-b45c-95f59c4a2dec'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c'
}
// The namespaces' own endpoints (https://<ns>.servicebus.windows.net:443/ in the public cloud) in
// the sb:// form ADT endpoints take, so sovereign clouds get their own suffix.
var ehUri = useEventHub ? replace(replace(ehNamespace!.properties.serviceBusEndpoint, 'https://', 'sb://'), ':443', '') : ''
var sbUri = useEventHub ? '' : replace(replace(sbNamespace!.properties.serviceBusEndpoint, 'https://', 'sb://'), ':443', '')
var eventTypes = concat(
  ['Microsoft.DigitalTwins.Twin.Create', 'Microsoft.DigitalTwins.Twin.Update', 'Microsoft.DigitalTwins.Twin.Delete'],
  includeRelationshipChanges
    ? ['Microsoft.DigitalTwins.Relationship.Create', 'Microsoft.DigitalTwins.Relationship.Update', 'Microsoft.DigitalTwins.Relationship.Delete']
    : []
)

resource adt 'Microsoft.DigitalTwins/digitalTwinsInstances@2023-01-31' existing = {
  name: digitalTwinsName
}

// ---- Event Hubs ----

resource ehNamespace 'Microsoft.EventHub/namespaces@2024-01-01' = if (useEventHub) {
  name: namespaceName
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard', capacity: 1 }
  properties: {
    // Identity only, unless Fabric needs its Listen key (the one SAS exception here; DEPLOY.md says why).
    disableLocalAuth: !fabricOn
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = if (useEventHub) {
  parent: ehNamespace
  name: entityName
  properties: {
    partitionCount: 4
    messageRetentionInDays: 1
  }
}

resource hubSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (useEventHub) {
  name: guid(resourceId('Microsoft.EventHub/namespaces/eventhubs', namespaceName, entityName), digitalTwinsName, roles.eventHubsDataSender)
  scope: hub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataSender)
    principalId: digitalTwinsPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// ---- Fabric: Eventstream source on the hub (its own consumer group, a key that can only listen) ----

resource fabricConsumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = if (fabricOn) {
  parent: hub
  name: fabricConsumerGroupName
}

// Scoped to the hub, Listen only: the key reads twin changes and nothing else. The key itself is
// never an output; `az eventhubs eventhub authorization-rule keys list` shows it to the deployer.
resource fabricPolicy 'Microsoft.EventHub/namespaces/eventhubs/authorizationRules@2024-01-01' = if (fabricOn) {
  parent: hub
  name: fabricPolicyName
  properties: {
    rights: ['Listen']
  }
}

// ---- Service Bus ----

resource sbNamespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = if (!useEventHub) {
  name: namespaceName
  location: location
  tags: tags
  // Standard: topics (fan-out to several downstream subscriptions) need it.
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = if (!useEventHub) {
  parent: sbNamespace
  name: entityName
  properties: {
    defaultMessageTimeToLive: 'P1D'
  }
}

resource topicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!useEventHub) {
  name: guid(resourceId('Microsoft.ServiceBus/namespaces/topics', namespaceName, entityName), digitalTwinsName, roles.serviceBusDataSender)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: digitalTwinsPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// ---- The endpoint: identity-based, created once ADT may send (it checks on creation) ----

resource hubEndpoint 'Microsoft.DigitalTwins/digitalTwinsInstances/endpoints@2023-01-31' = if (useEventHub) {
  parent: adt
  name: endpointName
  properties: {
    endpointType: 'EventHub'
    authenticationType: 'IdentityBased'
    identity: { type: 'SystemAssigned' }
    endpointUri: ehUri
    entityPath: entityName
  }
  dependsOn: [hubSender]
}

resource topicEndpoint 'Microsoft.DigitalTwins/digitalTwinsInstances/endpoints@2023-01-31' = if (!useEventHub) {
  parent: adt
  name: endpointName
  properties: {
    endpointType: 'ServiceBus'
    authenticationType: 'IdentityBased'
    identity: { type: 'SystemAssigned' }
    endpointUri: sbUri
    entityPath: entityName
  }
  dependsOn: [topicSender]
}

// ---- Data history (Azure Data Explorer) ----

resource historyHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = if (historyOn) {
  parent: ehNamespace
  name: dataHistoryHubName
  properties: {
    partitionCount: 4
    messageRetentionInDays: 1
  }
}

resource historyConsumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = if (historyOn) {
  parent: historyHub
  name: 'adx'
}

resource kusto 'Microsoft.Kusto/clusters@2023-08-15' = if (historyOn) {
  name: kustoClusterName
  location: location
  tags: tags
  // The smallest cluster (no SLA): data history of a pipeline, not an analytics estate.
  sku: { name: 'Dev(No SLA)_Standard_E2a_v4', tier: 'Basic', capacity: 1 }
  identity: { type: 'SystemAssigned' }
  properties: {
    enableStreamingIngest: true
    publicNetworkAccess: 'Enabled'
  }
}

resource kustoDatabase 'Microsoft.Kusto/clusters/databases@2023-08-15' = if (historyOn) {
  parent: kusto
  name: 'twinhistory'
  location: location
  kind: 'ReadWrite'
  properties: {
    softDeletePeriod: 'P365D'
    hotCachePeriod: 'P31D'
  }
}

// ADT writes the hub and creates the table and the data connection: Event Hubs Data Owner on the
// hub, Contributor on the cluster, Admin on the database (the data history prerequisites).
resource historyHubOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (historyOn) {
  name: guid(resourceId('Microsoft.EventHub/namespaces/eventhubs', namespaceName, dataHistoryHubName), digitalTwinsName, roles.eventHubsDataOwner)
  scope: historyHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataOwner)
    principalId: digitalTwinsPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource kustoContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (historyOn) {
  name: guid(resourceId('Microsoft.Kusto/clusters', kustoClusterName), digitalTwinsName, roles.contributor)
  scope: kusto
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.contributor)
    principalId: digitalTwinsPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The cluster's own identity reads the hub for the ingestion data connection.
resource kustoReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (historyOn) {
  name: guid(resourceId('Microsoft.EventHub/namespaces/eventhubs', namespaceName, dataHistoryHubName), kustoClusterName, roles.eventHubsDataReceiver)
  scope: historyHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataReceiver)
    principalId: kusto!.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource kustoAdmin 'Microsoft.Kusto/clusters/databases/principalAssignments@2023-08-15' = if (historyOn) {
  parent: kustoDatabase
  name: guid(resourceId('Microsoft.Kusto/clusters/databases', kustoClusterName, 'twinhistory'), digitalTwinsName, 'Admin')
  properties: {
    principalId: digitalTwinsPrincipalId
    principalType: 'App'
    role: 'Admin'
    tenantId: tenant().tenantId
  }
}

resource history 'Microsoft.DigitalTwins/digitalTwinsInstances/timeSeriesDatabaseConnections@2023-01-31' = if (historyOn) {
  parent: adt
  name: 'adx-history'
  properties: {
    connectionType: 'AzureDataExplorer'
    identity: { type: 'SystemAssigned' }
    adxEndpointUri: kusto!.properties.uri
    adxDatabaseName: kustoDatabase.name
    adxResourceId: kusto.id
    adxTableName: 'AdtPropertyEvents'
    eventHubEndpointUri: ehUri
    eventHubEntityPath: historyHub.name
    eventHubNamespaceResourceId: ehNamespace.id
    eventHubConsumerGroup: historyConsumerGroup.name
    recordPropertyAndItemRemovals: 'true'
  }
  dependsOn: [historyHubOwner, kustoContributor, kustoReceiver, kustoAdmin]
}

output endpointName string = useEventHub ? hubEndpoint.name : topicEndpoint.name
output namespaceName string = namespaceName
output entityName string = entityName
output routeFilter string = join(map(eventTypes, eventType => 'type = \'${eventType}\''), ' OR ')
output dataHistory bool = historyOn
output kustoClusterUri string = historyOn ? kusto!.properties.uri : ''
output fabric bool = fabricOn
// The namespace's host name (<ns>.servicebus.windows.net in the public cloud), as Eventstream asks for it.
output fabricNamespaceHost string = fabricOn ? replace(replace(replace(ehNamespace!.properties.serviceBusEndpoint, 'https://', ''), ':443', ''), '/', '') : ''
output fabricConsumerGroup string = fabricOn ? fabricConsumerGroup.name : ''
output fabricPolicy string = fabricOn ? fabricPolicy.name : ''
