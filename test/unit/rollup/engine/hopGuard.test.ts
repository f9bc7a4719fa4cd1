// Loop safety across instances with the device's trace kept whole: a derived write continues its
// cause's trace-id unchanged (ADT copies it into the notification the write causes), and each
// instance refuses to write one parent more than maxHops times for one change (trace-id + newest
// input sourceTime). Proven on a cyclic twin graph handled alternately by independent instances
// (separate module registries: nothing shared but "ADT").
import { randomBytes } from 'node:crypto';

import type { EventSummary, Propagator as PropagatorClass, RollupRule } from '../../../../shared/rollup';
import { compileRollups, continueTrace, HopGuard, silentLogger, traceIdOf } from '../../../../shared/rollup';
import { cloudEvent } from '../events';
import { buildingRules, M } from '../fixtures';
import { MemoryPort } from '../memoryPort';

const deviceTraceId = '0af7651916cd43dd8448eb211c80319c';
const deviceTrace = `00-${deviceTraceId}-b7ad6b7169203331-01`;

/** What ADT puts on the notification of a write: the request's trace-id, a new span-id. */
function notificationTrace(requestTraceparent: string | undefined): string {
  const [version, traceId, , flags] = (requestTraceparent ?? '').split('-');
  if (traceId === undefined) return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
  return `${version}-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}

describe('the trace a derived write sends', () => {
  it("keeps the cause's trace-id whole and its flags, and starts a new span", () => {
    const next = continueTrace(deviceTrace);
    expect(next).toMatch(new RegExp(`^00-${deviceTraceId}-[0-9a-f]{16}-01$`));
    expect(next.split('-')[2]).not.toBe('b7ad6b7169203331');
    expect(traceIdOf(continueTrace(next))).toBe(deviceTraceId);
    expect(continueTrace(`00-${deviceTraceId}-b7ad6b7169203331-00`).endsWith('-00')).toBe(true);
  });

  it('starts a fresh trace for a missing, malformed or all-zero cause', () => {
    for (const cause of [undefined, 'garbage', `ff-${deviceTraceId}-b7ad6b7169203331-01`, `00-${'0'.repeat(32)}-b7ad6b7169203331-01`]) {
      const fresh = continueTrace(cause);
      expect(fresh).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(traceIdOf(fresh)).not.toBe(deviceTraceId);
    }
    expect(traceIdOf(undefined)).toBeUndefined();
  });
});

describe('HopGuard', () => {
  it('allows maxHops writes of a parent per change, counted per trace-id, parent and newest input sourceTime', () => {
    const guard = new HopGuard(2);
    const t = '2024-01-01T00:00:00Z';
    for (let i = 0; i < 2; i++) {
      expect(guard.allows(deviceTraceId, 'A', t)).toBe(true);
      guard.record(deviceTraceId, 'A', t);
    }
    expect(guard.allows(deviceTraceId, 'A', t)).toBe(false);
    expect(guard.allows(deviceTraceId, 'B', t)).toBe(true); // another parent
    expect(guard.allows(deviceTraceId, 'A', '2024-01-01T00:00:01Z')).toBe(true); // a new reading re-using the trace
    expect(guard.allows('ffffffffffffffffffffffffffffffff', 'A', t)).toBe(true); // another change
    expect(guard.allows(undefined, 'A', t)).toBe(true); // no chain (reconcile)
  });

  it('forgets a chain after its time-to-live', () => {
    let now = 0;
    const guard = new HopGuard(1, { ttlMs: 1000, now: () => now });
    guard.record(deviceTraceId, 'A', undefined);
    expect(guard.allows(deviceTraceId, 'A', undefined)).toBe(false);
    now = 1001;
    expect(guard.allows(deviceTraceId, 'A', undefined)).toBe(true);
  });
});

const SPACE = 'dtmi:t:Space;1';
const ROOM = 'dtmi:t:Room;1';
/** Passes the load-time check (Room reads Space, a different model) but Room extends Space, so
 * two rooms feeding each other loop for ever: each hop writes the other's value + 1. */
const loopRule: RollupRule = {
  name: 'loop',
  parentModel: ROOM,
  relationships: ['feeds'],
  childModel: SPACE,
  properties: { t: { expression: '$m + 1', inputs: { m: { aggregate: 'max', of: 't' } } } },
};

function cyclicWorld() {
  const port = new MemoryPort();
  port.models.set(SPACE, []);
  port.models.set(ROOM, [SPACE]);
  port.addTwin('A', ROOM, { t: 0 });
  port.addTwin('B', ROOM, { t: 0 });
  port.relate('A', 'feeds', 'B');
  port.relate('B', 'feeds', 'A');
  return port;
}

/** A Propagator class from its own module registry: no module state shared with another one. */
function isolatedPropagator(): typeof PropagatorClass {
  let loaded: typeof PropagatorClass | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = (require('../../../../shared/rollup') as typeof import('../../../../shared/rollup')).Propagator;
  });
  return loaded!;
}

/**
 * Starts the loop with a device write to B, then delivers each derived write's notification (with
 * the trace context ADT would give it) to the instances in turn. Bounded, so a guard that does
 * not hold fails the test instead of hanging it.
 */
async function runLoop(port: MemoryPort, instances: PropagatorClass[], trace = deviceTrace, maxDeliveries = 200): Promise<EventSummary[]> {
  const summaries: EventSummary[] = [];
  const first = port.patches.length;
  port.set('B', 't', 1);
  summaries.push(
    await instances[0]!.handle(
      cloudEvent('Microsoft.DigitalTwins.Twin.Update', 'B', { modelId: ROOM, patch: [{ op: 'replace', path: '/t', value: 1 }] }, trace),
      silentLogger,
    ),
  );
  let delivered = first;
  while (delivered < port.patches.length && delivered - first < maxDeliveries) {
    const write = port.patches[delivered]!;
    const instance = instances[(delivered - first + 1) % instances.length]!;
    delivered += 1;
    summaries.push(
      await instance.handle(
        cloudEvent(
          'Microsoft.DigitalTwins.Twin.Update',
          write.id,
          { modelId: ROOM, patch: write.ops },
          notificationTrace(write.traceparent),
        ),
        silentLogger,
      ),
    );
  }
  return summaries;
}

describe("a cyclic twin graph stops, every write in the device's trace", () => {
  const maxHops = 6;
  const compiled = () => compileRollups({ settings: { maxHops, gatherMilliseconds: 0, queryLagSeconds: 60 }, rules: [loopRule] });

  it('handled alternately by two independent instances', async () => {
    const port = cyclicWorld();
    const [A, B] = [isolatedPropagator(), isolatedPropagator()];
    expect(A).not.toBe(B); // two module registries, two sets of module state
    const instances = [new A({ compiled: compiled(), port }), new B({ compiled: compiled(), port })];
    const summaries = await runLoop(port, instances);
    // Alternating, one instance always writes A and the other B: each refuses its parent's 7th write.
    expect(port.patches).toHaveLength(2 * maxHops);
    expect(port.patches.every((p) => traceIdOf(p.traceparent) === deviceTraceId)).toBe(true);
    // The refused write was reported once, by the instance that saw it.
    expect(summaries.at(-1)).toMatchObject({ hopLimited: 1, writes: 0 });
    expect(summaries.reduce((n, s) => n + s.hopLimited, 0)).toBe(1);
    expect(instances.map((p) => p.stats.hopLimited).sort()).toEqual([0, 1]);
    expect([port.twins.get('A')!.twin.t, port.twins.get('B')!.twin.t]).toEqual([12, 13]); // B=1 → A=2 → … → B=13
    for (const p of instances) p.close();
  });

  it('handled by three instances in turn: at most instances × parents in the loop × maxHops writes', async () => {
    const port = cyclicWorld();
    const instances = [isolatedPropagator(), isolatedPropagator(), isolatedPropagator()].map((P) => new P({ compiled: compiled(), port }));
    const summaries = await runLoop(port, instances);
    expect(port.patches.length).toBeLessThanOrEqual(3 * 2 * maxHops);
    expect(port.patches.length).toBeGreaterThanOrEqual(maxHops);
    expect(summaries.at(-1)?.hopLimited).toBe(1);
    expect(port.patches.every((p) => traceIdOf(p.traceparent) === deviceTraceId)).toBe(true);
    for (const p of instances) p.close();
  });

  it('handled by a single instance: each parent of the loop written maxHops times', async () => {
    const port = cyclicWorld();
    const only = new (isolatedPropagator())({ compiled: compiled(), port });
    const summaries = await runLoop(port, [only]);
    expect(port.patches.filter((p) => p.id === 'A')).toHaveLength(maxHops);
    expect(port.patches.filter((p) => p.id === 'B')).toHaveLength(maxHops);
    expect(summaries.at(-1)?.hopLimited).toBe(1);
    only.close();
  });

  it('a new device message (a new trace) starts a new chain', async () => {
    const port = cyclicWorld();
    const instances = [isolatedPropagator(), isolatedPropagator()].map((P) => new P({ compiled: compiled(), port }));
    await runLoop(port, instances);
    const before = port.patches.length;
    const nextTraceId = 'f'.repeat(32);
    await runLoop(port, instances, `00-${nextTraceId}-b7ad6b7169203331-01`);
    const again = port.patches.slice(before);
    expect(again).toHaveLength(2 * maxHops);
    expect(again.every((p) => traceIdOf(p.traceparent) === nextTraceId)).toBe(true);
    for (const p of instances) p.close();
  });
});

describe('an acyclic chain reaches the top in one trace', () => {
  function chain() {
    const port = new MemoryPort();
    for (const model of Object.values(M)) port.models.set(model, []);
    port.addTwin('bldg', M.building);
    port.addTwin('f1', M.floor);
    port.addTwin('r1', M.room);
    port.addTwin('t1', M.thermostat, { temperature: 21 });
    port.relate('bldg', 'hasFloor', 'f1');
    port.relate('f1', 'contains', 'r1');
    port.relate('r1', 'contains', 't1');
    return port;
  }

  /** Delivers a device change and then every derived write's notification, alternating instances. */
  async function deliver(
    port: MemoryPort,
    instances: PropagatorClass[],
    value: number,
    sourceTime: string,
    trace = deviceTrace,
  ): Promise<EventSummary[]> {
    const first = port.patches.length;
    port.set('t1', 'temperature', value, sourceTime);
    const summaries = [
      await instances[0]!.handle(
        cloudEvent(
          'Microsoft.DigitalTwins.Twin.Update',
          't1',
          {
            modelId: M.thermostat,
            patch: [
              { op: 'replace', path: '/temperature', value },
              { op: 'add', path: '/$metadata/temperature/sourceTime', value: sourceTime },
            ],
          },
          trace,
        ),
        silentLogger,
      ),
    ];
    for (let i = first; i < port.patches.length && i < first + 10; i++) {
      const write = port.patches[i]!;
      summaries.push(
        await instances[(i + 1) % 2]!.handle(
          cloudEvent(
            'Microsoft.DigitalTwins.Twin.Update',
            write.id,
            { modelId: port.twins.get(write.id)!.twin.$metadata.$model, patch: write.ops },
            notificationTrace(write.traceparent),
          ),
          silentLogger,
        ),
      );
    }
    return summaries;
  }

  it('thermostat → room → floor → building with maxHops 1, across instances, every write carrying the device trace-id', async () => {
    const port = chain();
    const compiled = compileRollups({ settings: { maxHops: 3, gatherMilliseconds: 0, queryLagSeconds: 60 }, rules: buildingRules });
    compiled.settings.maxHops = 1; // one write per parent per change is all an acyclic chain needs
    const instances = [isolatedPropagator(), isolatedPropagator()].map((P) => new P({ compiled, port }));
    const summaries = await deliver(port, instances, 21, '2024-01-01T10:00:00Z');
    expect(summaries.every((s) => s.hopLimited === 0)).toBe(true);
    expect(port.patches.map((p) => [p.id, traceIdOf(p.traceparent)])).toEqual([
      ['r1', deviceTraceId],
      ['f1', deviceTraceId],
      ['bldg', deviceTraceId],
    ]);
    expect(port.twins.get('bldg')!.twin.maxTemperature).toBe(21);
    for (const p of instances) p.close();
  });

  it('a device that re-sends one traceparent with every reading is not taken for a loop', async () => {
    const port = chain();
    const compiled = compileRollups({ settings: { maxHops: 3, gatherMilliseconds: 0, queryLagSeconds: 60 }, rules: buildingRules });
    const instances = [isolatedPropagator(), isolatedPropagator()].map((P) => new P({ compiled, port }));
    for (let i = 0; i < 10; i++) {
      const summaries = await deliver(port, instances, 20 + i, `2024-01-01T10:00:0${i}Z`);
      expect(summaries.every((s) => s.hopLimited === 0)).toBe(true);
    }
    expect(port.twins.get('bldg')!.twin.maxTemperature).toBe(29);
    for (const p of instances) p.close();
  });
});
