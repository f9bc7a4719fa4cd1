import { AdtRequestError } from '../../../../shared/adt';
import type { RollupRule } from '../../../../shared/rollup';
import { compileRollups, Propagator, silentLogger } from '../../../../shared/rollup';
import { cloudEvent, relationshipEvent, twinLifecycle, twinUpdate } from '../events';
import { buildingRules, M } from '../fixtures';
import { MemoryPort } from '../memoryPort';

/** These cases pin the consistent `read: api` mode (every child by GET); view mode: views.test.ts. */
function world(rules: RollupRule[] = buildingRules.map((r) => ({ ...r, read: 'api' as const }))) {
  const port = new MemoryPort();
  port.models.set(M.thermostat, []);
  port.models.set(M.smartThermostat, [M.thermostat]);
  port.models.set(M.room, []);
  port.models.set(M.floor, []);
  port.models.set(M.building, []);
  port.addTwin('room1', M.room);
  port.addTwin('t1', M.thermostat, { temperature: 20 }, { temperature: '2024-01-01T10:00:00Z' });
  port.addTwin('t2', M.thermostat, { temperature: 24 }, { temperature: '2024-01-01T10:00:05Z' });
  port.relate('room1', 'contains', 't1');
  port.relate('room1', 'contains', 't2');
  const propagator = new Propagator({ compiled: compileRollups(rules), port });
  const handle = (event: unknown) => propagator.handle(event, silentLogger);
  const room = () => port.twins.get('room1')!.twin;
  return { port, handle, room };
}

const setTemp = (id: string, op: 'add' | 'replace' | 'remove' = 'replace', value = 0) =>
  twinUpdate(id, M.thermostat, [op === 'remove' ? { op, path: '/temperature' } : { op, path: '/temperature', value }]);

describe('Propagator', () => {
  it('recomputes the parent when a patch touches an input, writing the value and the newest input sourceTime', async () => {
    const { handle, room, port } = world();
    const summary = await handle(setTemp('t1'));
    expect(room().temperature).toBe(22);
    expect(room().$metadata.temperature).toMatchObject({ sourceTime: '2024-01-01T10:00:05Z' });
    expect(summary).toMatchObject({ outcome: 'processed', parentsRecomputed: 1, writes: 1, skippedUnchanged: 0, preconditionRetries: 0 });
    expect(summary.reads).toMatchObject({ twinReads: 3, relationshipLists: 2 });
    expect(port.patches).toHaveLength(1);
  });

  it.each(['add', 'replace', 'remove'] as const)('a %s patch of an input propagates', async (op) => {
    const { handle, room, port } = world();
    await handle(setTemp('t1'));
    if (op === 'remove') delete port.twins.get('t2')!.twin.temperature;
    else port.set('t2', 'temperature', 30);
    await handle(op === 'remove' ? setTemp('t2', 'remove') : setTemp('t2', op, 30));
    expect(room().temperature).toBe(op === 'remove' ? 20 : 25);
  });

  it('ignores patches that touch no input: no reads of parents, no writes', async () => {
    const { handle, port } = world();
    const summary = await handle(twinUpdate('t1', M.thermostat, [{ op: 'replace', path: '/label', value: 'x' }]));
    expect(summary).toMatchObject({ parentsRecomputed: 0, writes: 0 });
    expect(summary.reads.relationshipLists).toBe(0);
    expect(port.patches).toHaveLength(0);
  });

  it('skips the write when the derived value is unchanged within tolerance', async () => {
    const { handle, port } = world();
    await handle(setTemp('t1'));
    port.set('t1', 'temperature', 20 + 1e-12);
    const summary = await handle(setTemp('t1'));
    expect(summary).toMatchObject({ writes: 0, skippedUnchanged: 1 });
    expect(port.patches).toHaveLength(1);
  });

  it('adding and removing a child through the rule relationship updates the parent; zero children removes the value', async () => {
    const { handle, room, port } = world();
    await handle(setTemp('t1'));
    port.addTwin('t3', M.smartThermostat, { temperature: 31 });
    port.relate('room1', 'contains', 't3');
    await handle(relationshipEvent('Create', 'room1', 'contains', 't3'));
    expect(room().temperature).toBe(25); // SmartThermostat extends Thermostat, so it counts
    for (const child of ['t1', 't2', 't3']) {
      port.unrelate('room1', child);
      await handle(relationshipEvent('Delete', 'room1', 'contains', child));
    }
    expect(room()).not.toHaveProperty('temperature');
  });

  it('writes the configured empty value for a parent with no children', async () => {
    const rules: RollupRule[] = [
      {
        ...buildingRules[0]!,
        properties: { temperature: { aggregate: 'avg', of: 'temperature', empty: { value: -1 } }, thermostats: { aggregate: 'count' } },
      },
    ];
    const { handle, room, port } = world(rules.map((r) => ({ ...r, read: 'api' as const })));
    port.unrelate('room1', 't1');
    port.unrelate('room1', 't2');
    await handle(relationshipEvent('Delete', 'room1', 'contains', 't2'));
    expect(room()).toMatchObject({ temperature: -1, thermostats: 0 });
  });

  it('Twin.Delete after the relationship is gone still recomputes the former parent, in either order', async () => {
    const { handle, room, port } = world();
    await handle(setTemp('t1')); // teaches the instance that t2's parent is room1
    port.unrelate('room1', 't2');
    port.twins.delete('t2');
    // Twin.Delete delivered before Relationship.Delete:
    await handle(twinLifecycle('Delete', 't2', M.thermostat));
    expect(room().temperature).toBe(20);
    const late = await handle(relationshipEvent('Delete', 'room1', 'contains', 't2'));
    expect(late).toMatchObject({ writes: 0, skippedUnchanged: 1 });
  });

  it('on 412 re-reads and recomputes, ending with the value that includes the interleaved write', async () => {
    const { handle, room, port } = world();
    let interleaved = false;
    port.beforePatch = (id) => {
      if (id === 'room1' && !interleaved) {
        interleaved = true;
        port.set('t2', 'temperature', 40);
        port.set('room1', 'note', 'touched by another writer');
      }
    };
    const summary = await handle(setTemp('t1'));
    expect(summary).toMatchObject({ writes: 1, preconditionRetries: 1 });
    expect(room().temperature).toBe(30);
  });

  it('view mode: a 412 re-reads the children too, since the other writer saw changes this instance did not', async () => {
    const { handle, room, port } = world(buildingRules.map((r) => ({ ...r, read: 'view' as const })));
    port.set('t1', 'temperature', 0);
    await handle(setTemp('t1')); // loads the view: t1 0, t2 24
    expect(room().temperature).toBe(12);
    // Another instance handled t2's notification (this one never hears of it) and wrote the room.
    let interleaved = false;
    port.beforePatch = (id) => {
      if (id === 'room1' && !interleaved) {
        interleaved = true;
        port.set('t2', 'temperature', 40, '2024-01-01T10:00:09Z');
        port.set('room1', 'temperature', 20);
      }
    };
    port.set('t1', 'temperature', 10);
    const summary = await handle(setTemp('t1', 'replace', 10));
    expect(summary).toMatchObject({ writes: 1, preconditionRetries: 1 });
    // From the stale view it would write (10 + 24) / 2 = 17 over the other instance's newer work.
    expect(room().temperature).toBe(25);
  });

  it('gives up after the bounded 412 retries with a transient error so Event Grid redelivers', async () => {
    const { handle, port } = world();
    port.beforePatch = (id) => port.set(id, 'note', 'always someone else');
    await expect(handle(setTemp('t1'))).rejects.toThrow(/changed under every one of 6 recompute attempts/);
  });

  it('evaluates JSONata expressions over aggregates and honours where filters', async () => {
    const rules: RollupRule[] = [
      {
        ...buildingRules[0]!,
        where: "$not(status = 'offline')", // JSONata: a comparison with a missing field is false
        properties: { comfort: { expression: "$avg >= 22 ? 'warm' : 'cool'", inputs: { avg: { aggregate: 'avg', of: 'temperature' } } } },
      },
    ];
    const { handle, room, port } = world(rules.map((r) => ({ ...r, read: 'api' as const })));
    await handle(setTemp('t1'));
    expect(room().comfort).toBe('warm');
    port.set('t2', 'status', 'offline');
    await handle(twinUpdate('t2', M.thermostat, [{ op: 'add', path: '/status', value: 'offline' }]));
    expect(room().comfort).toBe('cool');
  });

  it('a new parent twin gets its empty values on Twin.Create', async () => {
    const rules: RollupRule[] = [{ ...buildingRules[0]!, properties: { thermostats: { aggregate: 'count' } } }];
    const { handle, port } = world(rules.map((r) => ({ ...r, read: 'api' as const })));
    port.addTwin('room2', M.room);
    await handle(twinLifecycle('Create', 'room2', M.room));
    expect(port.twins.get('room2')!.twin.thermostats).toBe(0);
  });

  it('drops malformed events and ignores telemetry and unknown types without reads or writes', async () => {
    const { handle, port } = world();
    expect(await handle({ hello: 'world' })).toMatchObject({
      outcome: 'malformed',
      reason: expect.stringContaining('neither the CloudEvents 1.0 schema'),
    });
    expect(await handle(cloudEvent('Microsoft.DigitalTwins.Twin.Update', 't1', { patch: 'x' }))).toMatchObject({
      outcome: 'malformed',
      reason: expect.stringContaining('data.modelId is missing'),
    });
    expect(await handle(cloudEvent('microsoft.iot.telemetry', '', { temperature: 1 }))).toMatchObject({ outcome: 'ignored' });
    expect(await handle(cloudEvent('Contoso.Other', 'x', {}))).toMatchObject({ outcome: 'ignored' });
    expect(port.patches).toHaveLength(0);
  });

  it('fails the invocation on a transient ADT failure and acknowledges a permanent one', async () => {
    const { handle, port } = world();
    port.listIncoming = async () => {
      throw new AdtRequestError('Too many requests', 429, 'TooManyRequests');
    };
    await expect(handle(setTemp('t1'))).rejects.toThrow('Too many requests');
    port.listIncoming = async () => {
      throw new AdtRequestError('Invalid twin specified', 400, 'ValidationFailed');
    };
    expect(await handle(setTemp('t1'))).toMatchObject({ outcome: 'rejected', reason: '400 ValidationFailed Invalid twin specified' });
  });

  it('coalesces a burst of concurrent child updates into at most two writes of the parent', async () => {
    const { handle, room, port } = world();
    const burst = Array.from({ length: 50 }, (_, i) => {
      port.set('t1', 'temperature', i);
      return handle(setTemp('t1'));
    });
    const summaries = await Promise.all(burst);
    expect(port.patches.filter((p) => p.id === 'room1').length).toBeLessThanOrEqual(2);
    expect(room().temperature).toBe((49 + 24) / 2);
    expect(summaries.filter((s) => s.parents[0]?.shared).length).toBeGreaterThanOrEqual(48);
  });
});
