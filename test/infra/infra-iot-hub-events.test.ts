// IoT Hub's other events reach the ingest function through routes of their own to the same endpoint:
// each switchable, all off by default; routeDeviceEvents opts in to lifecycle and twin changes
// (reported properties only), connection state and Plug and Play digital twin changes have their own
// switches, and the digital twin change route exists only when asked for (preview-only ARM source).
import { evaluateArm } from './support/armExpression';
import { type ArmResource, type ArmTemplate, loadCompiled, moduleOf, resourcesOf } from './support/compiledTemplates';

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
  const hub = resourcesOf(template).find((r: ArmResource) => r.type === 'Microsoft.Devices/IotHubs');
  expect((hub?.properties as { routing: { routes: string } }).routing.routes).toBe(
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
