// Day-one tooling promises: azd's post-deploy hook runs on Windows as well as POSIX (or says why not),
// VS Code knows the extensions its tasks need, and test.http targets both local hosts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { DEFAULT_INGRESS_PORT } from '../../local/runner/ingress';
import { repoRoot } from './support/compiledTemplates';

const read = (...path: string[]) => readFileSync(join(repoRoot, ...path), 'utf8');

describe('azure.yaml hooks', () => {
  it('postdeploy has a posix and a Windows (pwsh) variant running the same bash script', () => {
    type Hook = { shell: string; run: string; continueOnError?: boolean };
    const hooks = (parse(read('azure.yaml')) as { hooks: { postdeploy: { posix: Hook; windows: Hook } } }).hooks.postdeploy;
    expect(hooks.posix.run).toBe('bash ./scripts/post-deploy.sh');
    expect(hooks.windows.shell).toBe('pwsh');
    expect(hooks.windows.run).toContain('bash ./scripts/post-deploy.sh');
    // Without bash it stops with the fix instead of skipping the step.
    expect(hooks.windows.run).toMatch(/Get-Command bash[\s\S]*exit 1/);
    expect(hooks.windows.continueOnError).toBe(false);
    expect(read('infra', 'DEPLOY.md')).toMatch(/`windows` hook \(PowerShell 7, `pwsh`\)/);
  });
});

describe('.vscode', () => {
  const tasks = JSON.parse(read('.vscode', 'tasks.json')) as { tasks: { label: string; type: string }[] };
  const extensions = (JSON.parse(read('.vscode', 'extensions.json')) as { recommendations: string[] }).recommendations;
  const settings = JSON.parse(read('.vscode', 'settings.json')) as Record<string, unknown>;

  it('recommends the extensions its tasks and files need', () => {
    // Tasks of type "func" come from the Azure Functions extension.
    if (tasks.tasks.some((t) => t.type === 'func')) expect(extensions).toContain('ms-azuretools.vscode-azurefunctions');
    for (const id of ['ms-azuretools.vscode-bicep', 'humao.rest-client', 'dbaeumer.vscode-eslint', 'Azurite.azurite'])
      expect(extensions).toContain(id);
  });

  it('settings name a pre-deploy task that exists and the project as a v4 TypeScript Functions app', () => {
    expect(tasks.tasks.map((t) => t.label)).toContain(settings['azureFunctions.preDeployTask']);
    expect(settings).toMatchObject({
      'azureFunctions.projectLanguage': 'TypeScript',
      'azureFunctions.projectLanguageModel': 4,
      'azureFunctions.projectRuntime': '~4',
    });
  });
});

describe('test.http', () => {
  const text = read('test.http');
  const variables = Object.fromEntries([...text.matchAll(/^@(\w+) = (\S+)$/gm)].map((m) => [m[1], m[2]]));
  const requests = [...text.matchAll(/^(GET|POST) \{\{(\w+)\}\}(\S+)$/gm)].map((m) => ({
    method: m[1],
    host: m[2] ?? '',
    path: m[3] ?? '',
  }));

  it('targets Core Tools (7071) and the offline runner ingress (its default port)', () => {
    expect(variables.coreTools).toBe('http://localhost:7071');
    expect(variables.offline).toBe(`http://127.0.0.1:${DEFAULT_INGRESS_PORT}`);
    expect(new Set(requests.map((r) => r.host))).toEqual(new Set(['coreTools', 'offline']));
  });

  it('asks each host only for routes it serves', () => {
    const ingress = read('local', 'runner', 'ingress.ts');
    for (const r of requests.filter((q) => q.host === 'offline')) expect([r.path, ingress.includes(`'${r.path}'`)]).toEqual([r.path, true]);
    const coreTools = requests.filter((r) => r.host === 'coreTools').map((r) => r.path);
    expect(coreTools).toEqual(['/api/telemetry', '/api/telemetry', '/runtime/webhooks/EventGrid?functionName=propagateTwinChanges']);
  });
});
