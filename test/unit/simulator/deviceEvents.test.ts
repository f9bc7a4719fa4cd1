// The simulator's IoT Hub events: devices join (lifecycle create naming their model, then connect),
// flap (disconnect, reconnect, with rising sequence numbers), report properties (twin changes) and
// leave (disconnect, lifecycle delete) — and the pipeline, previewed over a scenario, follows them.
import { join } from 'node:path';

import { ScenarioPreviewer } from '../../../local/map/preview';
import { loadScenario } from '../../../local/scenario';
import { parseSimulatorConfig, type SimulatorConfig } from '../../../local/simulator/deviceProfiles';
import { generateTelemetry } from '../../../local/simulator/generate';

const scenario = join(__dirname, '..', '..', '..', 'local', 'scenarios', 'connected-devices');
const model = 'dtmi:example:connected:Sensor;1';
const devices = [
  { deviceId: 'sim-1', modelId: model },
  { deviceId: 'sim-2', modelId: model },
];
const config = (events: SimulatorConfig['events']): SimulatorConfig =>
  parseSimulatorConfig(
    { profiles: { [model]: { fields: { temperature: { uniform: [18, 24], decimals: 1 } } } }, events },
    'simulator.json',
  );
const generate = (events: SimulatorConfig['events'], count = 8) => [
  ...generateTelemetry({ devices, config: config(events), rate: 1, count, start: new Date('2024-05-01T08:00:00Z'), seed: 3 }),
];
const kind = (e: { systemProperties?: Record<string, string>; properties?: Record<string, string> }) =>
  `${e.systemProperties?.['iothub-message-source'] ?? 'Telemetry'}${e.properties?.opType ? `:${e.properties.opType}` : ''}`;

it('sends nothing but telemetry unless asked', () => {
  expect(new Set(generate(undefined).map(kind))).toEqual(new Set(['Telemetry']));
});

it('joins, flaps, reports and leaves, with sequence numbers that only rise', () => {
  const stream = generate({ join: true, leave: true, flapChance: 0.5, reportEvery: 2 });
  const sim1 = stream.filter((e) => e.deviceId === 'sim-1').map(kind);
  expect(sim1.slice(0, 3)).toEqual([
    'deviceLifecycleEvents:createDeviceIdentity',
    'deviceConnectionStateEvents:deviceConnected',
    'Telemetry',
  ]);
  expect(sim1.slice(-2)).toEqual(['deviceConnectionStateEvents:deviceDisconnected', 'deviceLifecycleEvents:deleteDeviceIdentity']);
  expect(sim1).toContain('twinChangeEvents:updateTwin');
  const flaps = stream.filter((e, i) => kind(e).endsWith('deviceDisconnected') && kind(stream[i + 1] ?? e).endsWith('deviceConnected'));
  expect(flaps.length).toBeGreaterThan(0);
  const sequences = stream
    .filter((e) => kind(e).startsWith('deviceConnectionStateEvents'))
    .map((e) => (e.body as { sequenceNumber: string }).sequenceNumber);
  expect(sequences.every((s) => s.length === 64)).toBe(true);
  expect([...sequences].sort()).toEqual(sequences);
  // Same options, same stream.
  expect(generate({ join: true, leave: true, flapChance: 0.5, reportEvery: 2 })).toEqual(stream);
});

it('drives the pipeline: twins appear, report, stay connected through flaps, and go', async () => {
  const previewer = new ScenarioPreviewer(loadScenario(scenario));
  for (const envelope of generate({ join: true, flapChance: 0.5, reportEvery: 2 })) await previewer.preview(envelope);
  for (const id of ['sim-1', 'sim-2'])
    expect(previewer.twin(id)).toMatchObject({
      $metadata: { $model: model },
      connectionState: 'Connected',
      temperature: expect.any(Number),
    });
  const leaving = new ScenarioPreviewer(loadScenario(scenario));
  for (const envelope of generate({ join: true, leave: true })) await leaving.preview(envelope);
  expect(leaving.twin('sim-1')).toBeUndefined();
});

it('refuses a malformed events section', () => {
  expect(() => config({ flapChance: 2 })).toThrow(/events.flapChance/);
  expect(() => config({ reportEvery: 0 })).toThrow(/events.reportEvery/);
  expect(() => config({ rejoin: true } as never)).toThrow(/events.rejoin/);
});
