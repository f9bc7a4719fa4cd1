// One condition on one stored twin (pure): what is written at each step, and that an expression
// failing at run time is reported (taken as not holding), never thrown past the keeper.
import { parsePipelineConfig } from '../../../../shared/config/load';
import {
  type CompiledCondition,
  type CompiledStaleness,
  ConditionKeeper,
  decideCondition,
  freshPatch,
  ModelHierarchy,
  stalePatch,
  staleQuery,
} from '../../../../shared/rollup';

const ROOM = 'dtmi:test:cond:Room;1';
const compile = (when: string): CompiledCondition => {
  const config = parsePipelineConfig(
    `rollups:\n  conditions:\n    - { name: c, model: "${ROOM}", when: "${when}", raiseAfter: 60, write: { property: s, since: since, pending: p } }\n`,
    'p.yaml',
  );
  return config.compiledRollups?.conditions?.[0] as CompiledCondition;
};
const T0 = Date.parse('2026-01-01T00:00:00Z');
const twin = (props: Record<string, unknown>) => ({ $dtId: 'x', $metadata: { $model: ROOM }, ...props });

it('starts the clock, waits, then raises at pending + raiseAfter; a condition that stops holding removes the pending', async () => {
  const c = compile('v > 1');
  expect(await decideCondition(c, twin({ v: 2, s: false }), T0)).toMatchObject({
    step: 'pendingStarted',
    ops: [{ op: 'add', path: '/p', value: '2026-01-01T00:00:00.000Z' }],
  });
  expect(await decideCondition(c, twin({ v: 2, s: false, p: '2026-01-01T00:00:00.000Z' }), T0 + 59_999)).toMatchObject({
    step: undefined,
    ops: [],
  });
  expect(await decideCondition(c, twin({ v: 2, s: false, p: '2026-01-01T00:00:00.000Z' }), T0 + 90_000)).toMatchObject({
    step: 'raised',
    at: '2026-01-01T00:01:00.000Z',
    ops: [
      { op: 'add', path: '/s', value: true },
      { op: 'add', path: '/since', value: '2026-01-01T00:01:00.000Z' },
      { op: 'remove', path: '/p' },
    ],
  });
  expect(await decideCondition(c, twin({ v: 0, s: false, p: '2026-01-01T00:00:00.000Z' }), T0 + 90_000)).toMatchObject({
    step: 'pendingEnded',
    ops: [{ op: 'remove', path: '/p' }],
  });
});

it('an expression that fails at run time does not hold and carries its error', async () => {
  const c = compile('$number(label) > 1');
  const decision = await decideCondition(c, twin({ label: 'abc', s: false }), T0);
  expect(decision.ops).toEqual([]);
  expect(decision.error).toMatch(/number/i);
});

it("staleness: one ids-only query per model on $metadata.$lastUpdateTime with ADT's 7-digit UTC; marks only what is still old and not marked", () => {
  const config = parsePipelineConfig(`rollups:\n  staleness:\n    - { model: "${ROOM}", maxAge: 900 }\n`, 'p.yaml');
  const rule = config.compiledRollups?.staleness?.[0] as CompiledStaleness;
  expect(staleQuery(rule, T0)).toBe(
    `SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('${ROOM}') AND T.$metadata.$lastUpdateTime < '2026-01-01T00:00:00.0000000Z' AND (NOT IS_DEFINED(T.stale) OR T.stale = false)`,
  );
  const old = { $dtId: 'x', $metadata: { $model: ROOM, $lastUpdateTime: '2026-01-01T00:00:00.0000000Z' } };
  expect(stalePatch(rule, old, T0 + 900_000)).toEqual([{ op: 'add', path: '/stale', value: true }]);
  expect(stalePatch(rule, old, T0 + 899_999)).toBeUndefined(); // written since the query: fresh
  expect(stalePatch(rule, { ...old, stale: true }, T0 + 10 ** 7)).toBeUndefined();
  expect(freshPatch(rule, { ...old, stale: true })).toEqual([{ op: 'add', path: '/stale', value: false }]);
  expect(freshPatch(rule, old)).toBeUndefined();
});

it('the keeper: a 412 (another instance wrote the transition first) re-reads and writes nothing more', async () => {
  const c = compile('v > 1');
  const pending = twin({ v: 2, s: false, p: '2026-01-01T00:00:00.000Z' });
  const raised = twin({ v: 2, s: true, since: '2026-01-01T00:01:00.000Z' });
  const reads = [pending, raised];
  const patches: unknown[] = [];
  const port = {
    getTwin: async () => ({ twin: reads.shift() ?? raised, etag: `W/"${reads.length}"` }),
    updateTwin: async (_id: string, ops: unknown) => {
      patches.push(ops);
      return { kind: 'preconditionFailed' as const };
    },
    listOutgoing: async () => [],
    listIncoming: async () => [],
    getModel: async (id: string) => ({ id, extends: [] }),
  };
  const keeper = new ConditionKeeper({
    conditions: [c],
    port,
    models: new ModelHierarchy(port, { ttlMs: 60_000 }),
    clock: { now: () => T0 + 120_000 },
  });
  const outcome = await keeper.evaluate('x');
  expect(outcome).toMatchObject({ status: 'unchanged', preconditionRetries: 1 });
  expect(patches).toHaveLength(1);
  expect(keeper.stats).toMatchObject({ writes: 0, preconditionRetries: 1, steps: { raised: 0 } });
});

it('the keeper: a twin that keeps changing (412 after 412) fails the call past maxPreconditionRetries, so the delivery is retried', async () => {
  const c = compile('v > 1');
  let reads = 0;
  const port = {
    getTwin: async () => ({ twin: twin({ v: 2, s: false }), etag: `W/"${++reads}"` }),
    updateTwin: async () => ({ kind: 'preconditionFailed' as const }),
    listOutgoing: async () => [],
    listIncoming: async () => [],
    getModel: async (id: string) => ({ id, extends: [] }),
  };
  const keeper = new ConditionKeeper({
    conditions: [c],
    port,
    models: new ModelHierarchy(port, { ttlMs: 60_000 }),
    clock: { now: () => T0 },
    maxPreconditionRetries: 2,
  });
  await expect(keeper.evaluate('x')).rejects.toThrow(/3 writes in a row refused with 412/);
  expect(reads).toBe(3);
});

it('the keeper: only a change to a property the expressions read can move a condition', async () => {
  const c = compile("v > 1 and mode = 'auto'");
  const port = {
    getTwin: async () => undefined,
    updateTwin: async () => ({ kind: 'twinNotFound' as const }),
    listOutgoing: async () => [],
    listIncoming: async () => [],
    getModel: async (id: string) => ({ id, extends: [] }),
  };
  const keeper = new ConditionKeeper({ conditions: [c], port, models: new ModelHierarchy(port, { ttlMs: 60_000 }) });
  expect(await keeper.touches(ROOM, new Set(['mode']))).toBe(true);
  expect(await keeper.touches(ROOM, new Set(['since', 'other']))).toBe(false);
  expect(await keeper.touches('dtmi:test:Other;1', new Set(['v']))).toBe(false);
});

it('where: a twin it leaves out carries no condition (nothing written; a pending duration ends)', async () => {
  const config = parsePipelineConfig(
    `rollups:\n  conditions:\n    - { name: c, model: "${ROOM}", where: "kind = 'meeting'", when: "v > 1", raiseAfter: 60, write: { property: s, pending: p } }\n`,
    'p.yaml',
  );
  const c = config.compiledRollups?.conditions?.[0] as CompiledCondition;
  expect(c.inputs).toEqual(new Set(['v', 'kind']));
  expect(await decideCondition(c, twin({ kind: 'office', v: 5 }), T0)).toMatchObject({ step: undefined, ops: [] });
  expect(await decideCondition(c, twin({ kind: 'office', v: 5, p: '2026-01-01T00:00:00.000Z' }), T0)).toMatchObject({
    step: 'pendingEnded',
    ops: [{ op: 'remove', path: '/p' }],
  });
  expect(await decideCondition(c, twin({ kind: 'meeting', v: 5 }), T0)).toMatchObject({ step: 'pendingStarted' });
});
