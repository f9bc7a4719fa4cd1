// The Fabric switch (main.bicep `fabric`, off by default): with egress = eventHub it adds what a
// Fabric Eventstream's "Azure Event Hubs" source needs on the egress hub — its own consumer group and
// a Listen-only shared access policy scoped to the hub — and turns SAS auth on for that namespace
// only; the outputs give the source's settings (never the key). docs/FABRIC.md uses the same names.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { evaluateArm } from './support/armExpression';
import { type ArmResource, type ArmTemplate, loadCompiled, moduleOf, repoRoot, resourcesOf } from './support/compiledTemplates';

const main = (): ArmTemplate => loadCompiled('main.json');
const egress = (): ArmTemplate => moduleOf(main(), 'egress').template;
const ofType = (type: string): ArmResource[] => resourcesOf(egress()).filter((r) => r.type === type);
const names = () => main().variables?.names as Record<string, string>;
const fabricOn = (parameters: Record<string, string | boolean>) => evaluateArm("[variables('fabricOn')]", egress(), parameters);

describe('Fabric switch', () => {
  it('is a bool parameter, off by default, passed to the egress module and settable with azd env set FABRIC', () => {
    expect(main().parameters?.fabric).toMatchObject({ type: 'bool', defaultValue: false });
    const { deployment } = moduleOf(main(), 'egress');
    expect((deployment.properties as { parameters: Record<string, { value: unknown }> }).parameters.fabric?.value).toBe(
      "[parameters('fabric')]",
    );
    expect(readFileSync(join(repoRoot, 'infra', 'main.bicepparam'), 'utf8')).toContain(
      "param fabric = bool(readEnvironmentVariable('FABRIC', 'false'))",
    );
  });

  it('is on only with an Event Hub egress', () => {
    expect(fabricOn({ egress: 'eventHub', fabric: true })).toBe(true);
    expect(fabricOn({ egress: 'eventHub', fabric: false })).toBe(false);
    expect(fabricOn({ egress: 'serviceBus', fabric: true })).toBe(false);
  });

  it('adds a consumer group and a Listen-only policy on the egress hub itself, not the namespace', () => {
    const groups = ofType('Microsoft.EventHub/namespaces/eventhubs/consumergroups').filter(
      (g) => g.condition === "[variables('fabricOn')]",
    );
    expect(groups.map((g) => g.name)).toEqual([
      "[format('{0}/{1}/{2}', parameters('namespaceName'), parameters('entityName'), parameters('fabricConsumerGroupName'))]",
    ]);
    const policies = ofType('Microsoft.EventHub/namespaces/eventhubs/authorizationRules');
    expect(policies.map((p) => [p.condition, p.properties])).toEqual([["[variables('fabricOn')]", { rights: ['Listen'] }]]);
    expect(policies[0]?.name).toContain("parameters('entityName')");
    // No namespace-wide policy: the key can read twin changes and nothing else.
    expect(ofType('Microsoft.EventHub/namespaces/authorizationRules')).toEqual([]);
    const { deployment } = moduleOf(main(), 'egress');
    const passed = (deployment.properties as { parameters: Record<string, { value: unknown }> }).parameters;
    expect(passed.fabricConsumerGroupName?.value).toBe("[variables('names').fabricConsumerGroup]");
    expect(passed.fabricPolicyName?.value).toBe("[variables('names').fabricPolicy]");
  });

  it('turns SAS auth on for the egress Event Hubs namespace only when the switch is on', () => {
    const disableLocalAuth = String(
      (ofType('Microsoft.EventHub/namespaces')[0]?.properties as { disableLocalAuth: string }).disableLocalAuth,
    );
    expect(evaluateArm(disableLocalAuth, egress(), { egress: 'eventHub', fabric: false })).toBe(true);
    expect(evaluateArm(disableLocalAuth, egress(), { egress: 'eventHub', fabric: true })).toBe(false);
    expect(resourcesOf(egress()).filter((r) => r.type === 'Microsoft.ServiceBus/namespaces')[0]?.properties).toMatchObject({
      disableLocalAuth: true,
    });
  });

  it('outputs the Eventstream source settings, and no key', () => {
    const outputs = main().outputs ?? {};
    for (const name of ['FABRIC_EVENT_HUB_NAMESPACE', 'FABRIC_EVENT_HUB', 'FABRIC_CONSUMER_GROUP', 'FABRIC_SAS_POLICY'])
      expect(Object.keys(outputs)).toContain(name);
    const text = JSON.stringify([outputs, egress().outputs]);
    expect(text).not.toMatch(/listKeys|primaryKey|connectionString/i);
    expect(evaluateArm(String(outputs.FABRIC_EVENT_HUB?.value), main(), { egress: 'eventHub', fabric: true })).toBe(names().egressEntity);
    expect(evaluateArm(String(outputs.FABRIC_EVENT_HUB?.value), main(), { egress: 'eventHub', fabric: false })).toBe('');
  });

  it('docs/FABRIC.md uses the names the template creates and shows a KQL query over twin changes', () => {
    const guide = readFileSync(join(repoRoot, 'docs', 'FABRIC.md'), 'utf8');
    for (const name of [names().fabricConsumerGroup, names().fabricPolicy, names().egressEntity]) expect(guide).toContain(`\`${name}\``);
    for (const output of ['FABRIC_EVENT_HUB_NAMESPACE', 'FABRIC_EVENT_HUB', 'FABRIC_CONSUMER_GROUP', 'FABRIC_SAS_POLICY'])
      expect(guide).toContain(output);
    expect(guide).toContain('azd env set FABRIC true');
    expect(guide).toContain('azd env set EGRESS eventHub');
    expect(guide).toMatch(/```kusto\n[\s\S]*Microsoft\.DigitalTwins\.Twin\.Update[\s\S]*```/);
  });
});
