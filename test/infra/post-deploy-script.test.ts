// scripts/post-deploy.sh against a fake `az`: what it calls, with which values, and how it fails.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support/compiledTemplates';

const outputs = {
  FUNCTION_APP_NAME: 'func-abc',
  PROPAGATE_FUNCTION_NAME: 'propagateTwinChanges',
  EVENT_GRID_TOPIC_NAME: 'evgt-abc',
  STORAGE_ACCOUNT_NAME: 'stabc',
  EVENT_GRID_DEAD_LETTER_CONTAINER: 'event-grid-dead-letters',
  ADT_EVENT_TYPES: 'Microsoft.DigitalTwins.Twin.Update,Microsoft.DigitalTwins.Twin.Create',
  ADT_SERVICE_URL: 'https://dt-abc.api.weu.digitaltwins.azure.net',
  ADT_ENDPOINT_NAME: 'twin-changes-topic',
  ADT_EVENT_ROUTE_NAME: 'twin-changes',
  ADT_EVENT_ROUTE_FILTER: "type = 'Microsoft.DigitalTwins.Twin.Update' OR type = 'Microsoft.DigitalTwins.Twin.Create'",
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'post-deploy-'));
  writeFileSync(join(dir, 'az'), `#!/bin/sh\nexec node "${join(__dirname, 'support', 'fake-az.cjs')}" "$@"\n`);
  chmodSync(join(dir, 'az'), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>) {
  const log = join(dir, 'calls.jsonl');
  writeFileSync(log, '');
  const result = spawnSync('bash', [join(repoRoot, 'scripts', 'post-deploy.sh'), ...args], {
    encoding: 'utf8',
    env: { PATH: `${dir}:${process.env.PATH ?? ''}`, HOME: dir, FAKE_AZ_LOG: log, POST_DEPLOY_RETRY_DELAY: '0', ...env },
  });
  const calls = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

const arg = (call: string[], flag: string) => call[call.indexOf(flag) + 1];

describe('scripts/post-deploy.sh', () => {
  it('as an azd hook: waits for the function, deploys the subscription, PUTs the route', () => {
    const { status, calls, stderr } = run([], { AZURE_RESOURCE_GROUP: 'rg-test', ...outputs });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(calls.map((c) => c.slice(0, 3).join(' '))).toEqual(['functionapp function show', 'deployment group create', 'rest --method put']);
    const [show, deploy, rest] = calls as [string[], string[], string[]];
    expect(arg(show, '--function-name')).toBe('propagateTwinChanges');
    expect(arg(deploy, '--template-file')).toBe(join(repoRoot, 'infra', 'post-deploy', 'event-subscription.bicep'));
    expect(deploy).toEqual(expect.arrayContaining(['topicName=evgt-abc', 'functionAppName=func-abc', `includedEventTypes=${outputs.ADT_EVENT_TYPES}`]));
    expect(arg(rest, '--url')).toBe('https://dt-abc.api.weu.digitaltwins.azure.net/eventroutes/twin-changes?api-version=2023-10-31');
    expect(arg(rest, '--resource')).toBe('https://digitaltwins.azure.net');
    expect(JSON.parse(arg(rest, '--body') ?? '')).toEqual({ endpointName: 'twin-changes-topic', filter: outputs.ADT_EVENT_ROUTE_FILTER });
  });

  it('is idempotent: a second run issues the same upserts and nothing else', () => {
    const first = run([], { AZURE_RESOURCE_GROUP: 'rg-test', ...outputs });
    const second = run([], { AZURE_RESOURCE_GROUP: 'rg-test', ...outputs });
    expect(second.status).toBe(0);
    expect(second.calls).toEqual(first.calls);
  });

  it('run alone: reads the outputs from the named deployment', () => {
    const { status, calls } = run(['--resource-group', 'rg-alone', '--deployment', 'my-deploy'], { FAKE_AZ_OUTPUTS: JSON.stringify(outputs) });
    expect(status).toBe(0);
    const shows = calls.filter((c) => c.slice(0, 3).join(' ') === 'deployment group show');
    expect(shows).toHaveLength(Object.keys(outputs).length);
    expect(shows.every((c) => arg(c, '--resource-group') === 'rg-alone' && arg(c, '--name') === 'my-deploy')).toBe(true);
    expect(calls.at(-1)?.slice(0, 3)).toEqual(['rest', '--method', 'put']);
  });

  it('stops before touching Event Grid when the function is not deployed', () => {
    const { status, stderr, calls } = run([], { AZURE_RESOURCE_GROUP: 'rg-test', POST_DEPLOY_WAIT_SECONDS: '0', FAKE_AZ_FUNCTION_MISSING: '1', ...outputs });
    expect(status).toBe(1);
    expect(stderr).toContain('function propagateTwinChanges is not deployed in func-abc. Deploy the code first');
    expect(calls.some((c) => c[0] === 'deployment' || c[0] === 'rest')).toBe(false);
  });

  it('retries the route while the data-plane role propagates, then gives up with advice', () => {
    const retried = run([], { AZURE_RESOURCE_GROUP: 'rg-test', FAKE_AZ_REST_FAILURES: '2', ...outputs });
    expect(retried.status).toBe(0);
    expect(retried.calls.filter((c) => c[0] === 'rest')).toHaveLength(3);

    const exhausted = run([], { AZURE_RESOURCE_GROUP: 'rg-test', FAKE_AZ_REST_FAILURES: '9', POST_DEPLOY_ROUTE_ATTEMPTS: '3', ...outputs });
    expect(exhausted.status).toBe(1);
    expect(exhausted.calls.filter((c) => c[0] === 'rest')).toHaveLength(3);
    expect(exhausted.stderr).toContain("needs 'Azure Digital Twins Data Owner'");
  });

  it('names what is missing when there is no resource group or output', () => {
    const noGroup = run([], {});
    expect(noGroup.status).toBe(1);
    expect(noGroup.stderr).toContain('no resource group');
    const noOutputs = run(['-g', 'rg-x'], { FAKE_AZ_OUTPUTS: '{}' });
    expect(noOutputs.status).toBe(1);
    expect(noOutputs.stderr).toContain("output FUNCTION_APP_NAME not found in the environment or in deployment 'adt-pipeline'");
  });
});
