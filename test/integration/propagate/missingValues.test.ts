// Through the emulator: a parent's derived values do not wait for reconcile. Twins that existed
// before the pipeline subscribed (no Twin.Create was ever handled for them) get every derived value
// the first time a change reaches them — including a count over rooms that never report occupancy
// (`floor-occupied-rooms`, `empty: {value: 0}`) — and a floor created later gets its values at once.
import type { Harness } from './harness';
import { createTwin, relate, setReading, startHarness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('CloudEvents');
  // The graph predates the pipeline: built while no route delivers its notifications.
  await h.client.deleteEventRoute('to-propagate');
  await createTwin(h.client, 'bldg', 'Building');
  await createTwin(h.client, 'f1', 'Floor');
  await relate(h.client, 'bldg', 'hasFloor', 'f1');
  await createTwin(h.client, 'f1r1', 'Room');
  await relate(h.client, 'f1', 'hasRoom', 'f1r1');
  await createTwin(h.client, 'f1r1t1', 'Thermostat');
  await relate(h.client, 'f1r1', 'hasDevice', 'f1r1t1');
  await h.client.upsertEventRoute('to-propagate', 'propagate', 'true');
});
afterAll(() => h.close());

it("a thermostat reading fills in the floor's and the building's occupied-rooms count, which no input change triggers", async () => {
  await setReading(h.client, 'f1r1t1', 'temperature', 21, '2024-05-01T10:00:00Z');
  await h.settle();
  expect(await h.twin('f1r1')).toMatchObject({ temperature: 21 });
  expect(await h.twin('f1')).toMatchObject({ avgTemperature: 21, maxTemperature: 21, occupiedRooms: 0 });
  expect(await h.twin('bldg')).toMatchObject({ avgTemperature: 21, occupiedRooms: 0 });
});

it('a floor created later gets all its derived values when it is created and linked', async () => {
  await createTwin(h.client, 'f2', 'Floor');
  await relate(h.client, 'bldg', 'hasFloor', 'f2');
  await relate(h.client, 'f2', 'hasRoom', 'f1r1');
  await h.settle();
  expect(await h.twin('f2')).toMatchObject({ avgTemperature: 21, maxTemperature: 21, occupiedRooms: 0 });
});
