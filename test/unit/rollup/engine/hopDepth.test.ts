// Loop safety across instances: the hop depth of a derived write travels in the trace-id of the
// write, which ADT copies into the notification it causes, so whichever instance handles the next
// hop knows the depth. Proven on a cyclic twin graph handled alternately by independent instances
// (separate module registries: nothing shared but "ADT").
import { randomBytes } from 'node:crypto';

import type { EventSummary, Propagator as PropagatorClass, RollupRule } from '../../../../shared/rollup';
import { compileRollups, HOP_MARK, hopDepthOf, silentLogger, traceparentAtHop } from '../../../../shared/rollup';
import { cloudEvent } from '../events';
import { buildingRules, M } from '../fixtures';
import { MemoryPort } from '../memoryPort';

const deviceTrace = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** What ADT puts on the notification of a write: the request's trace-id, a new span-id. */
function notificationTrace(requestTraceparent: string | undefined): string {
  const [version, traceId, , flags] = (requestTraceparent ?? '').split('-');
  if (traceId === undefined) return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
  return `${version}-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}

describe('the hop depth in the trace-id', () => {
  it('reads 0 from a trace-id without the mark (a device write, a person, reconcile)', () => {
    expect(hopDepthOf(deviceTrace)).toBe(0);
    expect(hopDepthOf(undefined)).toBe(0);
    expect(hopDepthOf('not a traceparent')).toBe(0);
  });

  it('round-trips the depth, keeps the first 20 digits of the trace-id and the flags, and starts a new span', () => {
    const hop3 = traceparentAtHop(deviceTrace, 3);
    expect(hop3).toMatch(new RegExp(`^00-0af7651916cd43dd8448${HOP_MARK}0003-[0-9a-f]{16}-01$`));
    expect(hop3.split('-')[2]).not.toBe('b7ad6b7169203331');
    expect(hopDepthOf(hop3)).toBe(3);
    // Re-encoding a marked trace keeps the origin prefix, whatever depth it carried.
    const hop4 = traceparentAtHop(hop3, 4);
    expect(hop4.slice(3, 23)).toBe('0af7651916cd43dd8448');
    expect(hopDepthOf(hop4)).toBe(4);
    expect(traceparentAtHop('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00', 1).endsWith('-00')).toBe(true);
  });

  it('starts a fresh trace for a missing or malformed cause and saturates instead of wrapping', () => {
    expect(hopDepthOf(traceparentAtHop(undefined, 2))).toBe(2);
    expect(hopDepthOf(traceparentAtHop('garbage', 5))).toBe(5);
    expect(hopDepthOf(traceparentAtHop(deviceTrace, 1_000_000))).toBe(0xffff);
  });
});

const SPACE = 'dtmi:t:Space;1';
const ROOM = 'dtmi:t:Room;1';
/** Passes the load-time check (Room reads Space, a different model) but Room extends Space, so
 * two rooms feeding each other loop for ever: each hop writes the other's value + 1. */
const loopRule: RollupRule = { name: 'loop', parentModel: ROOM, relationships: ['feeds'], childModel: SPACE, properties: { t: { expression: '$m + 1', inputs: { m: { aggregate: 'max', of: 't' } } } } };

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
async function runLoop(port: MemoryPort, instances: PropagatorClass[], maxDeliveries = 200): Promise<EventSummary[]> {
  const summaries: EventSummary[] = [];
  port.set('B', 't', 1);
  summaries.push(await instances[0]!.handle(cloudEvent('Microsoft.DigitalTwins.Twin.Update', 'B', { modelId: ROOM, patch: [{ op: 'replace', path: '/t', value: 1 }] }, deviceTrace), silentLogger));
  let delivered = 0;
  while (delivered < port.patches.length && delivered < maxDeliveries) {
    const write = port.patches[delivered]!;
    const instance = instances[(delivered + 1) % instances.length]!;
    delivered += 1;
    summaries.push(await instance.handle(cloudEvent('Microsoft.DigitalTwins.Twin.Update', write.id, { modelId: ROOM, patch: write.ops }, notificationTrace(write.traceparent)), silentLogger));
  }
  return summaries;
}

describe('a cyclic twin graph stops at maxHops', () => {
  const maxHops = 6;
  const compiled = () => compileRollups({ settings: { maxHops, gatherMilliseconds: 0, queryLagSeconds: 60 }, rules: [loopRule] });

  it('handled alternately by two independent instances', async () => {
    const port = cyclicWorld();
    const [A, B] = [isolatedPropagator(), isolatedPropagator()];
    expect(A).not.toBe(B); // two module registries, two sets of module state
    const instances = [new A({ compiled: compiled(), port }), new B({ compiled: compiled(), port })];
    const summaries = await runLoop(port, instances);
    expect(port.patches).toHaveLength(maxHops);
    expect(port.patches.map((p) => hopDepthOf(p.traceparent))).toEqual([1, 2, 3, 4, 5, 6]);
    // Every hop keeps the device trace's prefix: the chain can be followed in the logs.
    expect(port.patches.every((p) => p.traceparent?.slice(3, 23) === deviceTrace.slice(3, 23))).toBe(true);
    // The write that would have been hop 7 was refused, by whichever instance saw it, and reported.
    expect(summaries.at(-1)).toMatchObject({ hopLimited: 1, writes: 0 });
    expect(summaries.reduce((n, s) => n + s.hopLimited, 0)).toBe(1);
    expect(instances.map((p) => p.stats.hopLimited).sort()).toEqual([0, 1]);
    expect([port.twins.get('A')!.twin.t, port.twins.get('B')!.twin.t]).toEqual([6, 7]); // B=1 → A=2 → B=3 … → B=7
    for (const p of instances) p.close();
  });

  it('handled by three instances in turn', async () => {
    const port = cyclicWorld();
    const instances = [isolatedPropagator(), isolatedPropagator(), isolatedPropagator()].map((P) => new P({ compiled: compiled(), port }));
    const summaries = await runLoop(port, instances);
    expect(port.patches).toHaveLength(maxHops);
    expect(summaries.at(-1)?.hopLimited).toBe(1);
    for (const p of instances) p.close();
  });

  it('handled by a single instance (unchanged behaviour)', async () => {
    const port = cyclicWorld();
    const only = new (isolatedPropagator())({ compiled: compiled(), port });
    const summaries = await runLoop(port, [only]);
    expect(port.patches).toHaveLength(maxHops);
    expect(summaries.at(-1)?.hopLimited).toBe(1);
    only.close();
  });

  it('a fresh device write starts a new chain at depth 1', async () => {
    const port = cyclicWorld();
    const instances = [isolatedPropagator(), isolatedPropagator()].map((P) => new P({ compiled: compiled(), port }));
    await runLoop(port, instances);
    port.patches.length = 0;
    await runLoop(port, instances);
    expect(port.patches.map((p) => hopDepthOf(p.traceparent))).toEqual([1, 2, 3, 4, 5, 6]);
    for (const p of instances) p.close();
  });
});

describe('an acyclic chain as deep as maxHops reaches the top', () => {
  it('thermostat → room → floor → building with maxHops 3, across instances', async () => {
    const port = new MemoryPort();
    for (const model of Object.values(M)) port.models.set(model, []);
    port.addTwin('bldg', M.building);
    port.addTwin('f1', M.floor);
    port.addTwin('r1', M.room);
    port.addTwin('t1', M.thermostat, { temperature: 21 });
    port.relate('bldg', 'hasFloor', 'f1');
    port.relate('f1', 'contains', 'r1');
    port.relate('r1', 'contains', 't1');
    const compiled = compileRollups({ settings: { maxHops: 3, gatherMilliseconds: 0, queryLagSeconds: 60 }, rules: buildingRules });
    const instances = [isolatedPropagator(), isolatedPropagator()].map((P) => new P({ compiled, port }));
    await instances[0]!.handle(cloudEvent('Microsoft.DigitalTwins.Twin.Update', 't1', { modelId: M.thermostat, patch: [{ op: 'replace', path: '/temperature', value: 21 }] }, deviceTrace), silentLogger);
    for (let i = 0; i < port.patches.length && i < 10; i++) {
      const write = port.patches[i]!;
      const summary = await instances[(i + 1) % 2]!.handle(cloudEvent('Microsoft.DigitalTwins.Twin.Update', write.id, { modelId: port.twins.get(write.id)!.twin.$metadata.$model, patch: write.ops }, notificationTrace(write.traceparent)), silentLogger);
      expect(summary.hopLimited).toBe(0);
    }
    expect(port.patches.map((p) => [p.id, hopDepthOf(p.traceparent)])).toEqual([['r1', 1], ['f1', 2], ['bldg', 3]]);
    expect(port.twins.get('bldg')!.twin.maxTemperature).toBe(21);
    for (const p of instances) p.close();
  });
});
