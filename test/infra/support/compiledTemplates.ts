// Reads the ARM JSON that .ci/bicep.sh compiled from infra/. A missing build must fail the test
// run loudly: these tests are the only check that infra still matches the code.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');
export const compiledDir = join(repoRoot, '.tools', 'bicep-out');

export interface ArmResource {
  type: string;
  name: string;
  condition?: string | boolean;
  scope?: string;
  dependsOn?: string[];
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ArmTemplate {
  parameters?: Record<string, { type: string; defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[] | Record<string, ArmResource>;
  outputs?: Record<string, { type: string; value: unknown }>;
}

export interface ArmParameterFile {
  parameters: Record<string, { value: unknown }>;
}

/** Newest modification time of any Bicep source or its config under infra/. */
function newestInfraSource(dir = join(repoRoot, 'infra')): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestInfraSource(path));
    else if (/\.(bicep|bicepparam)$|^bicepconfig\.json$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let built = false;

/**
 * Compiles infra/ with .ci/bicep.sh when the output is missing or older than the sources, so `npm test`
 * on a fresh clone checks the current Bicep instead of failing or reading a stale build. Jest workers
 * run in parallel, so a directory lock makes one of them build while the others wait.
 */
function ensureCompiled(): void {
  if (built) return;
  const marker = join(compiledDir, 'main.json');
  const fresh = () => existsSync(marker) && statSync(marker).mtimeMs >= newestInfraSource();
  const lock = join(repoRoot, '.tools', 'bicep-build.lock');
  mkdirSync(join(repoRoot, '.tools'), { recursive: true });
  const started = Date.now();
  // Freshness is judged only while holding the lock: a build in progress has written some files only.
  for (;;) {
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() - started > 10 * 60_000)
        throw new Error(`Timed out waiting for ${relative(repoRoot, lock)}; remove it if no build is running.`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      continue;
    }
    try {
      if (!fresh()) execFileSync('bash', [join(repoRoot, '.ci', 'bicep.sh')], { cwd: repoRoot, stdio: 'pipe', timeout: 10 * 60_000 });
    } catch (error) {
      const output = (error as { stdout?: Buffer; stderr?: Buffer }).stdout?.toString() ?? '';
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`.ci/bicep.sh failed (it needs the .NET SDK to fetch the Bicep CLI from NuGet):\n${output}\n${stderr}`);
    } finally {
      rmdirSync(lock);
    }
    break;
  }
  built = true;
}

/** Loads one compiled file, e.g. 'main.json' or 'post-deploy/event-subscription.json'. */
export function loadCompiled<T = ArmTemplate>(file: string): T {
  ensureCompiled();
  const path = join(compiledDir, file);
  if (!existsSync(path)) {
    throw new Error(
      `Compiled Bicep not found: ${relative(repoRoot, path)}. Run .ci/bicep.sh first (it fetches the Bicep CLI from NuGet with the .NET SDK and compiles infra/ into .tools/bicep-out/).`,
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function resourcesOf(template: ArmTemplate): ArmResource[] {
  return Array.isArray(template.resources) ? template.resources : Object.values(template.resources);
}

/** A module of main.bicep: its deployment resource (for params/dependsOn) and its inner template. */
export function moduleOf(main: ArmTemplate, deploymentName: string): { deployment: ArmResource; template: ArmTemplate } {
  const deployment = resourcesOf(main).find((r) => r.type === 'Microsoft.Resources/deployments' && r.name === deploymentName);
  if (!deployment) throw new Error(`main.bicep has no module deployment named '${deploymentName}'.`);
  const template = (deployment.properties as { template?: ArmTemplate } | undefined)?.template;
  if (!template) throw new Error(`Module '${deploymentName}' has no inline template.`);
  return { deployment, template };
}

/** The expression a module parameter receives (`properties.parameters.<name>`), as text. */
export function moduleParam(deployment: ArmResource, name: string): string {
  const params = (deployment.properties as { parameters?: Record<string, unknown> }).parameters ?? {};
  const entry = params[name];
  if (entry === undefined) throw new Error(`Module '${deployment.name}' does not receive parameter '${name}'.`);
  return JSON.stringify(entry);
}

/** Every template in a compiled file, nested module templates included. */
export function allTemplates(template: ArmTemplate): ArmTemplate[] {
  const nested = resourcesOf(template)
    .map((r) => (r.properties as { template?: ArmTemplate } | undefined)?.template)
    .filter((t): t is ArmTemplate => t !== undefined);
  return [template, ...nested.flatMap(allTemplates)];
}

/** The Bicep CLI .ci/bicep.sh fetched (after a compile, so it is there). */
export function bicepBinary(): string {
  ensureCompiled();
  const project = readFileSync(join(repoRoot, '.ci', 'bicep-tool', 'bicep-tool.csproj'), 'utf8');
  const version = /Azure\.Bicep\.CommandLine\.linux-x64" Version="\[([0-9.]+)\]"/.exec(project)?.[1];
  if (!version) throw new Error('Could not read the Bicep CLI version from .ci/bicep-tool/bicep-tool.csproj');
  return join(repoRoot, '.tools', 'nuget', 'azure.bicep.commandline.linux-x64', version, 'tools', 'bicep');
}
