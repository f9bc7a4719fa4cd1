// IoT Hub's other events reach the ingest function through routes of their own to the same endpoint:
// each switchable, all off by default; routeDeviceEvents opts in to lifecycle and twin changes
// (reported properties only), connection state and Plug and Play digital twin changes have their own
// switches, and the digital twin change route exists only when asked for (preview-only ARM source).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { evaluateArm, type Value } from './support/armExpression';
import { type ArmResource, type ArmTemplate, loadCompiled, moduleOf, repoRoot, resourcesOf } from './support/compiledTemplates';

const main = (): ArmTemplate => loadCompiled('main.json');
const hubModule = () => moduleOf(main(), 'iot-hub');
interface Route {
  name: string;
  source: string;
  condition: string;
  endpointNames: string[];
  isEnabled: string | boolean;
}
const switches = (parameters: Record<string, boolean> = {}) => {
  const value = (hubModule().deployment.properties as { parameters: { eventRoutes: { value: Record<string, string> } } }).parameters
    .eventRoutes.value;
  return Object.fromEntries(Object.entries(value).map(([key, expression]) => [key, evaluateArm(expression, main(), parameters)]));
};

it('are all off by default', () => {
  const params = main().parameters ?? {};
  for (const name of ['routeDeviceEvents', 'routeConnectionStateEvents', 'routeDigitalTwinChangeEvents'])
    expect(params[name]).toMatchObject({ type: 'bool', defaultValue: false });
  expect(switches()).toEqual({ lifecycle: false, twinChanges: false, connectionState: false, digitalTwinChanges: false });
});

it('routeDeviceEvents turns on lifecycle and twin changes, each of which can be turned off again', () => {
  expect(switches({ routeDeviceEvents: true })).toEqual({
    lifecycle: true,
    twinChanges: true,
    connectionState: false,
    digitalTwinChanges: false,
  });
  expect(switches({ routeDeviceEvents: true, routeTwinChangeEvents: false })).toMatchObject({ lifecycle: true, twinChanges: false });
  expect(switches({ routeLifecycleEvents: true })).toMatchObject({ lifecycle: false });
  expect(switches({ routeConnectionStateEvents: true, routeDigitalTwinChangeEvents: true })).toMatchObject({
    connectionState: true,
    digitalTwinChanges: true,
  });
});

it('routes each source to the endpoint the ingest function reads, each enabled by its switch', () => {
  const { template } = hubModule();
  const hubProperties = (template.variables as { hubProperties: { routing: { routes: string; enrichments: string } } }).hubProperties;
  expect(hubProperties.routing.routes).toBe(
    "[concat(variables('telemetryRoutes'), variables('eventRouteList'), variables('digitalTwinChangeRoutes'))]",
  );
  const routes = (template.variables as { eventRouteList: Route[] }).eventRouteList;
  expect(routes.map((r) => [r.source, r.condition, r.isEnabled])).toEqual([
    ['DeviceLifecycleEvents', 'true', "[parameters('eventRoutes').lifecycle]"],
    ['TwinChangeEvents', 'is_defined($body.properties.reported)', "[parameters('eventRoutes').twinChanges]"],
    ['DeviceConnectionStateEvents', 'true', "[parameters('eventRoutes').connectionState]"],
  ]);
  for (const route of routes) expect(route.endpointNames).toEqual(["[variables('ingestEndpointName')]"]);
  expect((template.variables as Record<string, string>).ingestEndpointName).toBe(
    "[if(variables('routed'), variables('routedEndpointName'), 'events')]",
  );
  const digital = String((template.variables as Record<string, string>).digitalTwinChangeRoutes);
  expect(digital).toMatch(
    /^\[if\(parameters\('eventRoutes'\)\.digitalTwinChanges, createArray\(createObject\('name', 'digital-twin-changes-to-ingest', 'source', 'DigitalTwinChangeEvents'/,
  );
});

// The hub is one resource declared twice: the stable API version, or the preview one that documents
// DigitalTwinChangeEvents (reference §3.1, unconfirmed at 2023-06-30), chosen by that route's switch.
it('deploys the hub at 2023-06-30, and at 2023-06-30-preview only when the digital twin change route is on', () => {
  const { template } = hubModule();
  const hubs = resourcesOf(template).filter((r: ArmResource) => r.type === 'Microsoft.Devices/IotHubs');
  expect(hubs.map((r) => [r.apiVersion, r.condition, r.properties, r.name])).toEqual([
    ['2023-06-30', "[not(parameters('eventRoutes').digitalTwinChanges)]", "[variables('hubProperties')]", "[parameters('name')]"],
    ['2023-06-30-preview', "[parameters('eventRoutes').digitalTwinChanges]", "[variables('hubProperties')]", "[parameters('name')]"],
  ]);
  const deployed = (parameters: Record<string, boolean>) => {
    const digital = switches(parameters).digitalTwinChanges === true;
    return hubs.filter((hub) => String(hub.condition).startsWith('[not(') !== digital).map((hub) => hub.apiVersion);
  };
  expect(deployed({})).toEqual(['2023-06-30']);
  expect(deployed({ routeDeviceEvents: true, routeConnectionStateEvents: true })).toEqual(['2023-06-30']);
  expect(deployed({ routeDigitalTwinChangeEvents: true })).toEqual(['2023-06-30-preview']);
  expect(evaluateArm(String(template.outputs?.apiVersion?.value), template, { eventRoutes: { digitalTwinChanges: true } })).toBe(
    '2023-06-30-preview',
  );
});

describe('the twin id enrichment', () => {
  const enrichments = (mainParameters: Record<string, Value>, telemetrySource = 'eventHub') => {
    const { deployment, template } = hubModule();
    const tag = evaluateArm(
      String((deployment.properties as { parameters: { twinIdEnrichmentTag: string } }).parameters.twinIdEnrichmentTag),
      main(),
      mainParameters,
    ) as { value: string };
    const routing = (template.variables as { hubProperties: { routing: { enrichments: string } } }).hubProperties.routing;
    expect(routing.enrichments).toBe("[variables('enrichments')]");
    return evaluateArm(String((template.variables as Record<string, string>).enrichments), template, {
      twinIdEnrichmentTag: tag.value,
      telemetrySource,
    });
  };

  it('is off by default', () => {
    expect(main().parameters?.enrichTwinId).toMatchObject({ type: 'bool', defaultValue: false });
    expect(enrichments({})).toEqual([]);
    expect(evaluateArm(String(main().outputs?.IOT_HUB_TWIN_ID_ENRICHMENT?.value), main())).toBe('');
  });

  it('stamps the twin tag as application property twinId on what reaches the ingest endpoint', () => {
    // The routed Event Hub endpoint in eventHub mode, the built-in one in builtIn mode: where the routes go.
    expect(enrichments({ enrichTwinId: true })).toEqual([
      { key: 'twinId', value: '$twin.tags.twinId', endpointNames: ['telemetry-event-hub'] },
    ]);
    expect(enrichments({ enrichTwinId: true, twinIdTag: 'dtId' }, 'builtIn')).toEqual([
      { key: 'twinId', value: '$twin.tags.dtId', endpointNames: ['events'] },
    ]);
    expect(evaluateArm(String(main().outputs?.IOT_HUB_TWIN_ID_ENRICHMENT?.value), main(), { enrichTwinId: true, twinIdTag: 'dtId' })).toBe(
      'twinId=$twin.tags.dtId',
    );
  });
});

it('names the switched-on routes in an output for post-deploy and the smoke test', () => {
  const value = String(main().outputs?.IOT_HUB_EVENT_ROUTES?.value);
  // join(filter([...kinds...], not empty), ','): each kind guarded by exactly the switch of its route.
  for (const [kind, guard] of [
    ['lifecycle', "and(parameters('routeDeviceEvents'), parameters('routeLifecycleEvents'))"],
    ['twinChanges', "and(parameters('routeDeviceEvents'), parameters('routeTwinChangeEvents'))"],
    ['connectionState', "parameters('routeConnectionStateEvents')"],
    ['digitalTwinChanges', "parameters('routeDigitalTwinChangeEvents')"],
  ])
    expect(value).toContain(`if(${guard}, '${kind}', '')`);
  expect(value).toMatch(/^\[join\(filter\(createArray\(.*lambda\('kind', not\(empty\(lambdaVariables\('kind'\)\)\)\)\), ','\)\]$/);
});

it('scripts/post-deploy.sh checks the routes by the names and sources the Bicep gives them', () => {
  const { template } = hubModule();
  const script = readFileSync(join(repoRoot, 'scripts', 'post-deploy.sh'), 'utf8');
  const routes = (template.variables as { eventRouteList: Route[] }).eventRouteList.map((r) => [r.name, r.source]);
  routes.push(['digital-twin-changes-to-ingest', 'DigitalTwinChangeEvents']);
  expect(String((template.variables as Record<string, string>).digitalTwinChangeRoutes)).toContain(
    "'name', 'digital-twin-changes-to-ingest', 'source', 'DigitalTwinChangeEvents'",
  );
  for (const [name, source] of routes) expect([name, script.includes(`["${name}", "${source}"]`)]).toEqual([name, true]);
});
