// A burst of child updates under one parent, propagated by our Propagator (consistent reads,
// per-parent coalescing, ETags, no-op suppression) and by the naive baseline, each on a fresh
// emulator with ADT's default limits; notifications are delivered like Event Grid does, several in
// parallel. Reports parent writes, 429s, time until quiet, and whether the parent ends exact.

import type { HttpOperationResponse, WebResourceLike } from '@azure/core-http';
import { DigitalTwinsClient } from '@azure/digital-twins-core';

import type { CloudEventNotification } from '../local/emulator/events/schemas';
import { startEmulator } from '../local/emulator/server';
import { createEmulatorClient, stubCredential, TrustingHttpClient } from '../local/emulator/trust';
import { AdtGateway, createAdtClient, emptyCallStats, SdkAdtPort } from '../shared/adt';
import { compilePipelineConfig } from '../shared/config';
import type { PropagateLogger } from '../shared/rollup';
import { GatewayRollupPort, Propagator } from '../shared/rollup';
import { rollupsOf } from '../shared/worker';
import { naivePropagateHandler } from './naivePropagate';
import { sensorModel, sensorModelId } from './workload';

export const roomModelId = 'dtmi:bench:Room;1';
const roomModel = {
  '@id': roomModelId,
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;2',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double', writable: true },
    { '@type': 'Relationship', name: 'hasSensor', target: sensorModelId },
  ],
};

export interface PropagateRunMetrics {
  implementation: 'propagator' | 'naive';
  childUpdates: number;
  /** From the first child write until every notification was handled. */
  wallMs: number;
  parentWrites: number;
  /** 429s the propagation side received (the burst's own writer is not counted). */
  throttled429: number;
  deliveriesFailed: number;
  parentExact: boolean;
}

/** Counts the 429 responses its client received, retried or not. */
class CountingHttpClient extends TrustingHttpClient {
  throttled = 0;
  override async sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    const response = await super.sendRequest(request);
    if (response.status === 429) this.throttled++;
    return response;
  }
}

const quiet: PropagateLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export async function runPropagate(
  implementation: 'propagator' | 'naive',
  children: number,
  updatesPerChild: number,
  parallelDeliveries = 8,
): Promise<PropagateRunMetrics> {
  const emulator = await startEmulator({
    endpoints: [
      {
        name: 'propagate',
        kind: 'subscriber',
        schema: 'CloudEvents',
        concurrency: parallelDeliveries,
        delivery: { maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 1000 },
      },
    ],
  });
  const admin = createEmulatorClient(emulator);
  const http = new CountingHttpClient(emulator.ca);
  try {
    await admin.client.createModels([sensorModel, roomModel]);
    await admin.client.upsertDigitalTwin('room', JSON.stringify({ $metadata: { $model: roomModelId }, temperature: 0 }));
    const childIds = Array.from({ length: children }, (_, i) => `child-${i}`);
    for (const id of childIds) {
      await admin.client.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: sensorModelId }, temperature: 0, humidity: 0 }));
      await admin.client.upsertRelationship('room', `hasSensor-${id}`, { $targetId: id, $relationshipName: 'hasSensor' });
    }

    // Every request of the propagation side goes through `http`, so its 429s are told from the writer's.
    if (implementation === 'propagator') {
      const compiled = rollupsOf(
        compilePipelineConfig(
          {
            rollups: {
              rules: [
                {
                  name: 'room',
                  parentModel: roomModelId,
                  relationships: ['hasSensor'],
                  childModel: sensorModelId,
                  properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
                },
              ],
            },
          },
          'bench',
        ),
      );
      const port = new GatewayRollupPort(
        new AdtGateway({ port: new SdkAdtPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient: http })) }),
      );
      const propagator = new Propagator({ compiled, port });
      emulator.events.subscribe('propagate', async (event) => {
        await propagator.handle(event, quiet);
      });
    } else {
      const handler = naivePropagateHandler(
        new DigitalTwinsClient(emulator.url, stubCredential, { httpClient: http }),
        sensorModelId,
        'hasSensor',
      );
      emulator.events.subscribe('propagate', (event) => handler(event as CloudEventNotification));
    }
    emulator.resetCounters();
    await admin.client.upsertEventRoute('to-propagate', 'propagate', "type = 'Microsoft.DigitalTwins.Twin.Update'");

    // The children are written through a gateway, which keeps the writer itself under 10 writes/s per twin.
    const writerHttp = new TrustingHttpClient(emulator.ca);
    const writer = new AdtGateway({
      port: new SdkAdtPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient: writerHttp })),
    });
    const last = new Map<string, number>();
    const started = performance.now();
    await Promise.all(
      childIds.map(async (id, c) => {
        for (let k = 1; k <= updatesPerChild; k++) {
          const value = c * 100 + k;
          last.set(id, value);
          await writer.updateTwin(id, [{ op: 'add', path: '/temperature', value }], {
            deadline: Date.now() + 300_000,
            stats: emptyCallStats(),
          });
        }
      }),
    );
    writerHttp.destroy();
    await emulator.events.idle();
    const wallMs = performance.now() - started;
    const expected = [...last.values()].reduce((a, b) => a + b, 0) / last.size;
    const room = (await admin.client.getDigitalTwin('room')).body as { temperature?: number };
    return {
      implementation,
      childUpdates: childIds.length * updatesPerChild,
      wallMs,
      parentWrites: emulator.counters().twinWrites.room?.patch ?? 0,
      throttled429: http.throttled,
      deliveriesFailed: emulator.events.stats().endpoints.propagate?.deadLettered ?? 0,
      parentExact: room.temperature !== undefined && Math.abs(room.temperature - expected) < 1e-9,
    };
  } finally {
    http.destroy();
    admin.httpClient.destroy();
    await emulator.close();
  }
}
