// The runner's fault flags → settings for its embedded emulator. Pure, so it is unit tested. The
// keys are the emulator's own option names (FaultOptions, ServiceLimitsOptions), but unlike the
// emulator CLI an unknown key or a value of the wrong type is refused here: a typo in a fault
// matrix would otherwise run a healthy loop and "prove" nothing.
import type { FaultOptions } from '../emulator/faults';
import type { ServiceLimitsOptions } from '../emulator/limits';

/** A timed window, in milliseconds from the moment the first telemetry is fed. */
export interface TimeWindow {
  startMs: number;
  durationMs: number;
}

export type ScalarKind = 'number' | 'rate' | 'boolean' | 'statusList' | { oneOf: readonly string[] };

/** Fault keys that take a k=v value (failTwins is an object: programmatic use only). */
export const faultKeys: { readonly [K in keyof FaultOptions]?: ScalarKind } = {
  latencyMs: 'number',
  jitterMs: 'number',
  errorRate: 'rate',
  errorStatuses: 'statusList',
  retryAfterOn503: 'number',
  resetRate: 'rate',
  slowRate: 'rate',
  slowMs: 'number',
  seed: 'number',
};

/** Limit keys that take a k=v value (`now` is a clock function: programmatic use only). */
export const limitKeys: { readonly [K in keyof ServiceLimitsOptions]?: ScalarKind } = {
  enabled: 'boolean',
  perTwinWritesPerSecond: 'number',
  patchesPerSecond: 'number',
  readsPerSecond: 'number',
  createsDeletesPerSecond: 'number',
  queriesPerSecond: 'number',
  modelRequestsPerSecond: 'number',
  routeRequestsPerSecond: 'number',
  maxPayloadBytes: 'number',
  maxStringBytes: 'number',
  retryAfter: { oneOf: ['header', 'none'] },
};

function describeKind(kind: ScalarKind): string {
  if (typeof kind === 'object') return `one of ${kind.oneOf.join(', ')}`;
  return {
    number: 'a number ≥ 0',
    rate: 'a share between 0 and 1',
    boolean: 'true or false',
    statusList: 'HTTP statuses separated by |, e.g. 500|503',
  }[kind];
}

function parseValue(raw: string, kind: ScalarKind, where: string): unknown {
  const bad = (): Error => new Error(`${where} must be ${describeKind(kind)} (got '${raw}').`);
  if (typeof kind === 'object') {
    if (!kind.oneOf.includes(raw)) throw bad();
    return raw;
  }
  switch (kind) {
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw bad();
      return raw === 'true';
    case 'statusList': {
      const statuses = raw.split('|').map(Number);
      if (statuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) throw bad();
      return statuses;
    }
    case 'number':
    case 'rate': {
      const n = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(n) || n < 0 || (kind === 'rate' && n > 1)) throw bad();
      return n;
    }
  }
}

/** `a=1,b=500|503` against a table of known keys; every problem names the flag and the key. */
export function parseKnownKeyValues<T>(text: string, flag: string, keys: { readonly [K in keyof T]?: ScalarKind }): Partial<T> {
  const result: Record<string, unknown> = {};
  const table = keys as Record<string, ScalarKind | undefined>;
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${flag} expects key=value pairs separated by commas (got '${pair}').`);
    const key = pair.slice(0, eq).trim();
    const kind = Object.hasOwn(table, key) ? table[key] : undefined;
    if (!kind) throw new Error(`${flag}: unknown key '${key}'. Known keys: ${Object.keys(table).join(', ')}.`);
    result[key] = parseValue(pair.slice(eq + 1).trim(), kind, `${flag} ${key}`);
  }
  return result as Partial<T>;
}

/** `--adt-latency 20` or `20:10` (fixed ms, plus uniform jitter ms). */
export function parseLatencyFlag(text: string): Pick<FaultOptions, 'latencyMs' | 'jitterMs'> {
  const match = /^(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (!match?.[1]) throw new Error(`--adt-latency expects <ms> or <ms>:<jitter> in milliseconds, e.g. 20:10 (got '${text}').`);
  return { latencyMs: Number(match[1]), jitterMs: match[2] === undefined ? 0 : Number(match[2]) };
}

/** `<startSec>+<durationSec>`, e.g. `10+30`: from 10 s after the feed starts, for 30 s. */
export function parseWindowFlag(text: string, flag: string): TimeWindow {
  const match = /^(\d+(?:\.\d+)?)\+(\d+(?:\.\d+)?)$/.exec(text.trim());
  const start = Number(match?.[1]);
  const duration = Number(match?.[2]);
  if (!match || !(duration > 0)) {
    throw new Error(
      `${flag} expects <startSec>+<durationSec> with a duration above 0, e.g. 10+30 = from 10 s after the first telemetry for 30 s (got '${text}').`,
    );
  }
  return { startMs: Math.round(start * 1000), durationMs: Math.round(duration * 1000) };
}
