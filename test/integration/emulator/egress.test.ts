// The emulator's egress sink (--egress): one line per twin change, in the CloudEvents AMQP shape
// ADT sends to Event Hubs and Service Bus endpoints — cloudEvents:* application properties, the
// bare data as body — and nothing for changes the route does not select.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { egressFilter } from '../../../local/emulator';
import { parseCliArgs } from '../../../local/emulator/cliArgs';
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createTestClient } from '../../support/emulatorClient';
import { createFloor, createRoom, models, ROOM } from './fixtures';

interface EgressLine {
  endpoint: string;
  kind: string;
  properties: { contentType: string };
  applicationProperties: Record<string, string>;
  body: unknown;
}

const readLines = (file: string): EgressLine[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as EgressLine)
    : [];

async function withEmulator(
  kind: 'eventHub' | 'serviceBus' | undefined,
  work: (emulator: EmulatorHandle, client: DigitalTwinsClient, dir: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'egress-'));
  const emulator = await startEmulator({ limits: { perTwinWritesPerSecond: 1000 }, egress: { directory: dir, ...(kind && { kind }) } });
  try {
    await work(emulator, createTestClient(emulator), dir);
  } finally {
    await emulator.close();
  }
}

it('writes one event per twin change, in the CloudEvents AMQP shape, and no relationship events', async () => {
  await withEmulator(undefined, async (emulator, client, dir) => {
    await client.createModels(models);
    await createRoom(client, 'r1');
    await createFloor(client, 'f1');
    await client.updateDigitalTwin('r1', [{ op: 'add', path: '/temperature', value: 21.5 }]);
    await client.upsertRelationship('f1', 'f1-r1', { $relationshipName: 'contains', $targetId: 'r1' });
    await client.updateDigitalTwin('r1', [{ op: 'replace', path: '/temperature', value: 22 }]);
    await client.deleteRelationship('f1', 'f1-r1');
    await client.deleteDigitalTwin('r1');
    await emulator.events.idle();

    const file = join(dir, 'egress-eventHub.ndjson');
    expect(emulator.egress?.file).toBe(file);
    const lines = readLines(file);
    expect(lines.map((l) => [l.applicationProperties['cloudEvents:type'], l.applicationProperties['cloudEvents:subject']])).toEqual([
      ['Microsoft.DigitalTwins.Twin.Create', 'r1'],
      ['Microsoft.DigitalTwins.Twin.Create', 'f1'],
      ['Microsoft.DigitalTwins.Twin.Update', 'r1'],
      ['Microsoft.DigitalTwins.Twin.Update', 'r1'],
      ['Microsoft.DigitalTwins.Twin.Delete', 'r1'],
    ]);
    expect(emulator.egress?.written()).toBe(5);

    const update = lines[2] as EgressLine;
    expect(update.endpoint).toBe('egress');
    expect(update.kind).toBe('eventHub');
    expect(update.properties).toEqual({ contentType: 'application/json' });
    expect(Object.keys(update.applicationProperties).sort()).toEqual(
      [
        'cloudEvents:id',
        'cloudEvents:source',
        'cloudEvents:specversion',
        'cloudEvents:subject',
        'cloudEvents:time',
        'cloudEvents:traceparent',
        'cloudEvents:type',
      ].sort(),
    );
    expect(update.applicationProperties['cloudEvents:specversion']).toBe('1.0');
    expect(update.applicationProperties['cloudEvents:source']).toBe(emulator.host);
    expect(update.applicationProperties['cloudEvents:traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    // The body is the bare data: for an update, the model id and the JSON Patch ADT applied.
    expect(update.body).toEqual({ modelId: ROOM, patch: [{ op: 'add', path: '/temperature', value: 21.5 }] });
    // Lifecycle events carry the whole twin.
    expect((lines[0]?.body as { $dtId: string }).$dtId).toBe('r1');
  });
});

it('writes the Service Bus kind to its own file, and an admin reset keeps the route', async () => {
  await withEmulator('serviceBus', async (emulator, client, dir) => {
    await client.createModels(models);
    await createRoom(client, 'r1');
    await emulator.events.idle();
    await emulator.reset();
    expect((await client.getEventRoute('egress')).filter).toBe(egressFilter(false));
    await client.createModels(models);
    await createRoom(client, 'r2');
    await emulator.events.idle();
    const lines = readLines(join(dir, 'egress-serviceBus.ndjson'));
    expect(lines.map((l) => [l.kind, l.applicationProperties['cloudEvents:subject']])).toEqual([
      ['serviceBus', 'r1'],
      ['serviceBus', 'r2'],
    ]);
  });
});

it('routes relationship changes only when asked, and the CLI flags set the option', () => {
  expect(egressFilter(true)).toContain("type = 'Microsoft.DigitalTwins.Relationship.Create'");
  expect(egressFilter(false)).not.toContain('Relationship');
  expect(parseCliArgs(['--egress', '/tmp/x', '--egress-kind', 'serviceBus']).emulator.egress).toEqual({
    directory: '/tmp/x',
    kind: 'serviceBus',
  });
  expect(() => parseCliArgs(['--egress-kind', 'serviceBus'])).toThrow('--egress-kind needs --egress <dir>');
  expect(() => parseCliArgs(['--egress', '/tmp/x', '--egress-kind', 'kafka'])).toThrow('eventHub or serviceBus');
});
