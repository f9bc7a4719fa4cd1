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
