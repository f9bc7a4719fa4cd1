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
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
};

interface Grant {
  principal: string;
  role: string;
  scopeType: string;
  condition: string;
}

function grants(moduleName = 'role-assignments'): Grant[] {
  const { template } = moduleOf(loadCompiled('main.json'), moduleName);
  return resourcesOf(template)
    .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')
    .map((r) => {
      const props = r.properties as { roleDefinitionId: string; principalId: string };
      const role =
        /subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', variables\('role'\)\.(\w+)\)/.exec(
          props.roleDefinitionId,
        )?.[1] ??
        /subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', variables\('(\w+)'\)\)/.exec(props.roleDefinitionId)?.[1];
      const principal = /^\[parameters\('(\w+)'\)\]$/.exec(props.principalId)?.[1];
      // Scope is the resourceId(...) of the target; its type names what the role applies to.
      const scopeType = /resourceId\('([^']+)'/.exec(r.scope ?? '')?.[1];
      if (!role || !principal || !scopeType) throw new Error(`Unrecognised role assignment shape: ${JSON.stringify(r)}`);
      return { principal, role, scopeType, condition: String(r.condition ?? 'always') };
    });
}

const main = () => loadCompiled('main.json');

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

  it('lets the topic write its dead letters and IoT Hub send to the telemetry hub, nothing broader', () => {
    const others = grants().filter(
      (g) => g.principal !== 'functionPrincipalId' && g.principal !== 'deployerPrincipalId' && g.principal !== 'digitalTwinsPrincipalId',
    );
    expect(others.map(({ principal, role, scopeType }) => ({ principal, role, scopeType }))).toEqual([
      {
        principal: 'topicPrincipalId',
        role: 'storageBlobDataContributor',
        scopeType: 'Microsoft.Storage/storageAccounts/blobServices/containers',
      },
    ]);
    const { template } = moduleOf(loadCompiled('main.json'), 'iot-hub-routing-role');
    expect((template.variables ?? {}).eventHubsDataSender).toBe(builtInRoles.eventHubsDataSender);
    expect(grants('iot-hub-routing-role').map(({ principal, role, scopeType }) => ({ principal, role, scopeType }))).toEqual([
      { principal: 'iotHubPrincipalId', role: 'eventHubsDataSender', scopeType: 'Microsoft.EventHub/namespaces/eventhubs' },
    ]);
  });

  it('gives the deployer what day one needs: route and seeding, simulate, reading dead letters', () => {
    const deployer = grants().filter((g) => g.principal === 'deployerPrincipalId');
    expect(deployer.map(({ role, scopeType }) => `${role} on ${scopeType}`).sort()).toEqual([
      'digitalTwinsDataOwner on Microsoft.DigitalTwins/digitalTwinsInstances',
      'eventHubsDataSender on Microsoft.EventHub/namespaces/eventhubs',
      'storageBlobDataContributor on Microsoft.Storage/storageAccounts/blobServices/containers',
      'storageBlobDataReader on Microsoft.Storage/storageAccounts/blobServices/containers',
      'storageBlobDataReader on Microsoft.Storage/storageAccounts/blobServices/containers',
      'storageBlobDataReader on Microsoft.Storage/storageAccounts/blobServices/containers',
      'storageBlobDataReader on Microsoft.Storage/storageAccounts/blobServices/containers',
    ]);
    // Each reader grant targets one dead-letter container, never the whole account.
    const { template } = moduleOf(loadCompiled('main.json'), 'role-assignments');
    const readerScopes = resourcesOf(template)
      .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments' && JSON.stringify(r.properties).includes('storageBlobDataReader'))
      .map((r) => r.scope);
    expect(readerScopes.join('\n')).toMatch(/deadLetterContainerName/);
    expect(readerScopes.join('\n')).toMatch(/eventGridDeadLetterContainerName/);
    expect(readerScopes.join('\n')).toMatch(/adtDeadLetterContainerName/);
    expect(main().outputs?.DEPLOYER_PRINCIPAL_ID?.value).toBe("[parameters('deployerPrincipalId')]");
    expect(main().parameters?.deployerPrincipalId?.defaultValue).toBe('[deployer().objectId]');
  });

  it('lets ADT import jobs read the input container and write the log container with the instance identity, and the deployer fill and read them', () => {
    const { template } = moduleOf(loadCompiled('main.json'), 'role-assignments');
    const scoped = (principal: string): string[] =>
      resourcesOf(template)
        .filter(
          (r) =>
            r.type === 'Microsoft.Authorization/roleAssignments' && JSON.stringify(r.properties).includes(`parameters('${principal}')`),
        )
        .map((r) => {
          const role = /variables\('role'\)\.(\w+)/.exec(JSON.stringify(r.properties))?.[1];
          const container = /parameters\('(import\w*ContainerName)'\)/.exec(r.scope ?? '')?.[1] ?? 'elsewhere';
          return `${role} on ${container}`;
        });
    // Exactly what the Jobs API documents (§7.4), on the two containers only, never the account.
    expect(scoped('digitalTwinsPrincipalId').sort()).toEqual([
      'storageBlobDataContributor on importLogContainerName',
      'storageBlobDataReader on importContainerName',
    ]);
    expect(
      scoped('deployerPrincipalId')
        .filter((g) => g.includes('import'))
        .sort(),
    ).toEqual(['storageBlobDataContributor on importContainerName', 'storageBlobDataReader on importLogContainerName']);
    // The principal is the instance's own system identity, and the containers are the ones storage.bicep creates.
    const m = main();
    const roles = moduleOf(m, 'role-assignments').deployment;
    expect(moduleParam(roles, 'digitalTwinsPrincipalId')).toContain("'digital-twins'), '2025-04-01').outputs.principalId.value");
    const storage = moduleOf(m, 'storage').deployment;
    for (const name of ['importContainerName', 'importLogContainerName']) expect(moduleParam(roles, name)).toBe(moduleParam(storage, name));
    expect(m.outputs?.IMPORT_CONTAINER?.value).toBe("[variables('names').importContainer]");
    expect(m.outputs?.IMPORT_LOG_CONTAINER?.value).toBe("[variables('names').importLogContainer]");
    expect(m.outputs?.STORAGE_BLOB_ENDPOINT).toBeDefined();
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
    expect(moduleOf(main, 'iot-hub').deployment.dependsOn).toContain(
      "[resourceId('Microsoft.Resources/deployments', 'iot-hub-routing-role')]",
    );
    // The routing endpoint authenticates with the user-assigned identity that holds the Sender role
    // (the hub's two declarations, stable and preview API, share one properties variable).
    const hubTemplate = moduleOf(main, 'iot-hub').template;
    const hubs = resourcesOf(hubTemplate).filter((r) => r.type === 'Microsoft.Devices/IotHubs');
    expect(hubs.map((hub) => hub.properties)).toEqual(["[variables('hubProperties')]", "[variables('hubProperties')]"]);
    expect(JSON.stringify(hubTemplate.variables?.hubProperties)).toContain(
      "'authenticationType', 'identityBased', 'identity', createObject('userAssignedIdentity', parameters('routingIdentityId'))",
    );
  });
});

describe('IoT Hub routing grant propagation', () => {
  it('is granted as soon as the event hub exists, and the slow ADT deployment runs between it and IoT Hub', () => {
    const m = main();
    const routing = moduleOf(m, 'iot-hub-routing-role').deployment;
    // Waits for the event hub only: not for ADT or anything else slow.
    expect(routing.dependsOn).toEqual([
      "[resourceId('Microsoft.Resources/deployments', 'event-hubs')]",
      "[resourceId('Microsoft.Resources/deployments', 'identities')]",
    ]);
    // IoT Hub waits for role-assignments, which waits for ADT (it needs the topic's identity).
    expect(JSON.stringify(moduleOf(m, 'role-assignments').deployment.dependsOn)).toContain("'digital-twins'");
  });
});
