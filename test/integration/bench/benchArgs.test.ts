// npm run bench follows the CLI conventions: --help, unknown flags refused, and a real --quick.
import { benchPlan, parseBenchArgs } from '../../../bench/run';

it('parses --quick and --json, answers --help and refuses unknown flags', () => {
  expect(parseBenchArgs([])).toEqual({ quick: false, json: false });
  expect(parseBenchArgs(['--quick', '--json'])).toEqual({ quick: true, json: true });
  expect(parseBenchArgs(['-h'])).toEqual({ help: true });
  expect(parseBenchArgs(['--fast'])).toEqual({ error: 'Unknown flag --fast.' });
});

it('makes --quick workloads at least five times smaller in every section', () => {
  const full = benchPlan(false);
  const quick = benchPlan(true);
  const messages = (p: ReturnType<typeof benchPlan>) => [p.fleet[0]! * p.fleet[1]!, p.backlog[0]! * p.backlog[1]!, p.hot[0]! * p.hot[1]!, p.memory.twins * p.memory.perTwin, p.cpuMessages, p.propagation[0]! * p.propagation[1]!];
  messages(full).forEach((n, i) => expect(n / messages(quick)[i]!).toBeGreaterThanOrEqual(5));
});
