// Loop safety across instances, end to end through the emulator: two independent propagate stacks
// (own client, gateway, port, propagator) take turns on the notifications of a cyclic twin graph.
// Every derived write continues the device's trace-id whole through ADT's round trip (request
// trace-id → notification trace-id), and each instance stops writing a parent after maxHops writes
// for that one change, so the loop ends.
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { AdtGateway } from '../../../shared/adt/gateway';
import { SdkAdtPort } from '../../../shared/adt/sdkPort';
import type { EventSummary } from '../../../shared/rollup';
import { compileRollups, GatewayRollupPort, Propagator, silentLogger, traceIdOf } from '../../../shared/rollup';
import { createTestClient } from '../../support/emulatorClient';

const SPACE = 'dtmi:hop:Space;1';
const ROOM = 'dtmi:hop:Room;1';
const models = [
  {
    '@id': SPACE,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;2',
    contents: [
      { '@type': 'Property', name: 't', schema: 'double', writable: true },
      { '@type': 'Relationship', name: 'feeds', target: SPACE },
    ],
  },
  { '@id': ROOM, '@type': 'Interface', '@context': 'dtmi:dtdl:context;2', extends: SPACE },
];
const maxHops = 5;

let emulator: EmulatorHandle;
afterEach(async () => emulator?.close());

it("a cyclic twin graph handled alternately by two instances stops after maxHops writes per parent, in the device's trace, with the hop-limited count reported", async () => {
  emulator = await startEmulator({
    endpoints: [
      {
        name: 'propagate',
        kind: 'subscriber',
        schema: 'EventGrid',
        concurrency: 1,
        delivery: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 10 },
      },
    ],
  });
  const admin = createTestClient(emulator);
  await admin.createModels(models);
  for (const id of ['A', 'B']) await admin.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: ROOM }, t: 0 }));
  await admin.upsertRelationship('A', 'feeds-B', { $targetId: 'B', $relationshipName: 'feeds' });
  await admin.upsertRelationship('B', 'feeds-A', { $targetId: 'A', $relationshipName: 'feeds' });
  // Room reads Space: the load-time check (without models) cannot see that Room is a Space.
  const compiled = compileRollups({
    settings: { maxHops, gatherMilliseconds: 0, queryLagSeconds: 60 },
    rules: [
      {
        name: 'loop',
        parentModel: ROOM,
        relationships: ['feeds'],
        childModel: SPACE,
        read: 'api',
        properties: { t: { expression: '$m + 1', inputs: { m: { aggregate: 'max', of: 't' } } } },
      },
    ],
  });
  const instance = () =>
    new Propagator({
      compiled,
      port: new GatewayRollupPort(
        new AdtGateway({ port: new SdkAdtPort(createTestClient(emulator)), retryPolicy: { baseDelayMs: 5, maxDelayMs: 20 } }),
      ),
    });
  const instances = [instance(), instance()];
  const handledBy: number[] = [];
  const summaries: EventSummary[] = [];
  const traceIds: (string | undefined)[] = [];
  let turn = 0;
  emulator.events.subscribe('propagate', async (event) => {
    const e = event as { data?: { traceparent?: string }; subject?: string };
    traceIds.push(traceIdOf(e.data?.traceparent));
    const which = turn++ % 2;
    handledBy.push(which);
    summaries.push(await instances[which]!.handle(event, silentLogger));
    // A broken guard would loop for ever: stop feeding it.
    if (turn > 100) for (const p of instances) p.close();
  });
  await admin.upsertEventRoute('updates', 'propagate', "type = 'Microsoft.DigitalTwins.Twin.Update'");
  await admin.updateDigitalTwin('B', [{ op: 'replace', path: '/t', value: 1 }], {
    requestOptions: { customHeaders: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
  });
  // Each derived write is emitted while its cause is being handled, so idle means the chain ended.
  await emulator.events.idle();

  expect(turn).toBeLessThan(100);
  expect(new Set(handledBy)).toEqual(new Set([0, 1]));
  // The device write's notification and every derived write's carried the device's trace-id whole.
  expect(traceIds).toEqual(new Array(2 * maxHops + 1).fill('0af7651916cd43dd8448eb211c80319c'));
  // Alternating, one instance writes A and the other B: each refused its parent's (maxHops + 1)th write.
  expect(summaries.reduce((n, s) => n + s.hopLimited, 0)).toBe(1);
  expect(summaries.at(-1)).toMatchObject({ hopLimited: 1, writes: 0 });
  const [a, b] = await Promise.all(['A', 'B'].map(async (id) => ((await admin.getDigitalTwin(id)).body as { t: number }).t));
  expect([a, b]).toEqual([10, 11]); // B=1 → A=2 → B=3 → … → A=10 → B=11, then the limit
  for (const p of instances) p.close();
});
