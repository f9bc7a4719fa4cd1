import { HELP, parseCliArgs } from '../../../local/runner/cliArgs';

it('--instances and --rebalance-every reach the run options (seconds → ms)', () => {
  expect(parseCliArgs(['--instances', '4', '--rebalance-every', '2']).run).toMatchObject({ instances: 4, rebalanceEveryMs: 2000 });
  expect(parseCliArgs(['--instances', '2', '--rebalance-every', '0.5']).run).toMatchObject({ instances: 2, rebalanceEveryMs: 500 });
  expect(parseCliArgs([]).run).not.toHaveProperty('instances');
});

it('refuses --rebalance-every without --instances, and counts that are not positive integers', () => {
  expect(() => parseCliArgs(['--rebalance-every', '2'])).toThrow(/give --instances <n> too/);
  expect(() => parseCliArgs(['--instances', '0'])).toThrow(/--instances must be a positive integer/);
  expect(() => parseCliArgs(['--instances', '1.5'])).toThrow(/--instances must be a positive integer/);
  expect(() => parseCliArgs(['--instances', '2', '--rebalance-every', '0'])).toThrow(/--rebalance-every must be a positive number/);
});

it('--help documents both flags', () => {
  expect(HELP).toMatch(/--instances <n>/);
  expect(HELP).toMatch(/--rebalance-every <s>/);
});
