// Produces a deterministic stream of IoT Hub-shaped messages for a scenario's devices.
import type { TelemetryEnvelope } from '../../shared/ingest';
import { seededRandom } from '../random';
import { DeviceEventFactory } from './deviceEvents';
import { DeviceState, type SimulatorConfig } from './deviceProfiles';

export interface SimulatedDevice {
  deviceId: string;
  modelId: string;
}

export interface GenerateOptions {
  devices: SimulatedDevice[];
  config: SimulatorConfig;
  /** Messages per second across the fleet. */
  rate: number;
  /** How many messages in total. */
  count: number;
  /** Enqueued time of the first message. */
  start: Date;
  seed: number;
}

/** Devices whose model has a profile; the rest of the graph (rooms, floors) sends nothing. */
export function simulatedDevices(
  twins: Iterable<{ $dtId: string; $metadata: { $model: string } }>,
  config: SimulatorConfig,
): SimulatedDevice[] {
  const devices: SimulatedDevice[] = [];
  for (const twin of twins) {
    if (config.profiles[twin.$metadata.$model]) devices.push({ deviceId: twin.$dtId, modelId: twin.$metadata.$model });
  }
  return devices;
}

/** Round-robin over the fleet at a fixed rate; same options → same messages. */
export function* generateTelemetry(options: GenerateOptions): Generator<TelemetryEnvelope> {
  const { devices, config, rate, count, start, seed } = options;
  if (devices.length === 0)
    throw new Error('No device to simulate: no twin in the scenario has a model listed in simulator.json "profiles".');
  if (!(rate > 0)) throw new Error(`--rate must be a positive number of messages per second (got ${rate}).`);
  const random = seededRandom(seed);
  const states = devices.map((d) => new DeviceState(config.profiles[d.modelId]!, random));
  const sequence = new Map<string, number>();
  const events = config.events ?? {};
  const factory = new DeviceEventFactory(seed);
  // Each device's last message (its leave follows it), when devices leave.
  const last = new Map<string, number>();
  if (events.leave) for (let i = 0; i < count; i++) last.set(devices[i % devices.length]!.deviceId, i);
  for (let i = 0; i < count; i++) {
    const index = i % devices.length;
    const device = devices[index]!;
    const n = (sequence.get(device.deviceId) ?? 0) + 1;
    sequence.set(device.deviceId, n);
    const component = config.profiles[device.modelId]!.component;
    const enqueued = start.getTime() + Math.round((i * 1000) / rate);
    const body = states[index]!.nextBody();
    if (config.sourceTimeField) body[config.sourceTimeField] = new Date(enqueued - (config.sourceTimeLeadMs ?? 250)).toISOString();
    // IoT Hub's events are stamped a few milliseconds around the message they belong with.
    const at = (offsetMs: number) => new Date(enqueued + offsetMs);
    if (events.join && n === 1) {
      yield factory.lifecycle(device.deviceId, device.modelId, true, at(-3));
      yield factory.connection(device.deviceId, true, at(-2));
    }
    if (events.reportEvery !== undefined && n % events.reportEvery === 0) {
      const values = Object.fromEntries(Object.entries(body).filter(([name]) => name !== config.sourceTimeField));
      yield factory.reported(device.deviceId, values, n, at(-1));
    }
    yield {
      deviceId: device.deviceId,
      enqueuedTime: new Date(enqueued).toISOString(),
      messageId: `${device.deviceId}-${n}`,
      systemProperties: {
        'content-type': 'application/json',
        'content-encoding': 'utf-8',
        ...(component ? { 'dt-subject': component } : {}),
      },
      body,
    };
    if (events.flapChance !== undefined && events.flapChance > 0 && random() < events.flapChance) {
      yield factory.connection(device.deviceId, false, at(1));
      yield factory.connection(device.deviceId, true, at(2));
    }
    if (events.leave && last.get(device.deviceId) === i) {
      yield factory.connection(device.deviceId, false, at(3));
      yield factory.lifecycle(device.deviceId, device.modelId, false, at(4));
    }
  }
}
