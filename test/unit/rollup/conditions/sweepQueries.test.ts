// The sweep's queries are narrowed: the model (IS_OF_MODEL), ids only, and a time filter — a pending
// duration is returned only once it is due (raiseAfter in the cleared state, clearAfter in the raised
// one); a condition without a duration sends no query. The bound's documented defaults are the
// pipeline file's defaults.
import { parsePipelineConfig } from '../../../../shared/config/load';
import { type CompiledCondition, defaultRollupSettings, defaultSweepBound, pendingQuery } from '../../../../shared/rollup';

const ROOM = 'dtmi:test:cond:Room;1';
const conditions = (): CompiledCondition[] =>
  parsePipelineConfig(
    `rollups:
  conditions:
    - { name: hot, model: "${ROOM}", when: "t > 26", clear: "t < 25", raiseAfter: 300, clearAfter: 60, write: { property: hot, pending: hotPending } }
    - { name: mode, model: "${ROOM}", when: "t > 26", raiseAfter: 120, write: { property: mode, states: { raised: "it's hot", cleared: ok }, pending: modePending } }
    - { name: now, model: "${ROOM}", when: "t > 26", write: { property: instant } }
`,
    'p.yaml',
  ).compiledRollups?.conditions ?? [];
const T = Date.parse('2026-01-01T01:00:00Z');

it('asks only for due durations of the model, ids only', () => {
  const [hot, mode, now] = conditions() as [CompiledCondition, CompiledCondition, CompiledCondition];
  expect(pendingQuery(hot, T)).toBe(
    "SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:cond:Room;1') AND " +
      "((T.hot = false AND T.hotPending <= '2026-01-01T00:55:00.000Z') OR (T.hot = true AND T.hotPending <= '2026-01-01T00:59:00.000Z'))",
  );
  // String states are quoted (and escaped); no clearAfter, no raised branch.
  expect(pendingQuery(mode, T)).toBe(
    "SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:test:cond:Room;1') AND " +
      "((T.mode = 'ok' AND T.modePending <= '2026-01-01T00:58:00.000Z'))",
  );
  expect(pendingQuery(now, T)).toBeUndefined();
});

it('the sweep bound defaults are the rollups.settings defaults ROLLUPS.md documents', () => {
  expect(defaultSweepBound).toEqual({
    maxRows: defaultRollupSettings.sweepMaxRows,
    maxQueryUnits: defaultRollupSettings.sweepMaxQueryUnits,
    pageSize: defaultRollupSettings.sweepPageSize,
  });
  expect(defaultSweepBound).toEqual({ maxRows: 10_000, maxQueryUnits: 10_000, pageSize: 1000 });
});
