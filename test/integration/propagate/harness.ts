// Emulator + the real propagate stack (gateway → roll-up port → Propagator) wired through an
// event route to an in-process subscriber in the chosen schema.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import type { EmulatorHandle } from '../../../local/emulator/server';
import { startEmulator } from '../../../local/emulator/server';
import { AdtGateway } from '../../../shared/adt/gateway';
import { SdkAdtPort } from '../../../shared/adt/sdkPort';
import { parsePipelineConfig } from '../../../shared/config/load';
import type { EventSummary, PropagateLogger } from '../../../shared/rollup';
import { GatewayRollupPort, Propagator } from '../../../shared/rollup';
import { rollupsOf } from '../../../shared/worker';
import { createTestClient } from '../../support/emulatorClient';

export const B = 'dtmi:example:building:';
const scenario = join(__dirname, '../../../local/scenarios/building');

/**
 * The scenario's Thermostat uses semantic types (Temperature) with only the DTDL v3 core context,
 * which the emulator (like ADT) rejects; add the quantitative-types extension so these tests do not
 * depend on that fix (reported to the scenario owner).
 */
export function withQuantitativeTypes(model: Record<string, unknown>): Record<string, unknown> {
  if (model['@context'] !== 'dtmi:dtdl:context;3') return model;
  return { ...model, '@context': ['dtmi:dtdl:context;3', 'dtmi:dtdl:extension:quantitativeTypes;1'] };
}

export interface Harness {
  emulator: EmulatorHandle;
  client: DigitalTwinsClient;
  port: GatewayRollupPort;
  summaries: EventSummary[];
  logs: { level: string; message: string }[];
  /** Waits until every notification (including those caused by derived writes) is handled. */
  settle(): Promise<void>;
  twin(id: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The emulator's query lag (queries see writes this late; GET at once). Default 300 ms: tests
   * that rely on queries run with lag on, as ADT has it. */
  emulatorQueryLagMs?: number;
  /** The rollups' queryLagSeconds (the trailing refresh delay). Default: the emulator lag + 100 ms. */
  queryLagSeconds?: number;
}

export async function startHarness(schema: 'CloudEvents' | 'EventGrid', concurrency = 1, options: HarnessOptions = {}): Promise<Harness> {
  const lagMs = options.emulatorQueryLagMs ?? 300;
  const emulator = await startEmulator({
    queryLag: { lagMs },
    endpoints: [
      { name: 'propagate', kind: 'subscriber', schema, concurrency, delivery: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 } },
    ],
  });
  const client = createTestClient(emulator);
  const models = readdirSync(join(scenario, 'models')).map((f) =>
    withQuantitativeTypes(JSON.parse(readFileSync(join(scenario, 'models', f), 'utf8')) as Record<string, unknown>),
  );
  await client.createModels(models);
  const compiled = rollupsOf(parsePipelineConfig(readFileSync(join(scenario, 'pipeline.yaml'), 'utf8'), 'pipeline.yaml'));
  compiled.settings.queryLagSeconds = options.queryLagSeconds ?? (lagMs + 100) / 1000;
  const port = new GatewayRollupPort(new AdtGateway({ port: new SdkAdtPort(client), retryPolicy: { baseDelayMs: 5, maxDelayMs: 50 } }));
  const propagator = new Propagator({ compiled, port });
  const summaries: EventSummary[] = [];
  const logs: { level: string; message: string }[] = [];
  const at = (level: string) => (message: unknown) => logs.push({ level, message: String(message) });
  const logger: PropagateLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  emulator.events.subscribe('propagate', async (event) => {
    summaries.push(await propagator.handle(event, logger));
  });
  await client.upsertEventRoute('to-propagate', 'propagate', 'true');
  return {
    emulator,
    client,
    port,
    summaries,
    logs,
    settle: async () => {
      // Derived writes and trailing refreshes feed each other: wait until neither has work left.
      do {
        await emulator.events.idle();
        await propagator.idle();
        await emulator.events.idle();
      } while (propagator.pendingRefreshes > 0);
    },
    twin: async (id) => (await client.getDigitalTwin(id)).body as Record<string, unknown>,
    close: async () => {
      propagator.close();
      await emulator.close();
    },
  };
}

export async function createTwin(
  client: DigitalTwinsClient,
  id: string,
  model: string,
  props: Record<string, unknown> = {},
): Promise<void> {
  await client.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: `${B}${model};1` }, ...props }));
}

export async function relate(client: DigitalTwinsClient, source: string, name: string, target: string): Promise<void> {
  await client.upsertRelationship(source, `${name}-${target}`, { $targetId: target, $relationshipName: name });
}

/** Sets a reading the way ingest does: value plus its sourceTime. */
export async function setReading(
  client: DigitalTwinsClient,
  id: string,
  property: string,
  value: unknown,
  sourceTime: string,
  op: 'add' | 'replace' = 'add',
): Promise<void> {
  await client.updateDigitalTwin(id, [
    { op, path: `/${property}`, value },
    { op: 'add', path: `/$metadata/${property}/sourceTime`, value: sourceTime },
  ]);
}

/** building → 2 floors → 2 rooms each → 2 thermostats each (8 thermostats). */
export async function buildBuilding(client: DigitalTwinsClient): Promise<void> {
  await createTwin(client, 'bldg', 'Building');
  for (const f of [1, 2]) {
    await createTwin(client, `f${f}`, 'Floor');
    await relate(client, 'bldg', 'hasFloor', `f${f}`);
    for (const r of [1, 2]) {
      const room = `f${f}r${r}`;
      await createTwin(client, room, 'Room');
      await relate(client, `f${f}`, 'hasRoom', room);
      for (const t of [1, 2]) {
        await createTwin(client, `${room}t${t}`, 'Thermostat');
        await relate(client, room, 'hasDevice', `${room}t${t}`);
      }
    }
  }
}
