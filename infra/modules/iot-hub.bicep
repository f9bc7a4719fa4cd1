// IoT Hub. In 'eventHub' mode device messages are routed, through the hub's user-assigned
// identity, to our Event Hub (identity end to end). In 'builtIn' mode the ingest function reads
// the hub's built-in endpoint with a consumer group of its own.
// Deploy this only after the routing identity holds Event Hubs Data Sender: IoT Hub validates a
// custom endpoint's access when the endpoint is created.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('IoT Hub name.')
param name string

@description('IoT Hub SKU. F1 is free (one per subscription, 8,000 messages/day).')
@allowed(['F1', 'B1', 'S1'])
param skuName string

@description('Where the ingest function reads telemetry.')
@allowed(['eventHub', 'builtIn'])
param telemetrySource string

@description('eventHub mode: resource id of the user-assigned identity used for routing.')
param routingIdentityId string

@description('eventHub mode: Event Hubs namespace host name (from the namespace endpoint, cloud-specific).')
param eventHubFullyQualifiedNamespace string

@description('eventHub mode: event hub receiving device messages.')
param eventHubName string

@description('builtIn mode: consumer group created on the built-in endpoint for the ingest function.')
param builtInConsumerGroupName string

@description('IoT Hub events routed to the ingest function beside device messages, each switch one route (CONFIGURATION.md, "Message kinds"): lifecycle, twinChanges, connectionState, digitalTwinChanges.')
param eventRoutes object = { lifecycle: false, twinChanges: false, connectionState: false, digitalTwinChanges: false }

@description('Message enrichment: a tag of the device (or module) twin stamped as application property `twinId` on everything routed to the ingest endpoint (ingest.twinId "{properties.twinId}"). Empty = no enrichment.')
param twinIdEnrichmentTag string = ''

var routed = telemetrySource == 'eventHub'
var routedEndpointName = 'telemetry-event-hub'
// The endpoint the ingest function reads: our Event Hub, or the built-in one.
var ingestEndpointName = routed ? routedEndpointName : 'events'
var telemetryRoutes = routed
  ? [
      {
        name: 'device-messages-to-telemetry-hub'
        source: 'DeviceMessages'
        condition: 'true'
        endpointNames: [routedEndpointName]
        isEnabled: true
      }
    ]
  : []
// Present whether on or off (a disabled route routes nothing), so switching one is a plain redeploy.
var eventRouteList = [
  {
    name: 'device-lifecycle-to-ingest'
    source: 'DeviceLifecycleEvents'
    condition: 'true'
    endpointNames: [ingestEndpointName]
    isEnabled: eventRoutes.lifecycle
  }
  {
    // Only changes that carry reported properties: back-end changes of desired properties and tags are not mapped.
    name: 'twin-changes-to-ingest'
    source: 'TwinChangeEvents'
    condition: 'is_defined($body.properties.reported)'
    endpointNames: [ingestEndpointName]
    isEnabled: eventRoutes.twinChanges
  }
  {
    name: 'connection-state-to-ingest'
    source: 'DeviceConnectionStateEvents'
    condition: 'true'
    endpointNames: [ingestEndpointName]
    isEnabled: eventRoutes.connectionState
  }
]
// DigitalTwinChangeEvents is documented for preview API versions only (reference §3.1): the route
// exists only when asked for, and then the hub is deployed with the preview API version that has it.
var digitalTwinChangeRoutes = eventRoutes.digitalTwinChanges
  ? [
      {
        name: 'digital-twin-changes-to-ingest'
        source: 'DigitalTwinChangeEvents'
        condition: 'true'
        endpointNames: [ingestEndpointName]
        isEnabled: true
      }
    ]
  : []

// Stamped on messages and events routed to the ingest endpoint (not on digital twin change events:
// IoT Hub does not enrich those). A missing tag is stamped as the literal text "$twin.tags.<tag>",
// which the ingest reads as no value (CONFIGURATION.md, "Twin id").
var enrichments = empty(twinIdEnrichmentTag)
  ? []
  : [
      {
        key: 'twinId'
        value: '$twin.tags.${twinIdEnrichmentTag}'
        endpointNames: [ingestEndpointName]
      }
    ]

var hubIdentity = routed
  ? { type: 'UserAssigned', userAssignedIdentities: { '${routingIdentityId}': {} } }
  : { type: 'None' }

var hubProperties = {
  disableLocalAuth: false // devices authenticate with SAS or X.509; Entra ID is not offered to devices
  // Devices and service clients below TLS 1.2 are refused (set at creation; IoT Hub cannot lower it later).
  minTlsVersion: '1.2'
  eventHubEndpoints: {
    events: {
      // F1 is fixed at 2 partitions.
      partitionCount: skuName == 'F1' ? 2 : 4
      retentionTimeInDays: 1
    }
  }
  routing: {
    endpoints: {
      eventHubs: routed
        ? [
            {
              name: routedEndpointName
              authenticationType: 'identityBased'
              identity: { userAssignedIdentity: routingIdentityId }
              endpointUri: 'sb://${eventHubFullyQualifiedNamespace}'
              entityPath: eventHubName
            }
          ]
        : []
    }
    routes: concat(telemetryRoutes, eventRouteList, digitalTwinChangeRoutes)
    enrichments: enrichments
    // Without an explicit fallback route, messages matching no route would be dropped.
    fallbackRoute: {
      name: '$fallback'
      source: 'DeviceMessages'
      condition: 'true'
      endpointNames: ['events']
      isEnabled: true
    }
  }
}

// One hub, two API versions: the stable one, or the preview one only when the digital twin change
// route is on (exactly one of the two is deployed; both have the same name and properties). ARM
// enforces resource-id uniqueness only among resources whose condition is true, which Bicep relies
// on to allow this pair (Azure/bicep#15909).
resource iotHub 'Microsoft.Devices/IotHubs@2023-06-30' = if (!eventRoutes.digitalTwinChanges) {
  name: name
  location: location
  tags: tags
  sku: { name: skuName, capacity: 1 }
  identity: hubIdentity
  properties: hubProperties
}

resource iotHubPreview 'Microsoft.Devices/IotHubs@2023-06-30-preview' = if (eventRoutes.digitalTwinChanges) {
  name: name
  location: location
  tags: tags
  sku: { name: skuName, capacity: 1 }
  identity: hubIdentity
  properties: hubProperties
}

resource builtInConsumerGroup 'Microsoft.Devices/IotHubs/eventHubEndpoints/ConsumerGroups@2023-06-30' = if (!routed) {
  name: '${name}/events/${builtInConsumerGroupName}'
  properties: { name: builtInConsumerGroupName }
  dependsOn: [iotHub, iotHubPreview]
}

output name string = name
// In builtIn mode the Event Hub name the trigger sees is the built-in endpoint's path.
output builtInEventHubName string = eventRoutes.digitalTwinChanges
  ? iotHubPreview!.properties.eventHubEndpoints.events.path
  : iotHub!.properties.eventHubEndpoints.events.path
// The IoT Hub API version deployed (the preview one carries the DigitalTwinChangeEvents route).
output apiVersion string = eventRoutes.digitalTwinChanges ? '2023-06-30-preview' : '2023-06-30'
