// The portfolio's offered traffic: many building sensors, each reporting once per period (60 s) at a
// seeded phase, with values that behave like a building's (or, adversarially, change every time).
//
// Building-like, per device and reading:
// - setpoint: 20–22 °C, changes by ±0.5 °C with probability 1/240 per reading (≈ once in 4 h);
// - temperature: a room temperature that follows the setpoint by at most 0.05 °C per reading
//   (slowly moving), read as the previous reading unchanged (70 %, when still within ±0.05 °C of
//   it) or that temperature plus a drift in [−0.05, +0.05] °C, two decimals;
// - humidity: a base (30–60 %RH) that moves by ±1 with probability 1/30 per reading, read as the
//   previous reading (70 %, when within ±0.2) or the base plus a drift in [−0.2, +0.2], one decimal;
// - occupied: flips with probability 0.05 per reading (≈ 3 times an hour).
// A value is CHANGED when it differs from the property's last changed value by more than the
// significance below (temperature 0.1 °C, humidity 0.5 %RH, any change of occupied or setpoint):
// what a deadband of that size must write; drift inside it is not a change.
// Adversarial: every reading changes every property by more than that.

import { seededRandom } from '../local/random';
import type { TelemetryEnvelope } from '../shared/ingest';
import type { OfferedMessage } from './trafficRow';

export type PortfolioValues = 'building' | 'adversarial';

export interface PortfolioShape {
  devices: number;
  /** Each device reports once per period (60 s at full size; --quick compresses time). */
  periodSeconds: number;
  partitions: number;
  /** How long traffic is offered. */
  seconds: number;
  seed: number;
  /** ADT's instance-wide limits times this (see bench/trafficRow.ts adtLimitsAt). */
  adtScale: number;
  values: PortfolioValues;
}

export const portfolioProperties = ['temperature', 'humidity', 'occupied', 'setpoint'] as const;
export type PortfolioProperty = (typeof portfolioProperties)[number];

export interface BuildingReading {
  temperature: number;
  humidity: number;
  occupied: boolean;
  setpoint: number;
}

export interface PortfolioMessage extends OfferedMessage {
  /** The device's running reading number (0, 1, …). */
  k: number;
  values: BuildingReading;
  /** Properties whose value changed beyond the significance (see above). */
  changed: PortfolioProperty[];
}

/** Beyond these a numeric value has changed; occupied and setpoint change on any difference. */
export const significance = { temperature: 0.1, humidity: 0.5 } as const;

export const portfolioModelId = 'dtmi:bench:BuildingSensor;1';

export const portfolioModel = {
  '@id': portfolioModelId,
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double', writable: true },
    { '@type': 'Property', name: 'humidity', schema: 'double', writable: true },
    { '@type': 'Property', name: 'occupied', schema: 'boolean', writable: true },
    { '@type': 'Property', name: 'setpoint', schema: 'double', writable: true },
  ],
};

export const portfolioDeviceId = (device: number): string => `bldg-sensor-${String(device).padStart(6, '0')}`;

const round = (value: number, decimals: number): number => Math.round(value * 10 ** decimals) / 10 ** decimals;
const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

/** Every device's first state: what the import file stores before the run. */
export function initialReading(device: number, seed: number): BuildingReading {
  const random = seededRandom(seed * 1_000_003 + device);
  const setpoint = 20 + 0.5 * Math.floor(random() * 5);
  return { setpoint, temperature: setpoint, humidity: 30 + Math.floor(random() * 31), occupied: false };
}

/** Whether `value` changed beyond the significance from `reference`. */
export function isChange(property: PortfolioProperty, value: number | boolean, reference: number | boolean): boolean {
  if (property === 'temperature' || property === 'humidity')
    return Math.abs((value as number) - (reference as number)) > significance[property] + 1e-9;
  return value !== reference;
}

/** One device's readings, in order. */
function deviceReadings(device: number, count: number, shape: PortfolioShape): BuildingReading[] {
  const start = initialReading(device, shape.seed);
  const readings: BuildingReading[] = [];
  if (shape.values === 'adversarial') {
    // Every property moves beyond its significance on every reading.
    for (let k = 0; k < count; k++) {
      readings.push({
        temperature: round(start.temperature + ((k + 1) % 20) * 0.2, 2),
        humidity: start.humidity + ((k + 1) % 10),
        occupied: k % 2 === 0,
        setpoint: start.setpoint + ((k + 1) % 5) * 0.5,
      });
    }
    return readings;
  }
  const random = seededRandom(shape.seed * 7_919 + device);
  let { setpoint, temperature: room, humidity: base, occupied } = start;
  let previous = start;
  for (let k = 0; k < count; k++) {
    if (random() < 1 / 240) setpoint = clamp(setpoint + (random() < 0.5 ? -0.5 : 0.5), 18, 25);
    room += clamp(setpoint - room, -0.05, 0.05);
    if (random() < 1 / 30) base = clamp(base + (random() < 0.5 ? -1 : 1), 30, 60);
    if (random() < 0.05) occupied = !occupied;
    const temperature =
      Math.abs(previous.temperature - room) <= 0.05 && random() < 0.7 ? previous.temperature : round(room + (random() - 0.5) * 0.1, 2);
    const humidity =
      Math.abs(previous.humidity - base) <= 0.2 && random() < 0.7 ? previous.humidity : round(base + (random() - 0.5) * 0.4, 1);
    previous = { temperature, humidity, occupied, setpoint };
    readings.push(previous);
  }
  return readings;
}

/** Every device's readings over the window at its phase, with what changed, in hand-over order. */
export function portfolioSchedule(shape: PortfolioShape): PortfolioMessage[] {
  const periodMs = shape.periodSeconds * 1000;
  const windowMs = shape.seconds * 1000;
  const phases = seededRandom(shape.seed);
  const schedule: PortfolioMessage[] = [];
  for (let device = 0; device < shape.devices; device++) {
    const phase = phases() * periodMs;
    const count = phase < windowMs ? Math.ceil((windowMs - phase) / periodMs) : 0;
    const reference: Record<PortfolioProperty, number | boolean> = { ...initialReading(device, shape.seed) };
    deviceReadings(device, count, shape).forEach((values, k) => {
      const changed = portfolioProperties.filter((property) => isChange(property, values[property], reference[property]));
      for (const property of changed) reference[property] = values[property];
      schedule.push({ atMs: phase + k * periodMs, device, k, values, changed });
    });
  }
  return schedule.sort((a, b) => a.atMs - b.atMs || a.device - b.device);
}

/** One reading as IoT Hub hands it to the trigger: the values, and the device time = now. */
export function portfolioEnvelope(message: PortfolioMessage, partition: string, nowMs: number): TelemetryEnvelope {
  const id = portfolioDeviceId(message.device);
  const iso = new Date(nowMs).toISOString();
  return { deviceId: id, partition, enqueuedTime: iso, messageId: `${id}-${message.k}`, body: { ...message.values, ts: iso } };
}

/** The ADT import file that creates the portfolio's twins, each on its initial reading at `sourceTime`. */
export function portfolioImport(shape: Pick<PortfolioShape, 'devices' | 'seed'>, sourceTime: string): string {
  const metadata = Object.fromEntries(portfolioProperties.map((property) => [property, { sourceTime }]));
  const lines: string[] = [
    { Section: 'Header' },
    { fileVersion: '1.0.0', author: 'bench', organization: 'bench' },
    { Section: 'Models' },
    portfolioModel,
    { Section: 'Twins' },
  ].map((line) => JSON.stringify(line));
  for (let device = 0; device < shape.devices; device++) {
    lines.push(
      JSON.stringify({
        $dtId: portfolioDeviceId(device),
        $metadata: { $model: portfolioModelId, ...metadata },
        ...initialReading(device, shape.seed),
      }),
    );
  }
  return lines.join('\n');
}
