// IoT Hub's routing identity may send to the telemetry hub. Its own module so main.bicep can make
// this grant the moment the event hub exists, long before IoT Hub is created: IoT Hub validates a
// custom endpoint's access when it creates the endpoint, and a new role assignment takes minutes
// to propagate ("Please wait a few minutes for the role assignment to propagate", IoT Hub managed
// identity docs). main.bicep puts the slow ADT deployment between this grant and IoT Hub.

@description('Name of the IoT Hub routing identity.')
param iotHubIdentityName string

@description('Principal id of the IoT Hub routing identity.')
param iotHubPrincipalId string

@description('Event Hubs namespace.')
param eventHubNamespaceName string

@description('Telemetry event hub.')
param eventHubName string

var iotHubIdentityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', iotHubIdentityName)
var eventHubsDataSender = '2b629674-e913-4c01-ae53-ef4638d8f975'

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubNamespaceName

  resource hub 'eventhubs' existing = {
    name: eventHubName
  }
}

resource iotHubHubSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventHubNamespace::hub.id, iotHubIdentityId, eventHubsDataSender)
  scope: eventHubNamespace::hub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataSender)
    principalId: iotHubPrincipalId
    principalType: 'ServicePrincipal'
  }
}
