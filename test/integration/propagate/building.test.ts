import type { Harness } from './harness';
import { buildBuilding, createTwin, relate, setReading, startHarness } from './harness';

const temps: Record<string, number> = { f1r1t1: 20, f1r1t2: 22, f1r2t1: 25, f1r2t2: 26, f2r1t1: 18, f2r1t2: 19, f2r2t1: 30, f2r2t2: 21 };

describe.each(['CloudEvents', 'EventGrid'] as const)('propagation through the emulator (%s schema)', (schema) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(schema);
    await buildBuilding(h.client);
    await h.settle();
    let second = 0;
    for (const [id, value] of Object.entries(temps)) await setReading(h.client, id, 'temperature', value, `2024-05-01T10:00:0${second++}Z`);
    await h.settle();
  });
  afterAll(() => h.close());

  it('converges thermostats → rooms → floors → building to the exact values', async () => {
    expect((await h.twin('f1r1')).temperature).toBe(21);
    expect((await h.twin('f1r2')).temperature).toBe(25.5);
    expect((await h.twin('f2r1')).temperature).toBe(18.5);
    expect((await h.twin('f2r2')).temperature).toBe(25.5);
    expect(await h.twin('f1')).toMatchObject({ avgTemperature: 23.25, maxTemperature: 25.5 });
    expect(await h.twin('f2')).toMatchObject({ avgTemperature: 22, maxTemperature: 25.5 });
    const bldg = await h.twin('bldg');
    expect(bldg).toMatchObject({ avgTemperature: 22.625, maxTemperature: 25.5 });
    // Derived values carry the newest input sourceTime up the chain.
    expect((bldg.$metadata as Record<string, { sourceTime?: string }>).maxTemperature?.sourceTime).toBe('2024-05-01T10:00:07Z');
    expect(h.summaries.every((s) => s.schema === (schema === 'CloudEvents' ? 'cloudEvents' : 'eventGrid'))).toBe(true);
    expect(h.logs.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it('replace and remove patches propagate', async () => {
    await setReading(h.client, 'f2r2t1', 'temperature', 40, '2024-05-01T11:00:00Z', 'replace');
    await h.settle();
    expect(await h.twin('f2')).toMatchObject({ maxTemperature: 30.5 });
    expect(await h.twin('bldg')).toMatchObject({ maxTemperature: 30.5 });
    await h.client.updateDigitalTwin('f2r2t1', [{ op: 'remove', path: '/temperature' }]);
    await h.settle();
    expect((await h.twin('f2r2')).temperature).toBe(21);
    expect(await h.twin('bldg')).toMatchObject({ maxTemperature: 25.5 });
  });

  it('adding and removing a child updates the parent; deleting a twin updates its former parent; no children removes the value', async () => {
    await createTwin(h.client, 'f1r1t3', 'Thermostat', { temperature: 27 });
    await relate(h.client, 'f1r1', 'hasDevice', 'f1r1t3');
    await h.settle();
    expect((await h.twin('f1r1')).temperature).toBe(23);
    // ADT requires relationships deleted first: Relationship.Delete then Twin.Delete.
    await h.client.deleteRelationship('f1r1', 'hasDevice-f1r1t3');
    await h.client.deleteDigitalTwin('f1r1t3');
    await h.settle();
    expect((await h.twin('f1r1')).temperature).toBe(21);
    await h.client.deleteRelationship('f2r2', 'hasDevice-f2r2t1');
    await h.client.deleteRelationship('f2r2', 'hasDevice-f2r2t2');
    await h.settle();
    expect(await h.twin('f2r2')).not.toHaveProperty('temperature');
    expect(await h.twin('f2')).toMatchObject({ avgTemperature: 18.5, maxTemperature: 18.5 });
  });
});
