// How simulated devices produce values: a scenario's simulator.json maps a DTDL model id to one
// generator per body field. Kept declarative so users can simulate their own fleets without code.
import { readFileSync } from 'node:fs';

import type { Random } from '../random';

export type FieldGenerator =
  /** Random walk that stays inside [min, max]; the first value is drawn from `start`. */
  | { walk: { start: [number, number]; step: number; min: number; max: number }; decimals?: number }
  /** Uniform number in [low, high]. */
  | { uniform: [number, number]; decimals?: number }
  /** true with the given probability. */
  | { chance: number }
  /** One of the listed values, uniformly. */
  | { oneOf: unknown[] };

export interface DeviceProfile {
  /** Body field name → generator. */
  fields: Record<string, FieldGenerator>;
  /** Component (IoT Plug and Play dt-subject) the message is sent from, if any. */
  component?: string;
}

export interface SimulatorConfig {
  profiles: Record<string, DeviceProfile>;
  /**
   * Body field that carries the device's own reading time (ISO 8601), matching the pipeline's
   * ingest.options.sourceTime. Omit it and messages carry no device timestamp.
   */
  sourceTimeField?: string;
  /** How long before IoT Hub's enqueued time the device took the reading (default 250 ms). */
  sourceTimeLeadMs?: number;
  /** IoT Hub's own events around the telemetry (CONFIGURATION.md, "Message kinds"); none by default. */
  events?: SimulatedEvents;
}

export interface SimulatedEvents {
  /** Before a device's first message: createDeviceIdentity (its device twin naming its model), then deviceConnected. */
  join?: boolean;
  /** After its last message: deviceDisconnected, then deleteDeviceIdentity. */
  leave?: boolean;
  /** Chance, after each message, that the device drops and reconnects (deviceDisconnected, deviceConnected). */
  flapChance?: number;
  /** Every this many messages of a device, it also reports its property fields (a twinChangeEvents updateTwin). */
  reportEvery?: number;
}

/** Validates simulator.json; errors name the field path so a user can fix the file. */
export function parseSimulatorConfig(value: unknown, fileName: string): SimulatorConfig {
  const fail = (path: string, message: string): never => {
    throw new Error(`${fileName}: ${path} ${message}.`);
  };
  if (typeof value !== 'object' || value === null) fail('(root)', 'must be an object with "profiles"');
  const profiles = (value as { profiles?: unknown }).profiles;
  if (typeof profiles !== 'object' || profiles === null) fail('profiles', 'must be an object keyed by model id');
  const { sourceTimeField, sourceTimeLeadMs } = value as { sourceTimeField?: unknown; sourceTimeLeadMs?: unknown };
  if (sourceTimeField !== undefined && (typeof sourceTimeField !== 'string' || sourceTimeField === ''))
    fail('sourceTimeField', 'must be a body field name');
  if (sourceTimeLeadMs !== undefined && !(typeof sourceTimeLeadMs === 'number' && sourceTimeLeadMs >= 0))
    fail('sourceTimeLeadMs', 'must be a non-negative number of milliseconds');
  const events = (value as { events?: unknown }).events;
  if (events !== undefined) {
    if (typeof events !== 'object' || events === null) fail('events', 'must be an object');
    const e = events as Record<string, unknown>;
    for (const key of Object.keys(e))
      if (!['join', 'leave', 'flapChance', 'reportEvery'].includes(key))
        fail(`events.${key}`, 'is not one of join, leave, flapChance, reportEvery');
    for (const key of ['join', 'leave'])
      if (e[key] !== undefined && typeof e[key] !== 'boolean') fail(`events.${key}`, 'must be true or false');
    if (e.flapChance !== undefined && !(typeof e.flapChance === 'number' && e.flapChance >= 0 && e.flapChance <= 1))
      fail('events.flapChance', 'must be a probability in [0, 1]');
    if (e.reportEvery !== undefined && !(Number.isInteger(e.reportEvery) && (e.reportEvery as number) >= 1))
      fail('events.reportEvery', 'must be a whole number ≥ 1');
  }
  for (const [modelId, profile] of Object.entries(profiles as Record<string, unknown>)) {
    const base = `profiles["${modelId}"]`;
    const fields = (profile as { fields?: unknown } | null)?.fields;
    if (typeof fields !== 'object' || fields === null) fail(`${base}.fields`, 'must be an object');
    for (const [name, gen] of Object.entries(fields as Record<string, unknown>)) {
      const g = gen as Record<string, unknown> | null;
      const path = `${base}.fields.${name}`;
      if (g === null || typeof g !== 'object') fail(path, 'must be an object');
      const kinds = ['walk', 'uniform', 'chance', 'oneOf'].filter((k) => k in (g as object));
      if (kinds.length !== 1) fail(path, 'must have exactly one of walk, uniform, chance, oneOf');
      const walk = (g as { walk?: { start?: unknown; min?: unknown; max?: unknown; step?: unknown } }).walk;
      if (
        walk &&
        !(Array.isArray(walk.start) && typeof walk.min === 'number' && typeof walk.max === 'number' && typeof walk.step === 'number')
      ) {
        fail(`${path}.walk`, 'needs start [low, high], step, min and max numbers');
      }
      const uniform = (g as { uniform?: unknown }).uniform;
      if (uniform !== undefined && !(Array.isArray(uniform) && uniform.length === 2 && uniform.every((n) => typeof n === 'number'))) {
        fail(`${path}.uniform`, 'must be [low, high]');
      }
      const chance = (g as { chance?: unknown }).chance;
      if (chance !== undefined && !(typeof chance === 'number' && chance >= 0 && chance <= 1))
        fail(`${path}.chance`, 'must be a probability in [0, 1]');
      const oneOf = (g as { oneOf?: unknown }).oneOf;
      if (oneOf !== undefined && !(Array.isArray(oneOf) && oneOf.length > 0)) fail(`${path}.oneOf`, 'must be a non-empty array');
    }
  }
  return value as SimulatorConfig;
}

const round = (value: number, decimals: number | undefined): number => (decimals === undefined ? value : Number(value.toFixed(decimals)));

/** Keeps per-device state (random walks) between messages. */
export class DeviceState {
  private readonly walks = new Map<string, number>();

  constructor(
    private readonly profile: DeviceProfile,
    private readonly random: Random,
  ) {}

  nextBody(): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    for (const [name, gen] of Object.entries(this.profile.fields)) body[name] = this.nextValue(name, gen);
    return body;
  }

  private nextValue(name: string, gen: FieldGenerator): unknown {
    const r = this.random;
    if ('walk' in gen) {
      const { start, step, min, max } = gen.walk;
      const previous = this.walks.get(name);
      const next = previous === undefined ? start[0] + r() * (start[1] - start[0]) : previous + (r() * 2 - 1) * step;
      const bounded = Math.min(max, Math.max(min, next));
      this.walks.set(name, bounded);
      return round(bounded, gen.decimals);
    }
    if ('uniform' in gen) return round(gen.uniform[0] + r() * (gen.uniform[1] - gen.uniform[0]), gen.decimals);
    if ('chance' in gen) return r() < gen.chance;
    return gen.oneOf[Math.floor(r() * gen.oneOf.length)];
  }
}

/** The device profiles of a scenario (its simulator.json); the error says what to add when it has none. */
export function scenarioSimulatorConfig(scenario: { directory: string; simulatorPath?: string }): SimulatorConfig {
  if (!scenario.simulatorPath)
    throw new Error(
      `${scenario.directory} has no simulator.json: add device profiles (model id → field generators) to simulate its devices.`,
    );
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(scenario.simulatorPath, 'utf8'));
  } catch (error) {
    throw new Error(`${scenario.simulatorPath} is not valid JSON: ${(error as Error).message}`);
  }
  return parseSimulatorConfig(value, scenario.simulatorPath);
}
