// The old parent of a re-pointed relationship, found without instance memory. Rooms point at
// their level (`isPartOf`, RealEstateCore's direction); a PUT gives a room's relationship a new
// target. The Relationship.Update names neither the old target nor the relationship, so a fresh
// instance (no views, no parent memory) must still leave both levels exact: it reconciles the
// affected rule once the query index (lag on) shows the change. Deletes need no memory at all.
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { AdtGateway } from '../../../shared/adt/gateway';
import { SdkAdtPort } from '../../../shared/adt/sdkPort';
import { compileRollups, GatewayRollupPort, Propagator, silentLogger } from '../../../shared/rollup';
import { createTestClient } from '../../support/emulatorClient';

const LEVEL = 'dtmi:rp:Level;1';
const ROOM = 'dtmi:rp:Room;1';
const models = [
  {
    '@id': LEVEL,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;2',
    contents: [
      { '@type': 'Property', name: 'rooms', schema: 'integer', writable: true },
      { '@type': 'Property', name: 'maxTemperature', schema: 'double', writable: true },
    ],
  },
  {
    '@id': ROOM,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;2',
    contents: [
      { '@type': 'Property', name: 'temperature', schema: 'double', writable: true },
      { '@type': 'Relationship', name: 'isPartOf', target: LEVEL },
    ],
  },
];
const lagMs = 300;
const compiled = () =>
  compileRollups({
    settings: { gatherMilliseconds: 0, queryLagSeconds: (lagMs + 100) / 1000 },
    rules: [
      {
        name: 'level',
        parentModel: LEVEL,
        relationships: ['isPartOf'],
        direction: 'incoming',
        childModel: ROOM,
        properties: { rooms: { aggregate: 'count' }, maxTemperature: { aggregate: 'max', of: 'temperature' } },
      },
    ],
  });

let emulator: EmulatorHandle;
const instances: Propagator[] = [];
afterEach(async () => {
  for (const p of instances.splice(0)) p.close();
  await emulator?.close();
});

/** A new instance: its own client, gateway, port and propagator (no views, no memory), now the only subscriber. */
function freshInstance(unsubscribe?: () => void): { propagator: Propagator; unsubscribe: () => void } {
  unsubscribe?.();
  const propagator = new Propagator({
    compiled: compiled(),
    port: new GatewayRollupPort(
      new AdtGateway({ port: new SdkAdtPort(createTestClient(emulator)), retryPolicy: { baseDelayMs: 5, maxDelayMs: 20 } }),
    ),
  });
  instances.push(propagator);
  return {
    propagator,
    unsubscribe: emulator.events.subscribe('propagate', async (event) => void (await propagator.handle(event, silentLogger))),
  };
}

async function settle(propagator: Propagator): Promise<void> {
  do {
    await emulator.events.idle();
    await propagator.idle();
    await emulator.events.idle();
  } while (propagator.pendingRefreshes > 0);
}

it('a fresh instance handling a re-point by PUT leaves the old and the new parent exact; a fresh one handling a delete too', async () => {
  emulator = await startEmulator({
    queryLag: { lagMs },
    endpoints: [
      {
        name: 'propagate',
        kind: 'subscriber',
        schema: 'CloudEvents',
        concurrency: 4,
        delivery: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
      },
    ],
  });
  const admin = createTestClient(emulator);
  await admin.createModels(models);
  await admin.upsertEventRoute('all', 'propagate', 'true');
  let current = freshInstance();
  for (const id of ['L1', 'L2']) await admin.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: LEVEL } }));
  for (const [id, t] of [
    ['R1', 20],
    ['R2', 30],
  ] as const) {
    await admin.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: ROOM }, temperature: t }));
    await admin.upsertRelationship(id, `part-${id}`, { $targetId: 'L1', $relationshipName: 'isPartOf' });
  }
  await settle(current.propagator);
  const level = async (id: string) => (await admin.getDigitalTwin(id)).body as Record<string, unknown>;
  expect(await level('L1')).toMatchObject({ rooms: 2, maxTemperature: 30 });
  expect(await level('L2')).toMatchObject({ rooms: 0 });

  // The instance that knew L1's children is gone; a fresh one hears the re-point.
  current = freshInstance(current.unsubscribe);
  await admin.upsertRelationship('R2', 'part-R2', { $targetId: 'L2', $relationshipName: 'isPartOf' });
  await settle(current.propagator);
  expect(await level('L2')).toMatchObject({ rooms: 1, maxTemperature: 30 });
  expect(await level('L1')).toMatchObject({ rooms: 1, maxTemperature: 20 });
  expect(current.propagator.stats.repointReconciles).toBeGreaterThanOrEqual(1);
  expect(current.propagator.stats.repointReconcileWrites).toBeGreaterThanOrEqual(1);

  // Deleting a room with another fresh instance: ADT refuses to delete a twin with relationships, so
  // L1 hears a Relationship.Delete carrying the relationship's last state — its target.
  current = freshInstance(current.unsubscribe);
  await admin.deleteRelationship('R1', 'part-R1');
  await admin.deleteDigitalTwin('R1');
  await settle(current.propagator);
  const l1 = await level('L1');
  expect(l1).toMatchObject({ rooms: 0 });
  expect(l1).not.toHaveProperty('maxTemperature');
  expect(current.propagator.stats.repointReconciles).toBe(0);
});
