// The fleet's offered traffic, as a schedule: every device sends `perDevice` messages per second in
// one burst (messages `burstSpacingMs` apart) at a seeded random phase, so devices are spread over
// the second but each one's readings arrive in clumps — the shape that defeats coalescing inside
// one small batch. Times are offsets from the start of the run; the order is the enqueue order.

import { seededRandom } from '../local/random';
import type { TelemetryEnvelope } from '../local/runner/envelope';
import { sensorModel, sensorModelId } from './workload';

export interface FleetShape {
  devices: number;
  /** Messages per device per second (one burst). */
  perDevice: number;
  /** Gap between the messages of one burst. */
  burstSpacingMs: number;
  partitions: number;
  /** How long traffic is offered. */
  seconds: number;
  seed: number;
  /**
   * ADT's instance-wide limits (1,000 patches/s, 1,000 reads/s, …) times this; the per-twin 10/s stays.
   * Below 1 the whole world shrinks in proportion (devices and limits alike), so the dynamics hold
   * — twins per write budget, messages per twin per second — on a machine too small for the full shape.
   */
  adtScale: number;
}

export interface ScheduledMessage {
  /** Offset from the start of the run, ms. */
  atMs: number;
  device: number;
  /** The device's running message number (its temperature value too: newest = highest). */
  n: number;
}

export const deviceId = (device: number): string => `sensor-${String(device).padStart(5, '0')}`;

export function fleetSchedule(shape: FleetShape): ScheduledMessage[] {
  const random = seededRandom(shape.seed);
  const phases = Array.from({ length: shape.devices }, () => random() * 1000);
  const schedule: ScheduledMessage[] = [];
  for (let second = 0; second < shape.seconds; second++) {
    for (let device = 0; device < shape.devices; device++) {
      for (let k = 0; k < shape.perDevice; k++) {
        const atMs = second * 1000 + (phases[device] as number) + k * shape.burstSpacingMs;
        if (atMs < shape.seconds * 1000) schedule.push({ atMs, device, n: second * shape.perDevice + k + 1 });
      }
    }
  }
  return schedule.sort((a, b) => a.atMs - b.atMs || a.device - b.device);
}

/** One reading as IoT Hub hands it to the trigger: temperature = message number, device time = now. */
export function fleetEnvelope(message: ScheduledMessage, partition: string, nowMs: number): TelemetryEnvelope {
  const id = deviceId(message.device);
  const iso = new Date(nowMs).toISOString();
  return {
    deviceId: id,
    partition,
    enqueuedTime: iso,
    messageId: `${id}-${message.n}`,
    body: { temperature: message.n, humidity: 40 + (message.n % 20), ts: iso },
  };
}

/** The ADT import file that creates the fleet's twins (set to message 0, source time in the past). */
export function fleetImport(devices: number): string {
  const old = '2000-01-01T00:00:00Z';
  const lines: unknown[] = [
    { Section: 'Header' },
    { fileVersion: '1.0.0', author: 'bench', organization: 'bench' },
    { Section: 'Models' },
    sensorModel,
    { Section: 'Twins' },
  ];
  for (let device = 0; device < devices; device++) {
    lines.push({
      $dtId: deviceId(device),
      $metadata: { $model: sensorModelId, temperature: { sourceTime: old }, humidity: { sourceTime: old } },
      temperature: 0,
      humidity: 0,
    });
  }
  return lines.map((line) => JSON.stringify(line)).join('\n');
}
