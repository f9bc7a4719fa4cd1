// The app settings the code reads (names from shared/settings.ts) plus the binding connections in
// identity form. Kept apart from function-app.bicep so the settings stay plain template variables
// that test/infra can read from the compiled JSON.

@description('Function App name.')
param appName string

@description('Client id of the user-assigned identity the app runs as.')
param identityClientId string

@description('Azure Digital Twins host name (<name>.api.<region>.digitaltwins.azure.net).')
param digitalTwinsHostName string

@description('Pipeline configuration file, relative to the app root (shipped in the package).')
param pipelineConfigPath string

@description('Storage blob endpoint (https://<account>.blob.core.windows.net/).')
param storageBlobEndpoint string

@description('Container for rejected messages.')
param deadLetterContainerName string

@description('Container of the deferred-values store, in the same account (DeadLetterStorage__blobServiceUri).')
param deferredValuesContainerName string

@description('Application Insights connection string (not a secret: ingestion requires Entra ID).')
param appInsightsConnectionString string

@description('Where the ingest function reads telemetry.')
@allowed(['eventHub', 'builtIn'])
param telemetrySource string

@description('Event hub the ingest function reads (routed hub, or the built-in endpoint path).')
param eventHubName string

@description('Consumer group of the ingest function.')
param eventHubConsumerGroup string

@description('eventHub mode: Event Hubs namespace host name.')
param eventHubFullyQualifiedNamespace string

@description('builtIn mode: versionless Key Vault secret URI of the IoT Hub connection string.')
param eventHubConnectionSecretUri string

@description('ADT requests in flight at once per worker process.')
param adtMaxConcurrency int

@description('Write budget per twin per second.')
param adtTwinWritesPerSecond int

@description('Patch budget per worker process per second.')
param adtPatchesPerSecond int

@description('Seconds one ingest batch may spend retrying ADT.')
param ingestDeadlineSeconds int

@description('Seconds of patch budget one ingest invocation writes twins for.')
param deferWriteWindowSeconds int

@description('Blobs the deferred twins are spread over.')
param deferBuckets int

@description('Instances that draw on ADT at once (ADT_MAX_INSTANCES): main.bicep derives it from the telemetry partitions.')
param maxInstances int

@description('Schedule of the drainDeferredValues timer (DRAIN_DEFERRED_SCHEDULE).')
param drainDeferredSchedule string

@description('Schedule of the sweepConditions timer (SWEEP_CONDITIONS_SCHEDULE).')
param sweepConditionsSchedule string

@description('Run the drainDeferredValues timer.')
param drainDeferredTimer bool = true

@description('Run the sweepConditions timer.')
param sweepConditionsTimer bool = true

@description('How POST /api/telemetry authenticates callers (HTTP_INGEST_AUTH): functionKey or entraId.')
param httpIngestAuth string = 'functionKey'

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: appName
}

// Identity-based connections pick the user-assigned identity explicitly; without __clientId the
// host would look for a system-assigned identity the app does not have.
var common = {
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  DeadLetterStorage__blobServiceUri: storageBlobEndpoint
  DeadLetterStorage__credential: 'managedidentity'
  DeadLetterStorage__clientId: identityClientId
  DEAD_LETTER_CONTAINER: deadLetterContainerName
  DEFERRED_VALUES_CONTAINER: deferredValuesContainerName
  ADT_SERVICE_URL: 'https://${digitalTwinsHostName}'
  PIPELINE_CONFIG_PATH: pipelineConfigPath
  EventHubName: eventHubName
  EventHubConsumerGroup: eventHubConsumerGroup
  ADT_MAX_CONCURRENCY: string(adtMaxConcurrency)
  ADT_TWIN_WRITES_PER_SECOND: string(adtTwinWritesPerSecond)
  ADT_PATCHES_PER_SECOND: string(adtPatchesPerSecond)
  INGEST_DEADLINE_SECONDS: string(ingestDeadlineSeconds)
  DEFER_WRITE_WINDOW_SECONDS: string(deferWriteWindowSeconds)
  DEFER_BUCKETS: string(deferBuckets)
  // How many instances draw on ADT at once, so the code can split the instance-wide ADT budget
  // between them (each process only sees itself).
  ADT_MAX_INSTANCES: string(maxInstances)
  HTTP_INGEST_AUTH: httpIngestAuth
  // The timers' schedules: each run wakes the app (docs/OPERATIONS.md, "Timers when idle").
  DRAIN_DEFERRED_SCHEDULE: drainDeferredSchedule
  SWEEP_CONDITIONS_SCHEDULE: sweepConditionsSchedule
  // The host's own switch per function; set here so a provision keeps it (this resource replaces
  // every app setting, so one set with the CLI alone is gone after the next provision).
  'AzureWebJobs.drainDeferredValues.Disabled': string(!drainDeferredTimer)
  'AzureWebJobs.sweepConditions.Disabled': string(!sweepConditionsTimer)
  // DefaultAzureCredential / ManagedIdentityCredential read this to pick the user-assigned identity.
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

var routedEventHub = {
  EventHubConnection__fullyQualifiedNamespace: eventHubFullyQualifiedNamespace
  EventHubConnection__credential: 'managedidentity'
  EventHubConnection__clientId: identityClientId
}

// The built-in endpoint accepts only SAS: the connection string stays in Key Vault.
var builtInEventHub = {
  EventHubConnection: '@Microsoft.KeyVault(SecretUri=${eventHubConnectionSecretUri})'
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(common, telemetrySource == 'eventHub' ? routedEventHub : builtInEventHub)
}
