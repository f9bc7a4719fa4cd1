// The egress module: an identity-based ADT endpoint to an Event Hub or a Service Bus topic, the
// data-sender role for ADT's own identity before the endpoint exists, the route's event types
// matching the emulator's egress route, and data history wired behind its flag.
import { egressFilter } from '../../local/emulator';
import { evaluateArm } from './support/armExpression';
import { type ArmResource, type ArmTemplate, loadCompiled, moduleOf, moduleParam, resourcesOf } from './support/compiledTemplates';

const main = (): ArmTemplate => loadCompiled('main.json');
const egress = (): ArmTemplate => moduleOf(main(), 'egress').template;
const ofType = (template: ArmTemplate, type: string): ArmResource[] => resourcesOf(template).filter((r) => r.type === type);
const roleOf = (r: ArmResource): string | undefined =>
  /variables\('roles'\)\.(\w+)/.exec(String((r.properties as { roleDefinitionId?: string }).roleDefinitionId))?.[1];

describe('egress module', () => {
  it('is off by default and deployed for eventHub or serviceBus', () => {
    const m = main();
    expect(m.parameters?.egress).toMatchObject({ type: 'string', defaultValue: 'none', allowedValues: ['none', 'eventHub', 'serviceBus'] });
    expect(m.parameters?.dataHistory).toMatchObject({ type: 'bool', defaultValue: false });
    const { deployment } = moduleOf(m, 'egress');
    expect(deployment.condition).toBe("[not(equals(parameters('egress'), 'none'))]");
    expect(moduleParam(deployment, 'digitalTwinsPrincipalId')).toContain('outputs.principalId.value');
  });

  it('gives the ADT instance the system identity the endpoints send with', () => {
    const adt = ofType(moduleOf(main(), 'digital-twins').template, 'Microsoft.DigitalTwins/digitalTwinsInstances')[0];
    expect(adt?.identity).toEqual({ type: 'SystemAssigned' });
  });

  it('creates an identity-based endpoint per kind, each after its data-sender grant to ADT', () => {
    const endpoints = ofType(egress(), 'Microsoft.DigitalTwins/digitalTwinsInstances/endpoints');
    expect(endpoints.map((e) => [e.condition, (e.properties as { endpointType: string }).endpointType])).toEqual([
      ["[variables('useEventHub')]", 'EventHub'],
      ["[not(variables('useEventHub'))]", 'ServiceBus'],
    ]);
    for (const endpoint of endpoints) {
      const props = endpoint.properties as Record<string, unknown>;
      expect(props.authenticationType).toBe('IdentityBased');
      expect(props.identity).toEqual({ type: 'SystemAssigned' });
      // No key or connection string reaches the endpoint.
      expect(Object.keys(props).filter((k) => /key|connection|secret/i.test(k))).toEqual([]);
      expect(props.entityPath).toBe("[parameters('entityName')]");
    }
    const grants = ofType(egress(), 'Microsoft.Authorization/roleAssignments');
    const sender = (role: string) => grants.find((g) => roleOf(g) === role);
    expect(sender('eventHubsDataSender')?.condition).toBe("[variables('useEventHub')]");
    expect(sender('serviceBusDataSender')?.condition).toBe("[not(variables('useEventHub'))]");
    for (const g of [sender('eventHubsDataSender'), sender('serviceBusDataSender')]) {
      expect((g?.properties as { principalId: string }).principalId).toBe("[parameters('digitalTwinsPrincipalId')]");
    }
    expect(String(sender('eventHubsDataSender')?.scope)).toContain('Microsoft.EventHub/namespaces/eventhubs');
    expect(String(sender('serviceBusDataSender')?.scope)).toContain('Microsoft.ServiceBus/namespaces/topics');
    expect(JSON.stringify(endpoints[0]?.dependsOn)).toContain('Microsoft.Authorization/roleAssignments');
    expect(JSON.stringify(endpoints[1]?.dependsOn)).toContain('Microsoft.Authorization/roleAssignments');
    // Built-in role ids, stated independently of the Bicep.
    expect(egress().variables?.roles).toMatchObject({
      eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975',
      serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
    });
  });

  it("routes the same twin-change types as the emulator's egress route, relationships only when asked", () => {
    const variable = String(egress().variables?.eventTypes);
    const [always, relationships] = variable.split('if(');
    const types = (text: string | undefined) => [...(text ?? '').matchAll(/'(Microsoft\.DigitalTwins\.[A-Za-z.]+)'/g)].map((m) => m[1]);
    const asFilter = (list: (string | undefined)[]) => list.map((t) => `type = '${t}'`).join(' OR ');
    expect(asFilter(types(always))).toBe(egressFilter(false));
    expect(asFilter([...types(always), ...types(relationships)])).toBe(egressFilter(true));
    expect(Object.keys(main().outputs ?? {})).toEqual(
      expect.arrayContaining(['EGRESS_ENDPOINT_NAME', 'EGRESS_ROUTE_NAME', 'EGRESS_ROUTE_FILTER']),
    );
  });

  it('wires data history to Azure Data Explorer only with dataHistory and an Event Hub', () => {
    expect(egress().variables?.historyOn).toBe("[and(parameters('dataHistory'), variables('useEventHub'))]");
    const connection = ofType(egress(), 'Microsoft.DigitalTwins/digitalTwinsInstances/timeSeriesDatabaseConnections')[0];
    expect(connection?.condition).toBe("[variables('historyOn')]");
    expect(connection?.properties).toMatchObject({ connectionType: 'AzureDataExplorer', identity: { type: 'SystemAssigned' } });
    for (const type of [
      'Microsoft.Kusto/clusters',
      'Microsoft.Kusto/clusters/databases',
      'Microsoft.Kusto/clusters/databases/principalAssignments',
    ]) {
      expect(ofType(egress(), type).map((r) => r.condition)).toEqual(["[variables('historyOn')]"]);
    }
    const historyRoles = ofType(egress(), 'Microsoft.Authorization/roleAssignments')
      .filter((r) => r.condition === "[variables('historyOn')]")
      .map(roleOf);
    expect(historyRoles.sort()).toEqual(['contributor', 'eventHubsDataOwner', 'eventHubsDataReceiver']);
    expect(ofType(egress(), 'Microsoft.Kusto/clusters/databases/principalAssignments')[0]?.properties).toMatchObject({
      role: 'Admin',
      principalType: 'App',
    });
  });

  it('turns local auth off on both namespaces (on the Event Hubs one unless the Fabric switch is on: infra-fabric.test.ts)', () => {
    expect(ofType(egress(), 'Microsoft.ServiceBus/namespaces')[0]?.properties).toMatchObject({
      disableLocalAuth: true,
      minimumTlsVersion: '1.2',
    });
    const eventHubs = ofType(egress(), 'Microsoft.EventHub/namespaces')[0]?.properties as {
      disableLocalAuth: string;
      minimumTlsVersion: string;
    };
    expect(eventHubs.minimumTlsVersion).toBe('1.2');
    expect(evaluateArm(eventHubs.disableLocalAuth, egress(), { egress: 'eventHub', fabric: false })).toBe(true);
  });
});
