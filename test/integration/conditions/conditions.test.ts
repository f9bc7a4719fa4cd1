// Conditions through the emulator with an advancing clock, three instances that each receive every
// notification (scale-out plus redelivery) and the sweep running on all three at once: a spike
// shorter than the duration raises nothing, a sustained breach raises exactly once (at the exact
// time the duration elapsed), hysteresis prevents flapping, and downstream sees the transitions as
// ordinary Twin.Update notifications on its Event Hubs endpoint.
import { readFileSync } from 'node:fs';

import { startLocalMetrics } from '../../../local/runner/localMetrics';
import { sample } from '../../e2e/support/prometheus';
import { type ConditionHarness, ROOM, startConditionHarness } from './harness';

let h: ConditionHarness;
const MIN = 60_000;

beforeEach(async () => {
  h = await startConditionHarness(3);
  await h.client.upsertDigitalTwin('r1', JSON.stringify({ $metadata: { $model: ROOM } }));
});
afterEach(() => h.close());

it('a spike shorter than raiseAfter raises nothing, even after the duration has passed and the sweep ran', async () => {
  await h.read('r1', 27);
  expect(await h.twin('r1')).toMatchObject({ overheated: false, overheatedPending: '2026-01-01T00:00:00.000Z', heat: 'hot' });
  h.clock.advance(2 * MIN);
  await h.read('r1', 24);
  expect((await h.twin('r1')).overheatedPending).toBeUndefined();
  h.clock.advance(10 * MIN);
  const sweeps = await h.sweep();
  expect(sweeps.map((s) => s.pending)).toEqual([0, 0, 0]);
  const twin = await h.twin('r1');
  expect(twin.overheated).toBe(false);
  expect(h.steps()).toMatchObject({ raised: 1, pendingStarted: 1, pendingEnded: 1 }); // the raised one is `heat` (no duration)
});

it('a sustained breach is raised exactly once by the sweep, with the time the duration elapsed, across 3 instances', async () => {
  const metrics = startLocalMetrics();
  await h.read('r1', 27);
  h.clock.advance(2 * MIN);
  await h.read('r1', 27.5);
  h.clock.advance(2 * MIN);
  let sweeps = await h.sweep(); // 4 min: not yet due, so the query does not return it
  expect(sweeps.every((s) => s.queries === 1 && s.pending === 0 && s.written === 0)).toBe(true);
  expect((await h.twin('r1')).overheated).toBe(false);
  h.clock.advance(1.5 * MIN);
  sweeps = await h.sweep(); // 5.5 min: due, three sweeps at once
  expect(sweeps.reduce((n, s) => n + s.written, 0)).toBe(1);
  expect(await h.twin('r1')).toMatchObject({ overheated: true, overheatedSince: '2026-01-01T00:05:00.000Z' });
  expect((await h.twin('r1')).overheatedPending).toBeUndefined();
  h.clock.advance(MIN);
  await h.read('r1', 28); // redelivered / later readings: no second transition
  await h.sweep();
  const overheatedRaised = h.instances.reduce((n, p) => n + p.conditions.stats.steps.raised, 0) - 1; // minus `heat`
  expect(overheatedRaised).toBe(1);
  expect(h.steps().pendingStarted).toBe(1);
  const text = await metrics.text();
  await metrics.close();
  expect(sample(text, 'pipeline_conditions_transitions_total', { condition: 'overheated', to: 'raised' })).toBe(1);
  expect(sample(text, 'pipeline_sweep_queries_total')).toBe(9); // 3 sweeps × 3 instances × 1 query
  expect(sample(text, 'pipeline_sweep_twins_total', { kind: 'pending' })).toBe(3); // r1 due in the second sweep, on each instance
});

it('hysteresis: readings between clear and when never flap the state; clearing needs clear to hold for clearAfter', async () => {
  const metrics = startLocalMetrics();
  await h.read('r1', 26.5);
  h.clock.advance(6 * MIN);
  await h.sweep();
  for (const t of [25.5, 26.5, 25.2, 26.8, 25.1]) {
    h.clock.advance(MIN / 2);
    await h.read('r1', t);
  }
  expect(await h.twin('r1')).toMatchObject({ overheated: true, heat: 'hot' });
  await h.read('r1', 24.9); // clear holds: heat (no duration) clears at once, overheated starts its 60 s
  expect(await h.twin('r1')).toMatchObject({ overheated: true, heat: 'ok', overheatedPending: expect.any(String) });
  h.clock.advance(30_000);
  await h.read('r1', 25.5); // clear stopped holding before 60 s: the clock stops
  h.clock.advance(MIN);
  await h.sweep();
  expect(await h.twin('r1')).toMatchObject({ overheated: true });
  await h.read('r1', 24);
  const from = h.clock.now();
  h.clock.advance(61_000);
  await h.sweep();
  expect(await h.twin('r1')).toMatchObject({ overheated: false, overheatedSince: new Date(from + 60_000).toISOString() });
  const steps = h.steps();
  expect(steps.raised).toBe(2); // overheated once, heat once
  expect(steps.cleared).toBe(2);
  // One sample per transition written, whichever of the three instances wrote it.
  const text = await metrics.text();
  await metrics.close();
  for (const condition of ['overheated', 'heat'])
    for (const to of ['raised', 'cleared']) expect(sample(text, 'pipeline_conditions_transitions_total', { condition, to })).toBe(1);
});

it('downstream receives the transitions as Twin.Update notifications through a route filtered on type and model', async () => {
  await h.read('r1', 27);
  h.clock.advance(5 * MIN);
  await h.sweep();
  const lines = readFileSync(h.egressFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map(
      (l) =>
        JSON.parse(l) as {
          applicationProperties: Record<string, string>;
          body: { modelId: string; patch: Array<{ path: string; value?: unknown }> };
        },
    );
  expect(
    lines.every((l) => l.applicationProperties['cloudEvents:type'] === 'Microsoft.DigitalTwins.Twin.Update' && l.body.modelId === ROOM),
  ).toBe(true);
  expect(lines.some((l) => l.body.patch.some((op) => op.path === '/temperature'))).toBe(true); // the device's own update passes too
  // The first evaluation also writes the cleared state (false): a consumer acts on the value.
  const transitions = lines.filter((l) => l.body.patch.some((op) => op.path === '/overheated' && op.value === true));
  expect(transitions).toHaveLength(1);
  expect(transitions[0]?.body.patch).toEqual(
    expect.arrayContaining([
      { op: 'add', path: '/overheated', value: true },
      { op: 'add', path: '/overheatedSince', value: '2026-01-01T00:05:00.000Z' },
    ]),
  );
});
