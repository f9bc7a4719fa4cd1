// IoT Hub → Azure Functions (Flex Consumption, Node 22) → Azure Digital Twins → Event Grid →
// Azure Functions. Resource-group scope, so `azd up` and `az deployment group create` share it.
// Two steps cannot happen here and run in scripts/post-deploy.sh after the code is deployed:
// the ADT event route (data plane only) and the Event Grid subscription to the propagate function
// (ARM rejects it until the function exists).

targetScope = 'resourceGroup'

@description('Environment name (azd AZURE_ENV_NAME); seeds resource names and tags.')
@minLength(1)
@maxLength(40)
param environmentName string

// Regions offering both Azure Digital Twins and Flex Consumption (infra/DEPLOY.md, "Region"), so a
// wrong region fails at validation instead of half-way through. azd offers only these.
@description('Azure region: one that offers both Azure Digital Twins and the Flex Consumption plan.')
@allowed([
  'australiaeast'
  'eastus'
  'eastus2'
  'northeurope'
  'southcentralus'
  'southeastasia'
  'uksouth'
  'westeurope'
  'westus2'
])
@metadata({ azd: { type: 'location' } })
// any(): the resource group's region is known only at deployment time, when ARM checks it against
// the list above like any other value.
param location string = any(resourceGroup().location)

@description('eventHub: IoT Hub routes to an Event Hubs namespace, identity end to end (default). builtIn: the function reads IoT Hub\'s built-in endpoint with a SAS connection string kept in Key Vault (no Event Hubs namespace).')
@allowed(['eventHub', 'builtIn'])
param telemetrySource string = 'eventHub'

@description('IoT Hub SKU. F1 is free but limited to one per subscription and 8,000 messages/day.')
@allowed(['F1', 'B1', 'S1'])
param iotHubSku string = 'S1'

@description('Pipeline configuration file, relative to the app root; it must be part of the deployed package.')
param pipelineConfigPath string

@description('Partitions of the telemetry event hub (eventHub mode); the ceiling on parallel ingest instances.')
@minValue(1)
@maxValue(32)
param eventHubPartitionCount int = 4

@description('Flex Consumption instance ceiling.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Instances that draw on ADT at once (ADT_MAX_INSTANCES): each starts at its share of ADT\'s instance-wide limits and adapts to 429s. 0 = derived: the telemetry partitions (the most ingest instances the Event Hubs trigger runs) plus one for propagate, capped at maximumInstanceCount.')
@minValue(0)
@maxValue(1000)
param adtMaxInstances int = 0

@description('Flex Consumption memory per instance.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('ADT requests in flight at once per worker process (ADT_MAX_CONCURRENCY).')
@minValue(1)
param adtMaxConcurrency int = 32

@description('Write budget per twin per second (ADT_TWIN_WRITES_PER_SECOND); ADT allows 10 and does not raise it.')
@minValue(1)
@maxValue(10)
param adtTwinWritesPerSecond int = 10

@description('Patch budget per worker process per second (ADT_PATCHES_PER_SECOND); the instance default is 1,000 in total.')
@minValue(1)
param adtPatchesPerSecond int = 1000

@description('Seconds one ingest batch may spend retrying ADT (INGEST_DEADLINE_SECONDS); keep it below functionTimeout in host.json (300 s).')
@minValue(10)
@maxValue(290)
param ingestDeadlineSeconds int = 240

@description('Seconds of the patch budget one ingest invocation spends writing twins (DEFER_WRITE_WINDOW_SECONDS); twins beyond it are deferred to the deferred-values container and drained at ADT\'s budget.')
@minValue(1)
@maxValue(120)
param deferWriteWindowSeconds int = 10

@description('Blobs the deferred twins are spread over (DEFER_BUCKETS).')
@minValue(1)
@maxValue(4096)
param deferBuckets int = 64

@description('Schedule of the drainDeferredValues timer (DRAIN_DEFERRED_SCHEDULE, NCRONTAB with seconds): each run wakes the app, docs/OPERATIONS.md "Timers when idle". Turn the timer off with the app setting AzureWebJobs.drainDeferredValues.Disabled = true.')
param drainDeferredSchedule string = '*/30 * * * * *'

@description('Schedule of the sweepConditions timer (SWEEP_CONDITIONS_SCHEDULE): durations and staleness are written at most one period late.')
param sweepConditionsSchedule string = '0 */1 * * * *'

@description('Run the drainDeferredValues timer (false sets AzureWebJobs.drainDeferredValues.Disabled): off, deferred values drain only while messages arrive.')
param drainDeferredTimer bool = true

@description('Run the sweepConditions timer (false sets AzureWebJobs.sweepConditions.Disabled): off, durations end and twins go stale only when a message arrives.')
param sweepConditionsTimer bool = true

@description('Log Analytics daily ingestion cap in GB (-1 = none).')
param logDailyQuotaGb int = 1

@description('Dead-letter ADT notifications the endpoint cannot deliver to Event Grid (adds a small SAS-capable storage account).')
param adtEndpointDeadLettering bool = true

@description('Expiry of the SAS ADT uses to write endpoint dead letters; each deployment renews it.')
param adtDeadLetterSasExpiry string = dateTimeAdd(utcNow(), 'P1Y')

@description('How POST /api/telemetry authenticates callers: functionKey (a function key, default) or entraId (App Service authentication with Entra ID tokens; needs httpIngestClientId).')
@allowed(['functionKey', 'entraId'])
param httpIngestAuth string = 'functionKey'

@description('httpIngestAuth = entraId: client id of the app registration callers request tokens for (audience api://<id>).')
param httpIngestClientId string = ''

@description('httpIngestAuth = entraId: client ids of the applications allowed to call; empty = any caller with a token for the audience.')
param httpIngestAllowedApplications array = []

@description('Egress of every twin change (reported and derived) through an identity-based ADT endpoint: none, an Event Hub, or a Service Bus topic (modules/egress.bicep).')
@allowed(['none', 'eventHub', 'serviceBus'])
param egress string = 'none'

@description('Egress: route relationship changes too, not only twin changes.')
param egressRelationshipChanges bool = false

@description('ADT data history to Azure Data Explorer (a Dev-SKU cluster and a database); needs egress = eventHub.')
param dataHistory bool = false

@description('Microsoft Fabric: a consumer group and a Listen-only policy on the egress hub for an Eventstream source (needs egress = eventHub; docs/FABRIC.md). Turns on SAS auth on the egress namespace only.')
param fabric bool = false

@description('Alerts (dead letters, lag, 429s, failed invocations) and the pipeline workbook (modules/alerts.bicep, modules/workbook.bicep).')
param alerts bool = true

@description('Alerts: email address the action group notifies; empty = an action group without receivers (add them in the portal).')
param alertEmail string = ''

@description('Alerts: ingest lag (seconds from enqueued time to applied) above which the lag alert fires.')
@minValue(1)
param lagAlertSeconds int = 60

@description('Alerts: ADT 429s per 5 minutes above which the throttling alert fires.')
@minValue(1)
param throttledAlertThreshold int = 50

@description('Alerts: seconds a deferred twin may wait for its write (pipeline.ingest.deferred_oldest_age) before the deferred-age alert fires; about the twin count / ADT patches per second, plus margin.')
@minValue(1)
param deferredAgeAlertSeconds int = 900

@description('Object id of the deployer: granted Azure Digital Twins Data Owner (event route, seeding), Event Hubs Data Sender (npm run simulate) and Storage Blob Data Reader on the dead-letter containers. Empty = skip.')
param deployerPrincipalId string = deployer().objectId

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'azd-env-name': environmentName, workload: 'adt-twin-pipeline' }
@description('Route IoT Hub device lifecycle and twin change events to the ingest function too: twins created and retired, reported properties (CONFIGURATION.md, "Message kinds"). Off by default.')
param routeDeviceEvents bool = false

@description('With routeDeviceEvents: device lifecycle events (create and retire twins).')
param routeLifecycleEvents bool = true

@description('With routeDeviceEvents: twin change events that carry reported properties.')
param routeTwinChangeEvents bool = true

@description('Connection state events (connectionState on twins). Off by default.')
param routeConnectionStateEvents bool = false

@description('Plug and Play digital twin change events. ARM documents the source for preview API versions only (acceptance at 2023-06-30 unverified), so turning this on deploys the hub with API version 2023-06-30-preview. Off by default.')
param routeDigitalTwinChangeEvents bool = false

@description('Message enrichment: stamp the device twin tag twinIdTag as application property twinId on everything routed to the ingest function; pair it with ingest.twinId { template: "{properties.twinId}", fallback: "{deviceId}" } (infra/DEPLOY.md, "IoT Hub events"). Off by default.')
param enrichTwinId bool = false

@description('With enrichTwinId: the device twin tag holding the ADT twin id (tags.<twinIdTag>).')
param twinIdTag string = 'twinId'

var routed = telemetrySource == 'eventHub'

// The Event Hubs trigger runs at most one instance per partition, so ingest never has more than
// `partitions` instances drawing on ADT even when Flex may run 40+. Propagate (Event Grid) gets one
// more: its writes are few per ingest batch, and when more propagate instances run the shared
// budgets halve on the first 429s. Starting at 1/maximumInstanceCount instead took ~50 s of
// additive increase to reach a useful rate.
var telemetryPartitions = routed ? eventHubPartitionCount : (iotHubSku == 'F1' ? 2 : 4)
var adtInstancesAtOnce = adtMaxInstances > 0 ? adtMaxInstances : min(maximumInstanceCount, telemetryPartitions + 1)

// Names the code and the post-deploy step agree on.
var names = {
  azdService: 'functions'
  propagateFunction: 'propagateTwinChanges'
  telemetryHub: 'telemetry'
  consumerGroup: 'functions'
  deploymentContainer: 'app-package'
  deadLetterContainer: 'dead-letters'
  deferredValuesContainer: 'deferred-values'
  eventGridDeadLetterContainer: 'event-grid-dead-letters'
  adtDeadLetterContainer: 'adt-endpoint-dead-letters'
  importContainer: 'adt-import'
  importLogContainer: 'adt-import-logs'
  adtEndpoint: 'twin-changes-topic'
  adtEventRoute: 'twin-changes'
  iotHubSecret: 'iothub-events-connection'
  egressEndpoint: 'twin-changes-egress'
  egressEntity: 'twin-changes'
  egressRoute: 'twin-changes-egress'
  dataHistoryHub: 'data-history'
  fabricConsumerGroup: 'fabric'
  fabricPolicy: 'fabric-listen'
}

// Every name is fixed when the deployment starts, so modules receive names (not outputs) and
// What-If can predict the whole graph.
var resourceNames = {
  functionIdentity: 'id-func-${token}'
  iotHubIdentity: 'id-iot-${token}'
  storage: 'st${token}'
  adtDeadLetterStorage: 'stdl${token}'
  workspace: 'log-${token}'
  appInsights: 'appi-${token}'
  eventHubNamespace: 'evhns-${token}'
  keyVault: 'kv-${token}'
  digitalTwins: 'dt-${token}'
  topic: 'evgt-${token}'
  iotHub: 'iot-${token}'
  plan: 'plan-${token}'
  functionApp: 'func-${token}'
  egressNamespace: egress == 'serviceBus' ? 'sbns-egress-${token}' : 'evhns-egress-${token}'
  kustoCluster: 'adx${token}'
}

// Twin and relationship lifecycle events feed roll-ups; telemetry events (Microsoft.IoT.Telemetry)
// would only cost Event Grid operations. The ADT route filter and the Event Grid subscription
// filter are both derived from this one list.
var adtEventTypes = [
  'Microsoft.DigitalTwins.Twin.Create'
  'Microsoft.DigitalTwins.Twin.Update'
  'Microsoft.DigitalTwins.Twin.Delete'
  'Microsoft.DigitalTwins.Relationship.Create'
  'Microsoft.DigitalTwins.Relationship.Update'
  'Microsoft.DigitalTwins.Relationship.Delete'
]
var adtEventRouteFilter = join(map(adtEventTypes, eventType => 'type = \'${eventType}\''), ' OR ')

module identities 'modules/identities.bicep' = {
  name: 'identities'
  params: {
    location: location
    tags: tags
    functionIdentityName: resourceNames.functionIdentity
    iotHubIdentityName: resourceNames.iotHubIdentity
    createIotHubIdentity: routed
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    name: resourceNames.storage
    deploymentContainerName: names.deploymentContainer
    deadLetterContainerName: names.deadLetterContainer
    deferredValuesContainerName: names.deferredValuesContainer
    eventGridDeadLetterContainerName: names.eventGridDeadLetterContainer
    importContainerName: names.importContainer
    importLogContainerName: names.importLogContainer
  }
}

module adtDeadLetters 'modules/adt-dead-letters.bicep' = if (adtEndpointDeadLettering) {
  name: 'adt-dead-letters'
  params: {
    location: location
    tags: tags
    name: resourceNames.adtDeadLetterStorage
    containerName: names.adtDeadLetterContainer
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    workspaceName: resourceNames.workspace
    appInsightsName: resourceNames.appInsights
    dailyQuotaGb: logDailyQuotaGb
  }
}

module eventHubs 'modules/event-hubs.bicep' = if (routed) {
  name: 'event-hubs'
  params: {
    location: location
    tags: tags
    namespaceName: resourceNames.eventHubNamespace
    hubName: names.telemetryHub
    consumerGroupName: names.consumerGroup
    partitionCount: eventHubPartitionCount
  }
}

module keyVault 'modules/key-vault.bicep' = if (!routed) {
  name: 'key-vault'
  params: {
    location: location
    tags: tags
    name: resourceNames.keyVault
  }
}

module digitalTwins 'modules/digital-twins.bicep' = {
  name: 'digital-twins'
  params: {
    location: location
    tags: tags
    instanceName: resourceNames.digitalTwins
    topicName: resourceNames.topic
    endpointName: names.adtEndpoint
    endpointDeadLettering: adtEndpointDeadLettering
    endpointDeadLetterAccountName: resourceNames.adtDeadLetterStorage
    endpointDeadLetterContainerName: names.adtDeadLetterContainer
    endpointDeadLetterSasExpiry: adtDeadLetterSasExpiry
  }
  dependsOn: [adtDeadLetters]
}

module roles 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  params: {
    functionIdentityName: resourceNames.functionIdentity
    functionPrincipalId: identities.outputs.functionPrincipalId
    routed: routed
    topicName: resourceNames.topic
    topicPrincipalId: digitalTwins.outputs.topicPrincipalId
    deployerPrincipalId: deployerPrincipalId
    storageAccountName: resourceNames.storage
    eventGridDeadLetterContainerName: names.eventGridDeadLetterContainer
    deadLetterContainerName: names.deadLetterContainer
    adtEndpointDeadLettering: adtEndpointDeadLettering
    adtDeadLetterStorageName: resourceNames.adtDeadLetterStorage
    adtDeadLetterContainerName: names.adtDeadLetterContainer
    digitalTwinsName: resourceNames.digitalTwins
    digitalTwinsPrincipalId: digitalTwins.outputs.principalId
    importContainerName: names.importContainer
    importLogContainerName: names.importLogContainer
    appInsightsName: resourceNames.appInsights
    eventHubNamespaceName: resourceNames.eventHubNamespace
    eventHubName: names.telemetryHub
    keyVaultName: resourceNames.keyVault
  }
  dependsOn: [storage, monitoring, eventHubs, keyVault, adtDeadLetters]
}

// Granted as soon as the event hub exists; IoT Hub waits for the role-assignments module, which
// waits for ADT, so this grant has minutes to propagate before IoT Hub validates it.
module iotHubRoutingRole 'modules/iot-hub-routing-role.bicep' = if (routed) {
  name: 'iot-hub-routing-role'
  params: {
    iotHubIdentityName: resourceNames.iotHubIdentity
    iotHubPrincipalId: identities.outputs.iotHubPrincipalId
    eventHubNamespaceName: resourceNames.eventHubNamespace
    eventHubName: names.telemetryHub
  }
  dependsOn: [eventHubs]
}

module iotHub 'modules/iot-hub.bicep' = {
  name: 'iot-hub'
  params: {
    location: location
    tags: tags
    name: resourceNames.iotHub
    skuName: iotHubSku
    telemetrySource: telemetrySource
    routingIdentityId: identities.outputs.iotHubIdentityId
    eventHubFullyQualifiedNamespace: routed ? eventHubs!.outputs.fullyQualifiedNamespace : ''
    eventHubName: routed ? eventHubs!.outputs.hubName : ''
    builtInConsumerGroupName: names.consumerGroup
    eventRoutes: {
      lifecycle: routeDeviceEvents && routeLifecycleEvents
      twinChanges: routeDeviceEvents && routeTwinChangeEvents
      connectionState: routeConnectionStateEvents
      digitalTwinChanges: routeDigitalTwinChangeEvents
    }
    twinIdEnrichmentTag: enrichTwinId ? twinIdTag : ''
  }
  // IoT Hub checks the routing identity's Event Hubs Data Sender role when it creates the endpoint.
  dependsOn: [iotHubRoutingRole, roles]
}

module iotHubSecret 'modules/iot-hub-connection-secret.bicep' = if (!routed) {
  name: 'iot-hub-connection-secret'
  params: {
    iotHubName: resourceNames.iotHub
    keyVaultName: resourceNames.keyVault
    secretName: names.iotHubSecret
  }
  dependsOn: [iotHub, keyVault]
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    location: location
    tags: tags
    planName: resourceNames.plan
    appName: resourceNames.functionApp
    azdServiceName: names.azdService
    identityId: identities.outputs.functionIdentityId
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
  // The app must not start (and fail to reach storage, Event Hubs, ADT) before its roles exist.
  dependsOn: [roles]
}

module appSettings 'modules/app-settings.bicep' = {
  name: 'app-settings'
  params: {
    appName: resourceNames.functionApp
    identityClientId: identities.outputs.functionClientId
    digitalTwinsHostName: digitalTwins.outputs.hostName
    pipelineConfigPath: pipelineConfigPath
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deadLetterContainerName: names.deadLetterContainer
    deferredValuesContainerName: names.deferredValuesContainer
    appInsightsConnectionString: monitoring.outputs.connectionString
    telemetrySource: telemetrySource
    eventHubName: routed ? eventHubs!.outputs.hubName : iotHub.outputs.builtInEventHubName
    eventHubConsumerGroup: names.consumerGroup
    eventHubFullyQualifiedNamespace: routed ? eventHubs!.outputs.fullyQualifiedNamespace : ''
    eventHubConnectionSecretUri: routed ? '' : iotHubSecret!.outputs.secretUri
    adtMaxConcurrency: adtMaxConcurrency
    adtTwinWritesPerSecond: adtTwinWritesPerSecond
    adtPatchesPerSecond: adtPatchesPerSecond
    ingestDeadlineSeconds: ingestDeadlineSeconds
    deferWriteWindowSeconds: deferWriteWindowSeconds
    deferBuckets: deferBuckets
    drainDeferredSchedule: drainDeferredSchedule
    sweepConditionsSchedule: sweepConditionsSchedule
    drainDeferredTimer: drainDeferredTimer
    sweepConditionsTimer: sweepConditionsTimer
    maxInstances: adtInstancesAtOnce
    httpIngestAuth: httpIngestAuth
  }
  dependsOn: [functionApp]
}

module httpIngestEntraId 'modules/http-ingest-auth.bicep' = if (httpIngestAuth == 'entraId') {
  name: 'http-ingest-auth'
  params: {
    appName: resourceNames.functionApp
    clientId: httpIngestClientId
    allowedApplications: httpIngestAllowedApplications
  }
  dependsOn: [functionApp]
}

module egressModule 'modules/egress.bicep' = if (egress != 'none') {
  name: 'egress'
  params: {
    location: location
    tags: tags
    egress: egress == 'serviceBus' ? 'serviceBus' : 'eventHub'
    digitalTwinsName: resourceNames.digitalTwins
    digitalTwinsPrincipalId: digitalTwins.outputs.principalId
    namespaceName: resourceNames.egressNamespace
    entityName: names.egressEntity
    endpointName: names.egressEndpoint
    includeRelationshipChanges: egressRelationshipChanges
    dataHistory: dataHistory
    kustoClusterName: resourceNames.kustoCluster
    dataHistoryHubName: names.dataHistoryHub
    fabric: fabric
    fabricConsumerGroupName: names.fabricConsumerGroup
    fabricPolicyName: names.fabricPolicy
  }
}

module alertsModule 'modules/alerts.bicep' = if (alerts) {
  name: 'alerts'
  params: {
    location: location
    tags: tags
    appInsightsName: resourceNames.appInsights
    namePrefix: environmentName
    alertEmail: alertEmail
    lagAlertSeconds: lagAlertSeconds
    throttledAlertThreshold: throttledAlertThreshold
    deferredAgeAlertSeconds: deferredAgeAlertSeconds
  }
  dependsOn: [monitoring]
}

module workbookModule 'modules/workbook.bicep' = if (alerts) {
  name: 'workbook'
  params: {
    location: location
    tags: tags
    appInsightsName: resourceNames.appInsights
    displayName: 'ADT twin pipeline (${environmentName})'
  }
  dependsOn: [monitoring]
}

// Read by azd (stored in the environment), scripts/post-deploy.sh and the README's next steps.
// No keys or connection strings here.
output AZURE_SUBSCRIPTION_ID string = subscription().subscriptionId
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output AZURE_LOCATION string = location
output DEPLOYER_PRINCIPAL_ID string = deployerPrincipalId
output TELEMETRY_SOURCE string = telemetrySource
output ADT_MAX_INSTANCES int = adtInstancesAtOnce
output FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_HOST_NAME string = functionApp.outputs.defaultHostName
output PROPAGATE_FUNCTION_NAME string = names.propagateFunction
output ADT_INSTANCE_NAME string = digitalTwins.outputs.instanceName
output ADT_SERVICE_URL string = 'https://${digitalTwins.outputs.hostName}'
output ADT_ENDPOINT_NAME string = digitalTwins.outputs.endpointName
output ADT_EVENT_ROUTE_NAME string = names.adtEventRoute
output ADT_EVENT_ROUTE_FILTER string = adtEventRouteFilter
output ADT_EVENT_TYPES string = join(adtEventTypes, ',')
output EVENT_GRID_TOPIC_NAME string = digitalTwins.outputs.topicName
output EVENT_GRID_DEAD_LETTER_CONTAINER string = names.eventGridDeadLetterContainer
output IOT_HUB_NAME string = iotHub.outputs.name
// What scripts/post-deploy.sh checks on the hub and scripts/smoke-test.sh exercises: the IoT Hub event
// routes switched on (comma-separated kinds, empty = none) and the twin id enrichment (key=value).
output IOT_HUB_EVENT_ROUTES string = join(
  filter(
    [
      routeDeviceEvents && routeLifecycleEvents ? 'lifecycle' : ''
      routeDeviceEvents && routeTwinChangeEvents ? 'twinChanges' : ''
      routeConnectionStateEvents ? 'connectionState' : ''
      routeDigitalTwinChangeEvents ? 'digitalTwinChanges' : ''
    ],
    kind => !empty(kind)
  ),
  ','
)
output IOT_HUB_TWIN_ID_ENRICHMENT string = enrichTwinId ? 'twinId=$twin.tags.${twinIdTag}' : ''
output EVENT_HUB_NAMESPACE string = routed ? eventHubs!.outputs.namespaceName : ''
output EVENT_HUB_FULLY_QUALIFIED_NAMESPACE string = routed ? eventHubs!.outputs.fullyQualifiedNamespace : ''
output EVENT_HUB_NAME string = routed ? eventHubs!.outputs.hubName : ''
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output DEAD_LETTER_CONTAINER string = names.deadLetterContainer
// npm run seed -- --bulk: the import file goes to IMPORT_CONTAINER, ADT writes the job log to IMPORT_LOG_CONTAINER.
output STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output IMPORT_CONTAINER string = names.importContainer
output IMPORT_LOG_CONTAINER string = names.importLogContainer
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
// Egress: the route is data plane; create it after provisioning (docs/OPERATIONS.md "Egress") when these are set.
output EGRESS_ENDPOINT_NAME string = egress == 'none' ? '' : egressModule!.outputs.endpointName
output EGRESS_ROUTE_NAME string = egress == 'none' ? '' : names.egressRoute
output ALERT_ACTION_GROUP string = alerts ? alertsModule!.outputs.actionGroupName : ''
output WORKBOOK_NAME string = alerts ? workbookModule!.outputs.workbookName : ''
output EGRESS_ROUTE_FILTER string = egress == 'none' ? '' : egressModule!.outputs.routeFilter
// Fabric Eventstream source settings (docs/FABRIC.md); empty unless fabric and egress = eventHub.
output FABRIC_EVENT_HUB_NAMESPACE string = egress == 'none' ? '' : egressModule!.outputs.fabricNamespaceHost
output FABRIC_EVENT_HUB string = egress == 'eventHub' && fabric ? names.egressEntity : ''
output FABRIC_CONSUMER_GROUP string = egress == 'none' ? '' : egressModule!.outputs.fabricConsumerGroup
output FABRIC_SAS_POLICY string = egress == 'none' ? '' : egressModule!.outputs.fabricPolicy
// When the SAS ADT uses to write endpoint dead letters stops working (each provision renews it);
// scripts/post-deploy.sh warns when it is near. Empty when endpoint dead-lettering is off.
output ADT_DEAD_LETTER_SAS_EXPIRY string = adtEndpointDeadLettering ? adtDeadLetterSasExpiry : ''
