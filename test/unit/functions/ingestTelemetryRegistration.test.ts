// What the Functions host would receive when the app registers ingestTelemetry, captured through a
// fake @azure/functions-core, and checked against the settings catalogue and the sample settings.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { localSettingsSample } from '../../../shared/localSettingsSample';
import { connections, hostSettings, settings } from '../../../shared/settings';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadFunctionApp } = require('../../support/functionsHost') as typeof import('../../support/functionsHost');

const root = join(__dirname, '..', '..', '..');

describe('ingestTelemetry registration', () => {
  const registrations = loadFunctionApp([join(root, 'functions', 'ingestTelemetry.ts')], { hook: false });
  const registration = registrations.get('ingestTelemetry');
  const trigger = Object.values(registration?.metadata.bindings ?? {}).find((b) => b.direction === 'in');

  it('registers an Event Hub trigger with batching and a string data type', () => {
    expect(trigger).toMatchObject({ type: 'eventHubTrigger', cardinality: 'many', dataType: 'binary' });
  });

  it('takes connection, hub and consumer group from app settings in the catalogue', () => {
    expect(trigger).toMatchObject({
      connection: connections.eventHub,
      eventHubName: `%${settings.eventHubName.name}%`,
      consumerGroup: `%${settings.eventHubConsumerGroup.name}%`,
    });
  });

  it('retries a failed batch with exponential backoff before the host checkpoints it', () => {
    expect(registration?.metadata.retryOptions).toMatchObject({
      strategy: 'exponentialBackoff',
      maxRetryCount: 8,
      minimumInterval: { seconds: 5 },
      // The library normalises Durations to seconds before handing them to the host.
      maximumInterval: { seconds: 300 },
    });
  });

  it('names only settings that local.settings.sample.json lists', () => {
    const sample = JSON.parse(readFileSync(join(root, 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };
    const referenced = [String(trigger?.eventHubName), String(trigger?.consumerGroup)].map((n) => n.replace(/^%|%$/g, ''));
    for (const name of referenced) expect(Object.keys(sample.Values)).toContain(name);
    const connection = String(trigger?.connection);
    expect(Object.keys(sample.Values).some((k) => k === connection || k.startsWith(`${connection}__`))).toBe(true);
  });

  it('local.settings.sample.json is exactly what the settings catalogue generates', () => {
    const sample: unknown = JSON.parse(readFileSync(join(root, 'local.settings.sample.json'), 'utf8'));
    expect(sample).toEqual(localSettingsSample());
    expect(Object.keys(localSettingsSample().Values)).toHaveLength(hostSettings.length + Object.keys(settings).length);
  });

  it('holds no secrets in the sample', () => {
    for (const value of Object.values(localSettingsSample().Values)) expect(value).not.toMatch(/AccountKey=|SharedAccessKey=|sig=/i);
  });
});
