// npm run bench follows the CLI conventions: --help, unknown flags refused, and a real --quick.
import { benchPlan, type BenchResults, benchVerdict, parseBenchArgs, verdictText } from '../../../bench/run';

it('parses --quick and --json, answers --help and refuses unknown flags', () => {
  expect(parseBenchArgs([])).toEqual({ quick: false, json: false });
  expect(parseBenchArgs(['--quick', '--json'])).toEqual({ quick: true, json: true });
  expect(parseBenchArgs(['-h'])).toEqual({ help: true });
  expect(parseBenchArgs(['--fast'])).toEqual({ error: 'Unknown flag --fast.' });
});

it('makes --quick workloads at least five times smaller in every section', () => {
  const full = benchPlan(false);
  const quick = benchPlan(true);
  const messages = (p: ReturnType<typeof benchPlan>) => [
    p.fleet[0]! * p.fleet[1]!,
    p.backlog[0]! * p.backlog[1]!,
    p.hot[0]! * p.hot[1]!,
    p.memory.twins * p.memory.perTwin,
    p.cpuMessages,
    p.propagation[0]! * p.propagation[1]!,
  ];
  messages(full).forEach((n, i) => expect(n / messages(quick)[i]!).toBeGreaterThanOrEqual(5));
});

describe('the verdict: a quick run reports the targets and fails only on correctness', () => {
  const good: BenchResults = {
    backlogPatchRequestRatio: 8,
    hotTwinSpeedup: 9,
    memoryRatio: 4,
    oursWithinPatchBudget: true,
    oursAlwaysCorrect: true,
    ours429s: 0,
    propagationWriteRatio: 7,
    propagationExact: true,
    cpuPathRatio: 2,
  };
  // What a quick run on a small batch measures: fixed costs dwarf the batch.
  const smallSizes: BenchResults = { ...good, memoryRatio: 53 };

  it('a missed ratio at --quick sizes is reported, exit 0', () => {
    const verdict = benchVerdict(smallSizes, true);
    expect(verdict).toEqual({ incorrect: [], missed: ['memory ratio 53.0 > 20'], exitCode: 0 });
    expect(verdictText(verdict, true)).toContain('Targets (reported, not checked at --quick sizes): missed memory ratio 53.0 > 20');
  });

  it('the same figures at full size fail the run', () => {
    expect(benchVerdict(smallSizes, false).exitCode).toBe(1);
    expect(verdictText(benchVerdict(smallSizes, false), false)).toContain('Targets missed: memory ratio 53.0 > 20');
  });

  it('an incorrect result fails a quick run too', () => {
    for (const wrong of [{ oursAlwaysCorrect: false }, { oursWithinPatchBudget: false }, { propagationExact: false }]) {
      const verdict = benchVerdict({ ...good, ...wrong }, true);
      expect(verdict.exitCode).toBe(1);
      expect(verdict.incorrect).toHaveLength(1);
      expect(verdictText(verdict, true)).toMatch(/^\nIncorrect: /);
    }
  });

  it('all met', () => {
    expect(benchVerdict(good, false)).toEqual({ incorrect: [], missed: [], exitCode: 0 });
    expect(verdictText(benchVerdict(good, false), false)).toBe('\nAll targets met.');
  });
});
