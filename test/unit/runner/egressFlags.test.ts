// npm run local -- --egress <dir>: the flag reaches the run options, and the emulator-only option is
// refused with a real instance (whose egress is the Bicep endpoint, not a local sink).
import { parseCliArgs } from '../../../local/runner/cliArgs';
import { runScenario } from '../../../local/runner/runScenario';

it('maps --egress to the run option', () => {
  expect(parseCliArgs(['--egress', '.local/egress']).run).toEqual({ egress: '.local/egress' });
});

it('refuses --egress with --adt-url, saying where egress lives then', async () => {
  await expect(runScenario({ adtUrl: 'https://x.api.weu.digitaltwins.azure.net', egress: '.local/egress' })).rejects.toThrow(
    /egress\.bicep/,
  );
});
