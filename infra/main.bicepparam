// Defaults for `azd up` and `az deployment group create --parameters infra/main.bicepparam`.
// Every parameter infra/DEPLOY.md documents is read from an environment variable named after it in
// UPPER_SNAKE_CASE, so `azd env set <NAME> <value>` reaches it (azd passes its environment to this
// file); plain az users can export the same variables. The fallbacks equal main.bicep's defaults
// (test/infra/azd-parameters.test.ts compares them). Not here: `location` (azd creates the resource
// group in AZURE_LOCATION and the default is the group's region), `deployerPrincipalId` (the signed-in
// deployer) and `adtDeadLetterSasExpiry` (renewed on every deployment).
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'adt-pipeline')

// 'builtIn' reads IoT Hub's own endpoint instead (no Event Hubs namespace; SAS in Key Vault).
param telemetrySource = readEnvironmentVariable('TELEMETRY_SOURCE', 'eventHub')

param iotHubSku = readEnvironmentVariable('IOT_HUB_SKU', 'S1')

// Shipped inside the deployment package; relative to the app root.
param pipelineConfigPath = readEnvironmentVariable('PIPELINE_CONFIG_PATH', 'local/scenarios/building/pipeline.yaml')

// Scale: partitions bound the ingest instances; ADT_MAX_INSTANCES 0 = derived from them.
param eventHubPartitionCount = int(readEnvironmentVariable('EVENT_HUB_PARTITION_COUNT', '4'))
param maximumInstanceCount = int(readEnvironmentVariable('MAXIMUM_INSTANCE_COUNT', '40'))
param adtMaxInstances = int(readEnvironmentVariable('ADT_MAX_INSTANCES', '0'))
// any(): the value is checked against main.bicep's allowed sizes when the deployment starts.
param instanceMemoryMB = any(int(readEnvironmentVariable('INSTANCE_MEMORY_MB', '2048')))

// The gateway's budgets (app settings of the same names).
param adtMaxConcurrency = int(readEnvironmentVariable('ADT_MAX_CONCURRENCY', '32'))
param adtTwinWritesPerSecond = int(readEnvironmentVariable('ADT_TWIN_WRITES_PER_SECOND', '10'))
param adtPatchesPerSecond = int(readEnvironmentVariable('ADT_PATCHES_PER_SECOND', '1000'))
param ingestDeadlineSeconds = int(readEnvironmentVariable('INGEST_DEADLINE_SECONDS', '240'))
param deferWriteWindowSeconds = int(readEnvironmentVariable('DEFER_WRITE_WINDOW_SECONDS', '10'))
param deferBuckets = int(readEnvironmentVariable('DEFER_BUCKETS', '64'))
// The timers' schedules (docs/OPERATIONS.md, "Timers when idle").
param drainDeferredSchedule = readEnvironmentVariable('DRAIN_DEFERRED_SCHEDULE', '*/30 * * * * *')
param sweepConditionsSchedule = readEnvironmentVariable('SWEEP_CONDITIONS_SCHEDULE', '0 */1 * * * *')
param drainDeferredTimer = bool(readEnvironmentVariable('DRAIN_DEFERRED_TIMER', 'true'))
param sweepConditionsTimer = bool(readEnvironmentVariable('SWEEP_CONDITIONS_TIMER', 'true'))

param logDailyQuotaGb = int(readEnvironmentVariable('LOG_DAILY_QUOTA_GB', '1'))
param adtEndpointDeadLettering = bool(readEnvironmentVariable('ADT_ENDPOINT_DEAD_LETTERING', 'true'))

// POST /api/telemetry: 'functionKey' (default) or 'entraId' (App Service authentication; needs the
// client id of the app registration callers request tokens for).
param httpIngestAuth = readEnvironmentVariable('HTTP_INGEST_AUTH', 'functionKey')
param httpIngestClientId = readEnvironmentVariable('HTTP_INGEST_CLIENT_ID', '')
// A JSON array of client ids, e.g. azd env set HTTP_INGEST_ALLOWED_APPLICATIONS '["<id>"]'.
param httpIngestAllowedApplications = json(readEnvironmentVariable('HTTP_INGEST_ALLOWED_APPLICATIONS', '[]'))

// IoT Hub's other events to the ingest function (infra/DEPLOY.md, "IoT Hub events"): all off by
// default; ROUTE_DEVICE_EVENTS opts in to lifecycle and twin changes.
param routeDeviceEvents = bool(readEnvironmentVariable('ROUTE_DEVICE_EVENTS', 'false'))
param routeLifecycleEvents = bool(readEnvironmentVariable('ROUTE_LIFECYCLE_EVENTS', 'true'))
param routeTwinChangeEvents = bool(readEnvironmentVariable('ROUTE_TWIN_CHANGE_EVENTS', 'true'))
param routeConnectionStateEvents = bool(readEnvironmentVariable('ROUTE_CONNECTION_STATE_EVENTS', 'false'))
param routeDigitalTwinChangeEvents = bool(readEnvironmentVariable('ROUTE_DIGITAL_TWIN_CHANGE_EVENTS', 'false'))
// Message enrichment: the device twin tag TWIN_ID_TAG stamped as application property twinId.
param enrichTwinId = bool(readEnvironmentVariable('ENRICH_TWIN_ID', 'false'))
param twinIdTag = readEnvironmentVariable('TWIN_ID_TAG', 'twinId')

// Egress of every twin change: none, eventHub or serviceBus; data history and Fabric need eventHub.
param egress = readEnvironmentVariable('EGRESS', 'none')
param egressRelationshipChanges = bool(readEnvironmentVariable('EGRESS_RELATIONSHIP_CHANGES', 'false'))
param dataHistory = bool(readEnvironmentVariable('DATA_HISTORY', 'false'))
// Microsoft Fabric Eventstream source on the egress hub (docs/FABRIC.md).
param fabric = bool(readEnvironmentVariable('FABRIC', 'false'))

param alerts = bool(readEnvironmentVariable('ALERTS', 'true'))
param alertEmail = readEnvironmentVariable('ALERT_EMAIL', '')
param lagAlertSeconds = int(readEnvironmentVariable('LAG_ALERT_SECONDS', '60'))
param throttledAlertThreshold = int(readEnvironmentVariable('THROTTLED_ALERT_THRESHOLD', '50'))
param deferredAgeAlertSeconds = int(readEnvironmentVariable('DEFERRED_AGE_ALERT_SECONDS', '900'))
