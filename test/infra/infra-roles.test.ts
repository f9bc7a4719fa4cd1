// The identities get exactly the roles the pipeline needs, on the right resources, and IoT Hub is
// created only after its routing identity may send to Event Hubs.

import { loadCompiled, moduleOf, moduleParam, resourcesOf } from './support/compiledTemplates';

// Built-in role definition ids, stated independently of the Bicep.
const builtInRoles: Record<string, string> = {
  digitalTwinsDataOwner: 'bcd981a7-7f74-457b-83e1-cceb9e632ffe',
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
};

interface Grant {
  principal: string;
  role: string;
  scopeType: string;
  condition: string;
}

function grants(): Grant[] {
  const { template } = moduleOf(loadCompiled('main.json'), 'role-assignments');
  return resourcesOf(template)
    .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')
    .map((r) => {
      const props = r.properties as { roleDefinitionId: string; principalId: string };
      const role = /subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', variables\('role'\)\.(\w+)\)/.exec(props.roleDefinitionId)?.[1];
      const principal = /^\[parameters\('(\w+)'\)\]$/.exec(props.principalId)?.[1];
      // Scope is the resourceId(...) of the target; its type names what the role applies to.
      const scopeType = /resourceId\('([^']+)'/.exec(r.scope ?? '')?.[1];
      if (!role || !principal || !scopeType) throw new Error(`Unrecognised role assignment shape: ${JSON.stringify(r)}`);
      return { principal, role, scopeType, condition: String(r.condition ?? 'always') };
    });
}

describe('infra role assignments', () => {
  it('uses the real built-in role definition ids', () => {
    const { template } = moduleOf(loadCompiled('main.json'), 'role-assignments');
    const declared = (template.variables ?? {}).role as Record<string, string>;
    for (const [name, id] of Object.entries(declared)) expect([name, id]).toEqual([name, builtInRoles[name]]);
  });

  it('gives the Function App identity what the code needs', () => {
    const fn = grants().filter((g) => g.principal === 'functionPrincipalId');
    expect(fn.map(({ role, scopeType, condition }) => ({ role, scopeType, condition }))).toEqual(
      expect.arrayContaining([
        { role: 'digitalTwinsDataOwner', scopeType: 'Microsoft.DigitalTwins/digitalTwinsInstances', condition: 'always' },
        { role: 'storageBlobDataOwner', scopeType: 'Microsoft.Storage/storageAccounts', condition: 'always' },
        { role: 'monitoringMetricsPublisher', scopeType: 'Microsoft.Insights/components', condition: 'always' },
        { role: 'eventHubsDataReceiver', scopeType: 'Microsoft.EventHub/namespaces/eventhubs', condition: "[parameters('routed')]" },
        { role: 'keyVaultSecretsUser', scopeType: 'Microsoft.KeyVault/vaults', condition: "[not(parameters('routed'))]" },
      ]),
    );
    expect(fn).toHaveLength(5);
  });

  it('lets IoT Hub send to the telemetry hub and the topic write its dead letters, nothing broader', () => {
    const others = grants().filter((g) => g.principal !== 'functionPrincipalId' && g.principal !== 'deployerPrincipalId');
    expect(others.map(({ principal, role, scopeType }) => ({ principal, role, scopeType }))).toEqual([
      { principal: 'iotHubPrincipalId', role: 'eventHubsDataSender', scopeType: 'Microsoft.EventHub/namespaces/eventhubs' },
      { principal: 'topicPrincipalId', role: 'storageBlobDataContributor', scopeType: 'Microsoft.Storage/storageAccounts/blobServices/containers' },
    ]);
  });

  it('grants the roles to the identity the Function App actually runs as', () => {
    const main = loadCompiled('main.json');
    const roles = moduleOf(main, 'role-assignments').deployment;
    const app = moduleOf(main, 'function-app').deployment;
    expect(moduleParam(roles, 'functionPrincipalId')).toContain("'identities'), '2025-04-01').outputs.functionPrincipalId.value");
    expect(moduleParam(app, 'identityId')).toContain("'identities'), '2025-04-01').outputs.functionIdentityId.value");
    expect(moduleParam(roles, 'functionIdentityName')).toBe(moduleParam(moduleOf(main, 'identities').deployment, 'functionIdentityName'));
  });

  it('creates IoT Hub and the Function App only after the role assignments', () => {
    const main = loadCompiled('main.json');
    for (const name of ['iot-hub', 'function-app']) {
      expect(moduleOf(main, name).deployment.dependsOn).toContain("[resourceId('Microsoft.Resources/deployments', 'role-assignments')]");
    }
    // The routing endpoint authenticates with the user-assigned identity that holds the Sender role.
    const hub = resourcesOf(moduleOf(main, 'iot-hub').template).find((r) => r.type === 'Microsoft.Devices/IotHubs');
    expect(JSON.stringify(hub?.properties)).toContain("'authenticationType', 'identityBased', 'identity', createObject('userAssignedIdentity', parameters('routingIdentityId'))");
  });
});
