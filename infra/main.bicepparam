// Defaults for `azd up` and `az deployment group create --parameters infra/main.bicepparam`.
// azd exports AZURE_ENV_NAME; plain az users can export it too, or accept the fallback.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'adt-pipeline')

// 'builtIn' reads IoT Hub's own endpoint instead (no Event Hubs namespace; SAS in Key Vault).
param telemetrySource = readEnvironmentVariable('TELEMETRY_SOURCE', 'eventHub')

param iotHubSku = readEnvironmentVariable('IOT_HUB_SKU', 'S1')

// Shipped inside the deployment package; relative to the app root.
param pipelineConfigPath = readEnvironmentVariable('PIPELINE_CONFIG_PATH', 'local/scenarios/building/pipeline.yaml')

// POST /api/telemetry: 'functionKey' (default) or 'entraId' (App Service authentication; needs the
// client id of the app registration callers request tokens for).
param httpIngestAuth = readEnvironmentVariable('HTTP_INGEST_AUTH', 'functionKey')
param httpIngestClientId = readEnvironmentVariable('HTTP_INGEST_CLIENT_ID', '')
