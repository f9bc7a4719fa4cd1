// infra/DEPLOY.md promises that every parameter it documents can be set with `azd env set`:
// main.bicepparam must read each one from the environment variable DEPLOY.md names (azd passes its
// environment to the parameters file), with main.bicep's default as the fallback.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type ArmParameterFile, bicepBinary, loadCompiled, repoRoot } from './support/compiledTemplates';

const main = () => loadCompiled('main.json');
const guide = readFileSync(join(repoRoot, 'infra', 'DEPLOY.md'), 'utf8');
const paramFile = readFileSync(join(repoRoot, 'infra', 'main.bicepparam'), 'utf8');

/** Parameters azd itself supplies (or that must not be fixed in a file), and why. */
const setByAzd: Record<string, string> = {
  environmentName: 'AZURE_ENV_NAME',
  location: 'AZURE_LOCATION',
  deployerPrincipalId: 'the signed-in deployer',
  adtDeadLetterSasExpiry: 'renewed on every deployment',
};

const upperSnake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** parameter → the environment variable main.bicepparam reads it from. */
function environmentReads(): Map<string, string> {
  const reads = new Map<string, string>();
  for (const m of paramFile.matchAll(/^param (\w+) = .*readEnvironmentVariable\('(\w+)'/gm)) reads.set(m[1] ?? '', m[2] ?? '');
  return reads;
}

describe('azd env set reaches every documented parameter', () => {
  it('every main.bicep parameter DEPLOY.md names is read from an environment variable (or is one azd sets)', () => {
    const parameters = Object.keys(main().parameters ?? {});
    const named = parameters.filter((p) => new RegExp(`\\b${p}\\b`).test(guide));
    expect(named.length).toBeGreaterThan(15);
    const reads = environmentReads();
    const unreachable = named.filter((p) => !reads.has(p) && !(p in setByAzd));
    expect(unreachable).toEqual([]);
  });

  it('every other parameter is either read from the environment or stated as set by azd in DEPLOY.md', () => {
    const reads = environmentReads();
    const missing = Object.keys(main().parameters ?? {}).filter((p) => !reads.has(p) && !(p in setByAzd));
    expect(missing).toEqual([]);
    for (const name of Object.keys(setByAzd)) expect([name, guide.includes(`\`${name}\``)]).toEqual([name, true]);
  });

  it("the variable is the parameter in UPPER_SNAKE_CASE, and DEPLOY.md's table gives that variable", () => {
    for (const [parameter, variable] of environmentReads()) {
      if (parameter === 'environmentName') continue; // azd's own AZURE_ENV_NAME
      expect([parameter, variable]).toEqual([parameter, upperSnake(parameter)]);
      expect([parameter, guide.includes(`| \`${parameter}\` | \`${variable}\` |`)]).toEqual([parameter, true]);
    }
  });

  it("with nothing set, the parameters file gives main.bicep's defaults", () => {
    const values = loadCompiled<ArmParameterFile>('main.parameters.json').parameters;
    const defaults = main().parameters ?? {};
    for (const [name, { value }] of Object.entries(values)) {
      const fallback = defaults[name]?.defaultValue;
      if (fallback === undefined) continue; // required parameters (pipelineConfigPath, environmentName)
      expect([name, value]).toEqual([name, fallback]);
    }
  });

  it('a value set in the environment (as azd env set does) reaches the parameter', () => {
    // One build-params run with a non-default value for every variable the file reads.
    const nonDefault: Record<string, string> = {
      TELEMETRY_SOURCE: 'builtIn',
      IOT_HUB_SKU: 'F1',
      PIPELINE_CONFIG_PATH: 'config/pipeline.yaml',
      EGRESS: 'eventHub',
      HTTP_INGEST_AUTH: 'entraId',
      HTTP_INGEST_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
      HTTP_INGEST_ALLOWED_APPLICATIONS: '["00000000-0000-0000-0000-000000000002"]',
      ALERT_EMAIL: 'ops@example.com',
      INSTANCE_MEMORY_MB: '4096',
      AZURE_ENV_NAME: 'from-azd',
      TWIN_ID_TAG: 'dtId',
      DRAIN_DEFERRED_SCHEDULE: '0 */5 * * * *',
      SWEEP_CONDITIONS_SCHEDULE: '0 */2 * * * *',
    };
    const defaults = main().parameters ?? {};
    const expected: Record<string, unknown> = { environmentName: 'from-azd' };
    for (const [parameter, variable] of environmentReads()) {
      if (parameter === 'environmentName') continue;
      const fallback = defaults[parameter]?.defaultValue;
      if (variable in nonDefault) {
        const raw = nonDefault[variable] ?? '';
        expected[parameter] = raw.startsWith('[') ? JSON.parse(raw) : /^\d+$/.test(raw) ? Number(raw) : raw;
      } else if (typeof fallback === 'boolean') {
        nonDefault[variable] = String(!fallback);
        expected[parameter] = !fallback;
      } else if (typeof fallback === 'number') {
        nonDefault[variable] = String(fallback + 1);
        expected[parameter] = fallback + 1;
      } else {
        throw new Error(`add a non-default value for ${variable} to this test`);
      }
    }
    const out = execFileSync(bicepBinary(), ['build-params', join(repoRoot, 'infra', 'main.bicepparam'), '--stdout'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOTNET_CLI_TELEMETRY_OPTOUT: '1', ...nonDefault },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const built = JSON.parse((JSON.parse(out) as { parametersJson: string }).parametersJson) as ArmParameterFile;
    const actual = Object.fromEntries(Object.entries(built.parameters).map(([k, v]) => [k, v.value]));
    expect(actual).toEqual(expected);
  });
});
