// Emulator + N propagators (instances) with one manual clock, for conditions: every notification
// is handed to every instance (as redelivery and scale-out can), and the sweep can run on several
// instances at once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { AdtGateway } from '../../../shared/adt/gateway';
import { SdkAdtPort } from '../../../shared/adt/sdkPort';
import { parsePipelineConfig } from '../../../shared/config/load';
import { type ConditionSweepSummary, GatewayRollupPort, Propagator, sweepConditions } from '../../../shared/rollup';
import { rollupsOf } from '../../../shared/worker';
import { createTestClient } from '../../support/emulatorClient';

export const ROOM = 'dtmi:test:cond:Room;1';

export const roomModel = {
  '@id': ROOM,
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double' },
    { '@type': 'Property', name: 'overheated', schema: 'boolean' },
    { '@type': 'Property', name: 'overheatedSince', schema: 'dateTime' },
    { '@type': 'Property', name: 'overheatedPending', schema: 'dateTime' },
    { '@type': 'Property', name: 'heat', schema: 'string' },
    { '@type': 'Property', name: 'heatSince', schema: 'dateTime' },
  ],
};

export const pipelineYaml = `
rollups:
  conditions:
    - name: overheated
      model: "${ROOM}"
      when: temperature > 26
      clear: temperature < 25
      raiseAfter: 300
      clearAfter: 60
      write: { property: overheated, since: overheatedSince, pending: overheatedPending }
    - name: heat
      model: "${ROOM}"
      when: temperature > 26
      clear: temperature < 25
      write: { property: heat, states: { raised: hot, cleared: ok }, since: heatSince }
`;

export interface ManualClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  advance(ms: number): void;
}

export function manualClock(start = Date.parse('2026-01-01T00:00:00Z')): ManualClock {
  let t = start;
  return { now: () => t, sleep: () => Promise.resolve(), advance: (ms) => void (t += ms) };
}

export interface ConditionHarness {
  emulator: EmulatorHandle;
  client: DigitalTwinsClient;
  clock: ManualClock;
  instances: Propagator[];
  egressFile: string;
  /** Sets the temperature the way ingest does and waits until every instance handled the notification. */
  read(id: string, temperature: number): Promise<void>;
  /** The sweep, on every instance at once. */
  sweep(): Promise<ConditionSweepSummary[]>;
  twin(id: string): Promise<Record<string, unknown>>;
  /** Steps written, summed over the instances. */
  steps(): Record<string, number>;
  close(): Promise<void>;
}

export async function startConditionHarness(instanceCount = 1): Promise<ConditionHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'conditions-'));
  const egressFile = join(dir, 'downstream.ndjson');
  const emulator = await startEmulator({
    limits: { perTwinWritesPerSecond: 1000 },
    endpoints: [
      { name: 'propagate', kind: 'subscriber', schema: 'CloudEvents', delivery: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 } },
      { name: 'downstream', kind: 'eventHub', file: egressFile },
    ],
  });
  const client = createTestClient(emulator);
  await client.createModels([roomModel]);
  const compiled = rollupsOf(parsePipelineConfig(pipelineYaml, 'pipeline.yaml'));
  const clock = manualClock();
  const ports = Array.from(
    { length: instanceCount },
    () => new GatewayRollupPort(new AdtGateway({ port: new SdkAdtPort(client), retryPolicy: { baseDelayMs: 5, maxDelayMs: 50 } })),
  );
  const instances = ports.map((port) => new Propagator({ compiled, port, clock }));
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  emulator.events.subscribe('propagate', async (event) => {
    // Every instance gets the notification: N instances and redeliveries, at once.
    await Promise.all(instances.map((p) => p.handle(event, quiet)));
  });
  await client.upsertEventRoute('to-propagate', 'propagate', 'true');
  // What ROLLUPS.md shows downstream: updates of the model's twins (route filters cannot look inside the patch).
  await client.upsertEventRoute('to-downstream', 'downstream', `type = 'Microsoft.DigitalTwins.Twin.Update' AND $body.modelId = '${ROOM}'`);
  const settle = async (): Promise<void> => {
    await emulator.events.idle();
    await Promise.all(instances.map((p) => p.idle()));
    await emulator.events.idle();
  };
  return {
    emulator,
    client,
    clock,
    instances,
    egressFile,
    read: async (id, temperature) => {
      await client.updateDigitalTwin(id, [
        { op: 'add', path: '/temperature', value: temperature },
        { op: 'add', path: '/$metadata/temperature/sourceTime', value: new Date(clock.now()).toISOString() },
      ]);
      await settle();
    },
    sweep: async () => {
      const summaries = await Promise.all(instances.map((p, i) => sweepConditions(p.conditions, ports[i] as GatewayRollupPort)));
      await settle();
      return summaries;
    },
    twin: async (id) => (await client.getDigitalTwin(id)).body as Record<string, unknown>,
    steps: () => {
      const total: Record<string, number> = {};
      for (const p of instances) for (const [k, v] of Object.entries(p.conditions.stats.steps)) total[k] = (total[k] ?? 0) + v;
      return total;
    },
    close: async () => {
      for (const p of instances) p.close();
      await emulator.close();
    },
  };
}
