// ingest.unknownTwin's default, `model`: a message for a twin that does not exist creates it with the
// model the message names (dt-dataschema, a device twin's modelId) when ADT has that model, then
// applies the message — telemetry alone included; otherwise it is dead-lettered unknown-twin, as an
// explicit `dead-letter` always does.
import { parsePipelineConfig } from '../../../../shared/config/load';
import type { InterfaceView, PropertyDef, Schema, TelemetryDef } from '../../../../shared/dtdl/types';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';
import { planIngest } from '../../../../shared/ingest/plan/planner';

const message = (body: Record<string, unknown>, extra: Partial<DeviceMessage> = {}): DeviceMessage => ({
  eventKey: 'seq:1',
  sequenceNumber: 1,
  deviceId: 'new-1',
  enqueuedTime: '2024-01-01T00:00:00.000Z',
  properties: {},
  systemProperties: {},
  body,
  ...extra,
});
const schema = { kind: 'primitive', name: 'double' } as Schema;
const sensor: InterfaceView = {
  id: 'dtmi:x:Sensor;1',
  displayName: {},
  description: {},
  extendsChain: [],
  properties: new Map<string, PropertyDef>([
    ['temperature', { name: 'temperature', schema, writable: false, semanticTypes: [], definedIn: 'x' }],
  ]),
  telemetry: new Map<string, TelemetryDef>([['rssi', { name: 'rssi', schema, semanticTypes: [], definedIn: 'x' }]]),
  components: new Map(),
  relationships: new Map(),
  commands: new Set(),
};
const sources = { models: (id: string) => (id === sensor.id ? sensor : undefined), twinModel: async () => null };
const defaults = parsePipelineConfig('{}', 'test.yaml');

it('creates the twin with the named model and applies the values', async () => {
  const plan = await planIngest([message({ temperature: 21 }, { modelId: sensor.id })], defaults, sources);
  expect(plan.rejected).toEqual([]);
  expect(plan.twinUpdates).toEqual([
    expect.objectContaining({ twinId: 'new-1', ifMissing: { policy: 'create', modelId: sensor.id, properties: {} } }),
  ]);
  expect(plan.twinUpdates[0]?.updates.map((u) => [u.property, u.value])).toEqual([['temperature', 21]]);
});

it('creates the twin for telemetry alone, before the telemetry is sent', async () => {
  const plan = await planIngest([message({ rssi: -60 }, { modelId: sensor.id })], defaults, sources);
  expect(plan.telemetry.map((t) => t.twinId)).toEqual(['new-1']);
  expect(plan.twinUpdates).toEqual([{ twinId: 'new-1', updates: [], ifMissing: { policy: 'create', modelId: sensor.id, properties: {} } }]);
});

it('dead-letters unknown-twin without a model, with a model ADT lacks, or with action dead-letter', async () => {
  const reasons = async (m: DeviceMessage, config = defaults) => (await planIngest([m], config, sources)).rejected.map((r) => r.reason);
  expect(await reasons(message({ temperature: 21 }))).toEqual(['unknown-twin']);
  expect(await reasons(message({ temperature: 21 }, { modelId: 'dtmi:x:Other;1' }))).toEqual(['unknown-twin']);
  expect(
    await reasons(
      message({ temperature: 21 }, { modelId: sensor.id }),
      parsePipelineConfig('ingest:\n  unknownTwin: { action: dead-letter }\n', 'test.yaml'),
    ),
  ).toEqual(['unknown-twin']);
});
