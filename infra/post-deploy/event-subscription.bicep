// Second pass, run by scripts/post-deploy.sh once the code is deployed: subscribes the propagate
// function to the ADT notification topic through the Event Grid extension's webhook,
//   https://<app host>/runtime/webhooks/EventGrid?functionName=<name>&code=<eventgrid_extension key>
// the delivery Microsoft's Flex Consumption azd samples use (infra/DEPLOY.md, "Event Grid → Flex
// Consumption"), rather than the AzureFunction destination, which no Microsoft document or sample
// confirms for Flex. Event Grid validates the webhook with a handshake the extension answers, so
// this fails until the code runs. Re-running it is a no-op (same name, same properties).

@description('Event Grid topic fed by the ADT endpoint.')
param topicName string

@description('Function App default host name (<app>.azurewebsites.net in the public cloud).')
param functionAppHostName string

@description('Event Grid-triggered function that propagates twin changes.')
param functionName string

@description('Storage account (keyless) holding the dead-letter container.')
param storageAccountName string

@description('Container for notifications Event Grid could not deliver.')
param deadLetterContainerName string

@description('The Functions host system key eventgrid_extension (az functionapp keys list).')
@secure()
param eventGridExtensionKey string

@description('Comma-separated ADT event types to deliver (main.bicep output ADT_EVENT_TYPES).')
param includedEventTypes string

@description('Delivery attempts before an event is dead-lettered.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@description('Minutes an undelivered event is retried before it is dead-lettered.')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

resource topic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: topicName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource subscription 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: '${functionName}-subscription'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        // The URL is secret because it embeds the @secure() key; ARM never returns endpointUrl
        // (reads give endpointBaseUrl), and the linter cannot see a secure param through interpolation.
        #disable-next-line use-secure-value-for-secure-inputs
        endpointUrl: 'https://${functionAppHostName}/runtime/webhooks/EventGrid?functionName=${functionName}&code=${eventGridExtensionKey}'
        // One event per invocation: a failed roll-up is retried alone, not with its neighbours.
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    // The ADT route already filters; this keeps anything else published to the topic out.
    filter: { includedEventTypes: split(includedEventTypes, ',') }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    // The storage account has shared keys off: the topic writes with its system identity
    // (Storage Blob Data Contributor on this container, granted in role-assignments.bicep).
    deadLetterWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output subscriptionName string = subscription.name
