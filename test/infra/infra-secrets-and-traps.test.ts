// No secret or key literal anywhere in infra, keys only flow resource → resource, and the known
// deployment traps stay handled (see infra/DEPLOY.md).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { allTemplates, type ArmTemplate, compiledDir, loadCompiled, moduleOf, repoRoot, resourcesOf } from './support/compiledTemplates';

const roleDefinitionIds = new Set([
  'bcd981a7-7f74-457b-83e1-cceb9e632ffe',
  'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
  '2b629674-e913-4c01-ae53-ef4638d8f975',
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  '3913510d-42f4-4e42-8a64-420c390055eb',
  '4633458b-17de-408a-b874-0445c86b69e6',
  '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  // egress.bicep: Azure Event Hubs Data Owner, Azure Service Bus Data Sender, Contributor.
  'f526a384-b230-433a-b45c-95f59c4a2dec',
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
  'b24988ac-6180-42a0-ab88-20f7382dd24c',
]);

/** Returns why `text` looks like it carries a secret literal, or nothing. */
export function secretFindings(text: string): string[] {
  const findings: string[] = [];
  const patterns: Array<[string, RegExp]> = [
    ['storage account key', /AccountKey=(?![{$])[^;'"\s]+/],
    ['SAS key', /SharedAccessKey=(?![{$])[^;'"\s]+/],
    ['SAS signature', /[?&]sig=[A-Za-z0-9%+/=]{8,}/],
    ['instrumentation key', /InstrumentationKey=[0-9a-fA-F-]{36}/],
    ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ];
  for (const [label, pattern] of patterns) {
    const match = pattern.exec(text);
    if (match) findings.push(`${label}: ${match[0].slice(0, 60)}`);
  }
  // Long base64 runs mixing cases and digits; resource type paths (letters and '/') are not keys.
  for (const run of text.match(/[A-Za-z0-9+/]{40,}={0,2}/g) ?? []) {
    if (/\d.*\d/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run)) findings.push(`base64 key: ${run.slice(0, 12)}…`);
  }
  // GUID literals other than built-in role ids would be tenant, subscription or principal ids.
  for (const guid of text.match(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi) ?? []) {
    if (!roleDefinitionIds.has(guid.toLowerCase())) findings.push(`GUID literal: ${guid}`);
  }
  return findings;
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, keep) : keep(name) ? [path] : [];
  });
}

const listFunction = /\blist[A-Z]\w*\(/;

describe('secrets in infra', () => {
  it('the secret detector itself flags planted literals', () => {
    const fakeKey = ['abcdEFGHijklMNOPqrstUVWXyz0123456789', 'ABCDefgh+/=='].join('');
    expect(secretFindings(`Endpoint=sb://x/;SharedAccessKeyName=service;SharedAccessKey=${fakeKey}`)).not.toEqual([]);
    expect(secretFindings(`DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${fakeKey}`)).not.toEqual([]);
    expect(secretFindings('tenant 72f988bf-86f1-41af-91ab-2d7cd011db47')).not.toEqual([]);
    expect(secretFindings("[format('SharedAccessKey={1}', listKeys(x).primaryKey)]")).toEqual([]);
  });

  it('no source or compiled file carries a secret literal', () => {
    loadCompiled('main.json'); // compiles infra/ when missing or stale, so the folder below exists
    const sources = [
      ...filesUnder(join(repoRoot, 'infra'), (n) => /\.(bicep|bicepparam|json)$/.test(n)),
      ...filesUnder(join(repoRoot, 'scripts'), () => true),
      join(repoRoot, 'azure.yaml'),
      ...filesUnder(compiledDir, (n) => n.endsWith('.json')),
    ];
    const findings = sources.flatMap((path) => {
      // Generated template hashes are digests, not keys.
      const text = readFileSync(path, 'utf8').replace(/"templateHash": "\d+"/g, '');
      return secretFindings(text).map((f) => `${relative(repoRoot, path)}: ${f}`);
    });
    expect(findings).toEqual([]);
  });

  it('no output anywhere exposes a listKeys/listServiceSas result', () => {
    const templates = [...allTemplates(loadCompiled('main.json')), loadCompiled('post-deploy/event-subscription.json')];
    const leaking = templates.flatMap((t) =>
      Object.entries(t.outputs ?? {})
        .filter(([, o]) => listFunction.test(JSON.stringify(o.value)) || o.type === 'securestring')
        .map(([name]) => name),
    );
    expect(leaking).toEqual([]);
  });

  it('keys are read only where a resource consumes them: the ADT endpoint and the Key Vault secret', () => {
    const consumers = allTemplates(loadCompiled('main.json')).flatMap((t: ArmTemplate) =>
      resourcesOf(t)
        .filter((r) => r.type !== 'Microsoft.Resources/deployments' && listFunction.test(JSON.stringify(r)))
        .map((r) => r.type),
    );
    expect(consumers.sort()).toEqual(['Microsoft.DigitalTwins/digitalTwinsInstances/endpoints', 'Microsoft.KeyVault/vaults/secrets']);
  });
});

describe('deployment traps', () => {
  it('has no ARM event-route resource (routes are data plane) and no first-pass function subscription', () => {
    const types = allTemplates(loadCompiled('main.json')).flatMap((t) => resourcesOf(t).map((r) => r.type));
    expect(types.filter((t) => /eventRoutes/i.test(t))).toEqual([]);
    expect(types.filter((t) => /eventSubscriptions/i.test(t))).toEqual([]);
  });

  it("the second pass subscribes the propagate function's Event Grid webhook with the secure extension key, dead-lettering with identity", () => {
    const template = loadCompiled('post-deploy/event-subscription.json');
    const sub = resourcesOf(template).find((r) => r.type === 'Microsoft.EventGrid/topics/eventSubscriptions');
    const destination = (sub?.properties as { destination: { endpointType: string; properties: { endpointUrl: string } } }).destination;
    expect(destination.endpointType).toBe('WebHook');
    expect(destination.properties.endpointUrl).toBe(
      "[format('https://{0}/runtime/webhooks/EventGrid?functionName={1}&code={2}', parameters('functionAppHostName'), parameters('functionName'), parameters('eventGridExtensionKey'))]",
    );
    expect(template.parameters?.eventGridExtensionKey?.type).toBe('securestring');
    expect(JSON.stringify(sub?.properties)).toContain('"deadLetterWithResourceIdentity"');
    const main = loadCompiled('main.json');
    expect(main.outputs?.PROPAGATE_FUNCTION_NAME?.value).toBe("[variables('names').propagateFunction]");
    expect((main.variables?.names as Record<string, string>).propagateFunction).toBe('propagateTwinChanges');
  });

  it('the ADT endpoint uses topic keys and the topic keeps local auth for it', () => {
    const { template } = moduleOf(loadCompiled('main.json'), 'digital-twins');
    const endpoint = resourcesOf(template).find((r) => r.type === 'Microsoft.DigitalTwins/digitalTwinsInstances/endpoints');
    expect(endpoint?.properties).toMatchObject({ endpointType: 'EventGrid', authenticationType: 'KeyBased' });
    const topic = resourcesOf(template).find((r) => r.type === 'Microsoft.EventGrid/topics');
    expect(topic?.properties).toMatchObject({ disableLocalAuth: false });
  });

  it('runs Node 22 on Flex Consumption with the package in a keyless storage container', () => {
    const main = loadCompiled('main.json');
    const app = resourcesOf(moduleOf(main, 'function-app').template).find((r) => r.type === 'Microsoft.Web/sites');
    expect(app?.properties).toMatchObject({
      functionAppConfig: {
        runtime: { name: 'node', version: '22' },
        deployment: { storage: { type: 'blobContainer', authentication: { type: 'UserAssignedIdentity' } } },
      },
    });
    const storage = resourcesOf(moduleOf(main, 'storage').template).find((r) => r.type === 'Microsoft.Storage/storageAccounts');
    expect(storage?.properties).toMatchObject({ allowSharedKeyAccess: false, allowBlobPublicAccess: false });
    const ns = resourcesOf(moduleOf(main, 'event-hubs').template).find((r) => r.type === 'Microsoft.EventHub/namespaces');
    expect(ns?.properties).toMatchObject({ disableLocalAuth: true });
  });

  it('tags the app with the azd service name azure.yaml deploys', () => {
    const main = loadCompiled('main.json');
    const service = (main.variables?.names as Record<string, string>).azdService;
    const azureYaml = readFileSync(join(repoRoot, 'azure.yaml'), 'utf8');
    expect(azureYaml).toMatch(new RegExp(`^ {2}${service}:\\n {4}project: \\.`, 'm'));
    expect(azureYaml).toContain('run: bash ./scripts/post-deploy.sh');
    expect(azureYaml).toMatch(/^ {4}remoteBuild: true$/m);
  });
});
