// `npm run seed` flags (local/seed/cli.ts), used by scripts/smoke-test.sh.
import { defaultScenarioDirectory } from '../../local/scenario';
import { parseSeedArgs } from '../../local/seed/cli';

describe('npm run seed flags', () => {
  it('takes the instance URL and defaults to the sample building', () => {
    expect(parseSeedArgs(['--adt-url', 'https://dt.api.weu.digitaltwins.azure.net'])).toEqual({
      help: false,
      adtUrl: 'https://dt.api.weu.digitaltwins.azure.net',
      scenario: defaultScenarioDirectory,
    });
    expect(parseSeedArgs(['--scenario', '/tmp/s']).scenario).toBe('/tmp/s');
  });

  it('rejects unknown flags instead of ignoring them', () => {
    expect(() => parseSeedArgs(['--adt', 'x'])).toThrow(/Unknown option '--adt'/);
  });
});
