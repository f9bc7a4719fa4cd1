// The one list of app settings the code reads. functions/, local.settings.sample.json, infra/ and
// the tests all take names from here, so a rename cannot leave one of them behind.

export interface SettingSpec {
  /** Exact app-setting (environment variable) name. */
  name: string;
  description: string;
  /** Example for local.settings.sample.json; never a secret. */
  sample: string;
  required: boolean;
}

/**
 * Binding connection *prefixes*. The Functions host resolves `<prefix>__fullyQualifiedNamespace`
 * (identity) or `<prefix>` (connection string) itself; we never read them in code.
 */
export const connections = {
  eventHub: 'EventHubConnection',
  deadLetterStorage: 'DeadLetterStorage',
  hostStorage: 'AzureWebJobsStorage',
} as const;

export const settings = {
  adtUrl: {
    name: 'ADT_SERVICE_URL',
    description: 'Azure Digital Twins instance URL (https://<name>.api.<region>.digitaltwins.azure.net).',
    sample: 'https://my-adt.api.weu.digitaltwins.azure.net',
    required: true,
  },
  azureClientId: {
    name: 'AZURE_CLIENT_ID',
    description:
      'Client id of the user-assigned managed identity; DefaultAzureCredential reads it (infra sets it). Leave empty locally to use your developer login.',
    sample: '',
    required: false,
  },
  pipelineConfigPath: {
    name: 'PIPELINE_CONFIG_PATH',
    description: 'Path (absolute, or relative to the app root) of the pipeline configuration file (YAML or JSON).',
    sample: 'local/scenarios/building/pipeline.yaml',
    required: false,
  },
  eventHubName: {
    name: 'EventHubName',
    description: 'Event Hub the ingest function reads (a routed hub, or the IoT Hub built-in endpoint name).',
    sample: 'telemetry',
    required: true,
  },
  eventHubConsumerGroup: {
    name: 'EventHubConsumerGroup',
    description: 'Consumer group dedicated to the ingest function.',
    sample: 'functions',
    required: true,
  },
  deadLetterContainer: {
    name: 'DEAD_LETTER_CONTAINER',
    description: 'Blob container that receives one JSON document per rejected message.',
    sample: 'dead-letters',
    required: false,
  },
  deadLetterStorage: {
    name: 'DeadLetterStorage',
    description:
      'Connection string of the dead-letter storage account (Azurite locally). Leave unset in Azure and use DeadLetterStorage__blobServiceUri with the managed identity.',
    sample: 'UseDevelopmentStorage=true',
    required: false,
  },
  deadLetterBlobServiceUri: {
    name: 'DeadLetterStorage__blobServiceUri',
    description:
      'Blob endpoint of the dead-letter storage account, reached with the managed identity (needs Storage Blob Data Contributor).',
    sample: '',
    required: false,
  },
  deadLetterDirectory: {
    name: 'DEAD_LETTER_DIRECTORY',
    description: 'Directory for dead-letter files when no storage account is configured (offline runner).',
    sample: '',
    required: false,
  },
  appInsightsConnectionString: {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
    description:
      'Application Insights the functions send metrics and traces to (OpenTelemetry, Entra ID auth); unset = no exporter is loaded.',
    sample: '',
    required: false,
  },
  httpIngestAuth: {
    name: 'HTTP_INGEST_AUTH',
    description:
      'How POST /api/telemetry authenticates callers: functionKey (default, a function key) or entraId (App Service authentication validates an Entra ID token first; main.bicep httpIngestAuth=entraId), in which case the function also refuses a request that arrives without a validated caller.',
    sample: 'functionKey',
    required: false,
  },
  adtMaxConcurrency: {
    name: 'ADT_MAX_CONCURRENCY',
    description: 'ADT requests in flight at once per worker process (at most one per twin regardless).',
    sample: '32',
    required: false,
  },
  adtTwinWritesPerSecond: {
    name: 'ADT_TWIN_WRITES_PER_SECOND',
    description: 'Write budget per twin; ADT allows 10 create/update/delete operations per second on one twin.',
    sample: '10',
    required: false,
  },
  adtPatchesPerSecond: {
    name: 'ADT_PATCHES_PER_SECOND',
    description: 'Patch budget per worker process; the ADT instance default is 1,000 patches per second in total.',
    sample: '1000',
    required: false,
  },
  adtMaxInstances: {
    name: 'ADT_MAX_INSTANCES',
    description:
      'Function App instances that draw on the ADT instance at once (the Bicep derives it: telemetry partitions + 1, capped at Flex maximumInstanceCount); each starts at its share of the ADT limits and adapts to 429s.',
    sample: '1',
    required: false,
  },
  deferredValuesContainer: {
    name: 'DEFERRED_VALUES_CONTAINER',
    description:
      'Blob container (in the dead-letter storage account, same identity) that holds the latest values of twins an ingest invocation could not write within its write window, until the drainer writes them (docs/GUARANTEES.md). Default deferred-values.',
    sample: 'deferred-values',
    required: false,
  },
  deferredValuesDirectory: {
    name: 'DEFERRED_VALUES_DIRECTORY',
    description:
      'Folder for deferred values instead of Blob Storage (offline runner). Without it and without dead-letter storage, nothing is deferred: every twin is written within its invocation.',
    sample: '',
    required: false,
  },
  deferWriteWindowSeconds: {
    name: 'DEFER_WRITE_WINDOW_SECONDS',
    description:
      'Seconds of the patch budget one ingest invocation (or drain timer run) spends writing twins; twins beyond it are deferred to the deferred-values store. Default 10; keep it well below INGEST_DEADLINE_SECONDS.',
    sample: '10',
    required: false,
  },
  deferBuckets: {
    name: 'DEFER_BUCKETS',
    description:
      'Hash buckets (blobs) the deferred twins are spread over; more buckets = less contention between instances, more requests per full drain. Default 64.',
    sample: '64',
    required: false,
  },
  drainDeferredSchedule: {
    name: 'DRAIN_DEFERRED_SCHEDULE',
    description:
      'Schedule of the drainDeferredValues timer (NCRONTAB with seconds, or hh:mm:ss). Unset = every 30 s. Each run wakes the app; turn it off with AzureWebJobs.drainDeferredValues.Disabled (docs/OPERATIONS.md, "Timers when idle").',
    sample: '*/30 * * * * *',
    required: false,
  },
  sweepConditionsSchedule: {
    name: 'SWEEP_CONDITIONS_SCHEDULE',
    description:
      'Schedule of the sweepConditions timer (NCRONTAB with seconds, or hh:mm:ss). Unset = every minute. A duration or staleness is written at most one period late; turn it off with AzureWebJobs.sweepConditions.Disabled (docs/OPERATIONS.md, "Timers when idle").',
    sample: '0 */1 * * * *',
    required: false,
  },
  ingestDeadlineSeconds: {
    name: 'INGEST_DEADLINE_SECONDS',
    description:
      'Time one ingest batch may spend retrying ADT before the invocation fails and the batch is redelivered; keep it below functionTimeout in host.json.',
    sample: '240',
    required: false,
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof settings;

/** Reads a setting, failing with a message that says which setting to add and where. */
export function readSetting(key: SettingKey, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const spec: SettingSpec = settings[key];
  const value = env[spec.name]?.trim();
  if (!value && spec.required) {
    throw new Error(
      `App setting ${spec.name} is not set. ${spec.description} Add it to local.settings.json (see local.settings.sample.json) or to the Function App's configuration.`,
    );
  }
  return value || undefined;
}

/** Reads a positive number setting, or the default when unset. */
export function readNumberSetting(key: SettingKey, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const text = readSetting(key, env);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`App setting ${settings[key].name} must be a positive number, got "${text}". ${settings[key].description}`);
  }
  return value;
}

/**
 * Settings only the Functions host reads (bindings, runtime). They belong in local.settings.sample.json
 * too, so every name the app depends on is listed in one place.
 */
export const hostSettings: readonly SettingSpec[] = [
  {
    name: connections.hostStorage,
    description: 'Functions host storage (Event Hubs checkpoints).',
    sample: 'UseDevelopmentStorage=true',
    required: true,
  },
  { name: 'FUNCTIONS_WORKER_RUNTIME', description: 'Language worker (not set on Flex Consumption).', sample: 'node', required: true },
  {
    name: `${connections.eventHub}__fullyQualifiedNamespace`,
    description:
      'Event Hubs namespace the ingest trigger reads with its managed identity (or set EventHubConnection to a connection string instead).',
    sample: 'my-namespace.servicebus.windows.net',
    required: true,
  },
];
