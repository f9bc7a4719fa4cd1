// Every app setting the code reads is set by infra, and every binding connection is in identity
// form (Key Vault reference for the built-in endpoint, which cannot use identity).

import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { connections, hostSettings, settings, type SettingSpec } from '../../shared/settings';
import { type ArmParameterFile, loadCompiled, moduleOf, moduleParam, repoRoot, resourcesOf } from './support/compiledTemplates';

type SettingsObject = Record<string, unknown>;

/** Catalogue entries infra must NOT set in Azure, each with the reason. */
const notSetInAzure: Record<string, string> = {
  DEAD_LETTER_DIRECTORY: 'file dead letters are for the offline runner; Azure uses blob storage',
  DEFERRED_VALUES_DIRECTORY: 'folder deferred values are for the offline runner; Azure uses the deferred-values container',
  FUNCTIONS_WORKER_RUNTIME: 'Flex Consumption rejects it; the runtime is functionAppConfig.runtime',
};

const flexDeprecated = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
];

const identityLocators = ['fullyQualifiedNamespace', 'blobServiceUri', 'queueServiceUri', 'serviceUri', 'accountName'];
const prefixes: string[] = Object.values(connections);
const catalogue: SettingSpec[] = [...Object.values(settings), ...hostSettings];

function appSettingsModule() {
  const main = loadCompiled('main.json');
  const { deployment, template } = moduleOf(main, 'app-settings');
  const variables = (template.variables ?? {}) as Record<string, SettingsObject>;
  const config = resourcesOf(template).find((r) => r.type === 'Microsoft.Web/sites/config');
  return { main, deployment, template, variables, config };
}

/** The settings object the app gets in each telemetry mode, as the config resource composes it. */
function settingsByMode(): { eventHub: SettingsObject; builtIn: SettingsObject } {
  const { variables, config } = appSettingsModule();
  // Pin the composition so the per-mode objects below are what ARM actually applies.
  expect(config?.name).toContain('appsettings');
  expect(config?.properties).toBe(
    "[union(variables('common'), if(equals(parameters('telemetrySource'), 'eventHub'), variables('routedEventHub'), variables('builtInEventHub')))]",
  );
  const { common, routedEventHub, builtInEventHub } = variables;
  if (!common || !routedEventHub || !builtInEventHub) throw new Error('app-settings.bicep lost one of its settings variables.');
  return { eventHub: { ...common, ...routedEventHub }, builtIn: { ...common, ...builtInEventHub } };
}

function isConnectionSetting(name: string): boolean {
  return prefixes.some((p) => name === p || name.startsWith(`${p}__`));
}

describe('infra app settings', () => {
  it.each(['eventHub', 'builtIn'] as const)('sets every setting the code reads (%s mode)', (mode) => {
    const applied = settingsByMode()[mode];
    const missing = catalogue
      .filter((s) => !(s.name in notSetInAzure) && !isConnectionSetting(s.name))
      .map((s) => s.name)
      .filter((name) => !(name in applied));
    expect(missing).toEqual([]);
  });

  it('keeps out the settings that must not be set in Azure, and the exception list is not stale', () => {
    const { eventHub, builtIn } = settingsByMode();
    const catalogueNames = new Set(catalogue.map((s) => s.name));
    for (const name of Object.keys(notSetInAzure)) {
      expect(catalogueNames.has(name)).toBe(true);
      expect(eventHub).not.toHaveProperty([name]);
      expect(builtIn).not.toHaveProperty([name]);
    }
    for (const name of flexDeprecated) {
      expect(eventHub).not.toHaveProperty([name]);
      expect(builtIn).not.toHaveProperty([name]);
    }
  });

  it.each(prefixes)('connection %s is identity-based with the app identity in eventHub mode', (prefix) => {
    const applied = settingsByMode().eventHub;
    expect(applied).not.toHaveProperty([prefix]); // a connection string would win over identity
    const locators = identityLocators.filter((l) => `${prefix}__${l}` in applied);
    expect(locators.length).toBeGreaterThan(0);
    expect(applied[`${prefix}__credential`]).toBe('managedidentity');
    expect(applied[`${prefix}__clientId`]).toBe("[parameters('identityClientId')]");
  });

  it('catalogued identity sub-settings are all set (e.g. DeadLetterStorage__blobServiceUri)', () => {
    const applied = settingsByMode().eventHub;
    const identitySettings = catalogue.map((s) => s.name).filter((n) => prefixes.some((p) => n.startsWith(`${p}__`)));
    expect(identitySettings.filter((n) => !(n in applied))).toEqual([]);
  });

  it('builtIn mode takes the Event Hubs connection from a Key Vault reference, never a literal', () => {
    const { builtIn } = settingsByMode();
    expect(builtIn[connections.eventHub]).toBe("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('eventHubConnectionSecretUri'))]");
    expect(Object.keys(builtIn).filter((n) => n.startsWith(`${connections.eventHub}__`))).toEqual([]);
    // Other connections stay identity-based in builtIn mode too.
    expect(builtIn[`${connections.deadLetterStorage}__credential`]).toBe('managedidentity');
  });

  it('wires values from the resources they describe', () => {
    const { deployment } = appSettingsModule();
    const { eventHub } = settingsByMode();
    expect(eventHub[settings.adtUrl.name]).toBe("[format('https://{0}', parameters('digitalTwinsHostName'))]");
    expect(moduleParam(deployment, 'digitalTwinsHostName')).toContain("'digital-twins'), '2025-04-01').outputs.hostName.value");
    expect(moduleParam(deployment, 'identityClientId')).toContain("'identities'), '2025-04-01').outputs.functionClientId.value");
    expect(moduleParam(deployment, 'eventHubFullyQualifiedNamespace')).toContain('outputs.fullyQualifiedNamespace.value');
    expect(moduleParam(deployment, 'pipelineConfigPath')).toContain("parameters('pipelineConfigPath')");
  });

  it('main.bicepparam supplies every required parameter, and the pipeline config it names is in the repo', () => {
    const main = loadCompiled('main.json');
    const params = loadCompiled<ArmParameterFile>('main.parameters.json').parameters;
    const required = Object.entries(main.parameters ?? {})
      .filter(([, p]) => p.defaultValue === undefined)
      .map(([name]) => name);
    expect(required.filter((name) => !(name in params))).toEqual([]);
    const configPath = params.pipelineConfigPath?.value;
    expect(typeof configPath).toBe('string');
    // The deployed package is the repo root, so a path that does not exist here fails at run time.
    expect(existsSync(join(repoRoot, String(configPath)))).toBe(true);
  });
});
