// A parent's derived values do not wait for the nightly reconcile: whenever a parent is recomputed
// (for any rule), every rule of the parent with no stored value is computed too, so a count with
// `empty: {value: 0}` over rooms that never report occupancy still gets its 0; and a parent created
// later gets all its values from its Twin.Create or from a relationship created toward it.
import type { RollupRule } from '../../../../shared/rollup';
import { compileRollups, Propagator, silentLogger } from '../../../../shared/rollup';
import { relationshipEvent, twinLifecycle, twinUpdate } from '../events';
import { M } from '../fixtures';
import { MemoryPort } from '../memoryPort';

const floorRules = (read: 'api' | 'view'): RollupRule[] => [
  {
    name: 'floor-climate',
    parentModel: M.floor,
    relationships: ['hasRoom'],
    childModel: M.room,
    read,
    properties: { maxTemperature: { aggregate: 'max', of: 'temperature' } },
  },
  {
    name: 'floor-occupied-rooms',
    parentModel: M.floor,
    relationships: ['hasRoom'],
    childModel: M.room,
    read,
    where: 'occupied = true',
    properties: { occupiedRooms: { aggregate: 'count', empty: { value: 0 } } },
  },
  { name: 'floor-zones', parentModel: M.floor, relationships: ['hasZone'], read, properties: { zones: { aggregate: 'count' } } },
];

function world(read: 'api' | 'view') {
  const port = new MemoryPort();
  for (const model of [M.room, M.floor]) port.models.set(model, []);
  port.addTwin('floor1', M.floor);
  port.addTwin('room1', M.room, { temperature: 20 });
  port.addTwin('room2', M.room, { temperature: 22 });
  port.relate('floor1', 'hasRoom', 'room1');
  port.relate('floor1', 'hasRoom', 'room2');
  const propagator = new Propagator({ compiled: compileRollups(floorRules(read)), port });
  const handle = (event: unknown) => propagator.handle(event, silentLogger);
  const twin = (id: string) => port.twins.get(id)!.twin;
  return { port, handle, twin, propagator };
}

describe.each(['api', 'view'] as const)('rules with no stored value (read: %s)', (read) => {
  it("a room temperature change also computes the floor's occupied-rooms count its rooms never report", async () => {
    const { port, handle, twin, propagator } = world(read);
    port.set('room1', 'temperature', 25);
    await handle(twinUpdate('room1', M.room, [{ op: 'replace', path: '/temperature', value: 25 }]));
    expect(twin('floor1')).toMatchObject({ maxTemperature: 25, occupiedRooms: 0, zones: 0 });
    propagator.close();
  });

  it('a rule whose value is stored is not recomputed when its inputs did not change', async () => {
    const { port, handle, twin, propagator } = world(read);
    port.set('floor1', 'occupiedRooms', 7); // stored (by reconcile, say): left to the rule's own inputs
    port.set('floor1', 'zones', 3);
    port.set('room1', 'temperature', 25);
    await handle(twinUpdate('room1', M.room, [{ op: 'replace', path: '/temperature', value: 25 }]));
    expect(twin('floor1')).toMatchObject({ maxTemperature: 25, occupiedRooms: 7, zones: 3 });
    propagator.close();
  });

  it('a floor created later gets every derived value from its Twin.Create', async () => {
    const { port, handle, twin, propagator } = world(read);
    port.addTwin('floor2', M.floor);
    port.relate('floor2', 'hasRoom', 'room2');
    await handle(twinLifecycle('Create', 'floor2', M.floor));
    expect(twin('floor2')).toMatchObject({ maxTemperature: 22, occupiedRooms: 0, zones: 0 });
    propagator.close();
  });

  it('a floor whose Twin.Create this instance never saw gets every value when a room is related to it', async () => {
    const { port, handle, twin, propagator } = world(read);
    port.addTwin('floor3', M.floor);
    port.relate('floor3', 'hasRoom', 'room1');
    // A rule of another relationship than the one created has no stored value either: computed too.
    await handle(relationshipEvent('Create', 'floor3', 'hasRoom', 'room1'));
    expect(twin('floor3')).toMatchObject({ maxTemperature: 20, occupiedRooms: 0, zones: 0 });
    propagator.close();
  });
});
