// Issue 15's deployment checks over the compiled templates: supported runtime, region allow-list,
// TLS 1.2 everywhere, shared keys only where ADT forces them, basic publishing off, the instance
// ceiling passed to the app, and every output the scripts read.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { allTemplates, type ArmResource, loadCompiled, moduleOf, repoRoot, resourcesOf } from './support/compiledTemplates';

const main = () => loadCompiled('main.json');
const resourcesOfType = (type: string): ArmResource[] => allTemplates(main()).flatMap((t) => resourcesOf(t)).filter((r) => r.type === type);

describe('runtime', () => {
  it('engines allow Node 20 locally and Node 22, which Flex runs', () => {
    // npm's own semver (a dependency of the toolchain) judges the range as npm would.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const semver = require('semver') as { satisfies(v: string, r: string): boolean };
    const range = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    for (const version of ['20.19.0', '22.12.0', '22.20.0']) expect([version, semver.satisfies(version, range)]).toEqual([version, true]);
    expect(semver.satisfies('18.20.0', range)).toBe(false);
    const app = resourcesOf(moduleOf(main(), 'function-app').template).find((r) => r.type === 'Microsoft.Web/sites');
    expect((app?.properties as { functionAppConfig: { runtime: unknown } }).functionAppConfig.runtime).toEqual({ name: 'node', version: '22' });
  });
});

describe('region', () => {
  it('allows only regions with both ADT and Flex Consumption, and azd prompts from that list', () => {
    const location = main().parameters?.location as { allowedValues?: string[]; metadata?: { azd?: { type?: string } } };
    expect(location.allowedValues).toEqual(['australiaeast', 'eastus', 'eastus2', 'northeurope', 'southcentralus', 'southeastasia', 'uksouth', 'westeurope', 'westus2']);
    expect(location.metadata?.azd?.type).toBe('location');
    // DEPLOY.md lists the same regions, so the guide and the template cannot drift apart.
    const guide = readFileSync(join(repoRoot, 'infra', 'DEPLOY.md'), 'utf8');
    for (const region of location.allowedValues ?? []) expect([region, guide.includes(`\`${region}\``)]).toEqual([region, true]);
  });
});

describe('hardening', () => {
  it('requires TLS 1.2 on storage, Event Hubs, IoT Hub, the Event Grid topic and the app (site and SCM)', () => {
    for (const account of resourcesOfType('Microsoft.Storage/storageAccounts')) expect(account.properties).toMatchObject({ minimumTlsVersion: 'TLS1_2', supportsHttpsTrafficOnly: true });
    expect(resourcesOfType('Microsoft.Storage/storageAccounts')).toHaveLength(2);
    expect(resourcesOfType('Microsoft.EventHub/namespaces')[0]?.properties).toMatchObject({ minimumTlsVersion: '1.2' });
    expect(resourcesOfType('Microsoft.Devices/IotHubs')[0]?.properties).toMatchObject({ minTlsVersion: '1.2' });
    expect(resourcesOfType('Microsoft.EventGrid/topics')[0]?.properties).toMatchObject({ minimumTlsVersionAllowed: '1.2' });
    expect(resourcesOfType('Microsoft.Web/sites')[0]?.properties).toMatchObject({ httpsOnly: true, siteConfig: { minTlsVersion: '1.2', scmMinTlsVersion: '1.2', ftpsState: 'Disabled' } });
  });

  it('turns basic (password) publishing off for FTP and SCM', () => {
    const policies = resourcesOfType('Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((p) => [p.name.replace(/.*'(\w+)'\)\]$/, '$1'), p.properties])).toEqual([
      ['ftp', { allow: false }],
      ['scm', { allow: false }],
    ]);
  });

  it('keeps shared keys only on the ADT dead-letter account, the one the ADT endpoint forces (DEPLOY.md says why)', () => {
    const accounts = allTemplates(main()).flatMap((t) => resourcesOf(t).filter((r) => r.type === 'Microsoft.Storage/storageAccounts').map((r) => ({ t, r })));
    const withKeys = accounts.filter(({ r }) => (r.properties as { allowSharedKeyAccess?: boolean }).allowSharedKeyAccess !== false);
    expect(withKeys.map(({ t }) => Object.keys(t.parameters ?? {}).includes('containerName'))).toEqual([true]); // adt-dead-letters.bicep
    expect(JSON.stringify(moduleOf(main(), 'adt-dead-letters').template)).toContain('"allowSharedKeyAccess":true');
    expect(resourcesOfType('Microsoft.EventHub/namespaces')[0]?.properties).toMatchObject({ disableLocalAuth: true });
    expect(resourcesOfType('Microsoft.Insights/components')[0]?.properties).toMatchObject({ DisableLocalAuth: true });
    const guide = readFileSync(join(repoRoot, 'infra', 'DEPLOY.md'), 'utf8');
    expect(guide).toMatch(/shared key/i);
  });

  it('renews the ADT dead-letter SAS on every deployment and outputs its expiry', () => {
    expect(main().parameters?.adtDeadLetterSasExpiry?.defaultValue).toBe("[dateTimeAdd(utcNow(), 'P1Y')]");
    expect(main().outputs?.ADT_DEAD_LETTER_SAS_EXPIRY?.value).toBe("[if(parameters('adtEndpointDeadLettering'), parameters('adtDeadLetterSasExpiry'), '')]");
  });

  it('takes the Service Bus host from the namespace, not a hard-coded public-cloud suffix', () => {
    const infra = ['main.bicep', 'modules/event-hubs.bicep', 'modules/iot-hub.bicep', 'modules/app-settings.bicep'].map((f) => readFileSync(join(repoRoot, 'infra', f), 'utf8')).join('\n');
    expect(infra.split('\n').filter((l) => !l.trim().startsWith('//') && !l.includes('@description')).join('\n')).not.toMatch(/servicebus\.windows\.net|azurewebsites\.net|core\.windows\.net/);
    const { template } = moduleOf(main(), 'event-hubs');
    expect(JSON.stringify(template.outputs?.fullyQualifiedNamespace?.value)).toContain('serviceBusEndpoint');
  });
});

describe('app settings added by the deployment', () => {
  it('passes the Flex instance ceiling to the app as ADT_MAX_INSTANCES', () => {
    const { deployment, template } = moduleOf(main(), 'app-settings');
    const common = (template.variables as Record<string, Record<string, string>>).common;
    expect(common?.ADT_MAX_INSTANCES).toBe("[string(parameters('maxInstances'))]");
    expect(JSON.stringify((deployment.properties as { parameters: unknown }).parameters)).toContain(`"maxInstances":{"value":"[parameters('maximumInstanceCount')]"}`);
    const app = resourcesOf(moduleOf(main(), 'function-app').template).find((r) => r.type === 'Microsoft.Web/sites');
    expect(JSON.stringify(app?.properties)).toContain(`"maximumInstanceCount":"[parameters('maximumInstanceCount')]"`);
  });
});

describe('outputs the scripts read', () => {
  it('every output DEPLOY.md lists exists', () => {
    const guide = readFileSync(join(repoRoot, 'infra', 'DEPLOY.md'), 'utf8');
    const section = guide.slice(guide.indexOf('## Outputs'), guide.indexOf('## 7.'));
    const listed = [...section.matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1] ?? '');
    expect(listed.length).toBeGreaterThan(10);
    expect(listed.filter((n) => !(n in (main().outputs ?? {})))).toEqual([]);
  });

  it('every main.bicep output scripts/*.sh asks for exists', () => {
    const outputs = Object.keys(main().outputs ?? {});
    for (const script of ['post-deploy.sh', 'smoke-test.sh']) {
      const text = readFileSync(join(repoRoot, 'scripts', script), 'utf8');
      const loaded = [...text.matchAll(/load_outputs ((?:[A-Z_ ]|--|\\\n)+)/g)].flatMap((m) => (m[1] ?? '').split(/[\s\\]+/)).filter((n) => /^[A-Z_]+$/.test(n));
      const required = [...text.matchAll(/required_output ([A-Z_]+)/g)].map((m) => m[1] ?? '');
      const names = [...new Set([...loaded, ...required])];
      expect(names.length).toBeGreaterThan(3);
      expect([script, names.filter((n) => !outputs.includes(n))]).toEqual([script, []]);
    }
  });
});
