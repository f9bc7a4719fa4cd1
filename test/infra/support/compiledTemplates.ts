// Reads the ARM JSON that .ci/bicep.sh compiled from infra/. A missing build must fail the test
// run loudly: these tests are the only check that infra still matches the code.

import { existsSync, readFileSync } from 'node:fs';
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

/** Loads one compiled file, e.g. 'main.json' or 'post-deploy/event-subscription.json'. */
export function loadCompiled<T = ArmTemplate>(file: string): T {
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
