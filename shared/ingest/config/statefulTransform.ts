// The stateful step of a property mapping (integrate, rate, ema, delta, counter): the file's shape and
// its compile checks. It runs after every value step (expression → unit → scale → offset → round →
// type → stateful): each reading is transformed first, then folded over the twin's stored state by
// the writer (write/statefulValues). `input` names the twin property that keeps the previous reading
// (its value and sourceTime are the state; the writer writes it with the total).

import type { StatefulTransform } from '../message';

export interface IntegrateConfig {
  input: string;
  /** The time unit of the total: W integrated per hour gives Wh (default hour). */
  per?: TimeUnit;
  maxGapSeconds?: number;
}
export interface RateConfig {
  input: string;
  /** Change per second (default) or per minute or hour. */
  per?: TimeUnit;
  maxGapSeconds?: number;
}
export interface EmaConfig {
  input: string;
  timeConstantSeconds: number;
}
export interface InputOnlyConfig {
  input: string;
}

export type TimeUnit = 'second' | 'minute' | 'hour';

export interface StatefulTransformConfig {
  integrate?: IntegrateConfig;
  rate?: RateConfig;
  ema?: EmaConfig;
  delta?: InputOnlyConfig;
  counter?: InputOnlyConfig;
}

export const statefulKinds = ['integrate', 'rate', 'ema', 'delta', 'counter'] as const;

const seconds: Readonly<Record<TimeUnit, number>> = { second: 1, minute: 60, hour: 3600 };

/** The compiled step (undefined when the mapping has none), or error texts keyed by field. */
export function compileStatefulTransform(config: StatefulTransformConfig & { type?: string }): {
  stateful?: StatefulTransform;
  errors: Array<{ field: string; error: string }>;
} {
  const errors: Array<{ field: string; error: string }> = [];
  const kinds = statefulKinds.filter((kind) => config[kind] !== undefined);
  if (kinds.length === 0) return { errors };
  if (kinds.length > 1) {
    errors.push({ field: kinds[1] as string, error: `set only one stateful step per mapping (found ${kinds.join(', ')})` });
    return { errors };
  }
  const kind = kinds[0] as (typeof statefulKinds)[number];
  if (config.type !== undefined && config.type !== 'number')
    errors.push({
      field: 'type',
      error: `${kind} folds numbers; type "${config.type}" cannot be its input (use number or leave type out)`,
    });
  const positive = (field: string, value: number | undefined): void => {
    if (value !== undefined && !(value > 0 && Number.isFinite(value)))
      errors.push({ field: `${kind}.${field}`, error: `must be a positive number of seconds, got ${value}` });
  };
  let stateful: StatefulTransform;
  switch (kind) {
    case 'integrate':
    case 'rate': {
      const step = config[kind] as IntegrateConfig;
      positive('maxGapSeconds', step.maxGapSeconds);
      stateful = {
        kind,
        input: step.input,
        perSeconds: seconds[step.per ?? (kind === 'integrate' ? 'hour' : 'second')],
        ...(step.maxGapSeconds !== undefined && { maxGapSeconds: step.maxGapSeconds }),
      };
      break;
    }
    case 'ema': {
      const step = config.ema as EmaConfig;
      positive('timeConstantSeconds', step.timeConstantSeconds);
      stateful = { kind, input: step.input, timeConstantSeconds: step.timeConstantSeconds };
      break;
    }
    default:
      stateful = { kind, input: (config[kind] as InputOnlyConfig).input };
  }
  return errors.length > 0 ? { errors } : { stateful, errors };
}

/**
 * A rule's stateful mappings against its other mappings: the input is written by the stateful step
 * (with the total, atomically), so it must not be the target itself nor another mapping's target.
 */
export function statefulRuleProblems(
  properties: ReadonlyArray<{
    where: string;
    target: { component?: string; property: string };
    transform: { stateful?: StatefulTransform };
  }>,
): string[] {
  const problems: string[] = [];
  for (const mapping of properties) {
    const stateful = mapping.transform.stateful;
    if (!stateful) continue;
    const at = `${mapping.where}.transform.${stateful.kind}.input`;
    if (stateful.input === mapping.target.property) {
      problems.push(
        `${at}: "${stateful.input}" is the target itself; name the property that keeps the raw reading (e.g. power for an energy total)`,
      );
      continue;
    }
    const other = properties.find(
      (p) => p !== mapping && p.target.component === mapping.target.component && p.target.property === stateful.input,
    );
    if (other)
      problems.push(
        `${at}: "${stateful.input}" is also mapped by ${other.where}; the ${stateful.kind} step writes its input itself (with the total, in one PATCH), so remove that mapping`,
      );
  }
  return problems;
}

/** The state's time is the input's `$metadata` sourceTime: without sourceTimes every reading would look like the first. */
export function statefulOptionProblems(
  options: { emitSourceTime: boolean },
  rules: ReadonlyArray<{ properties: ReadonlyArray<{ where: string; transform: { stateful?: StatefulTransform } }> }>,
): string[] {
  if (options.emitSourceTime) return [];
  const first = rules.flatMap((rule) => rule.properties).find((mapping) => mapping.transform.stateful !== undefined);
  return first
    ? [
        `ingest.options.emitSourceTime: must be true when a mapping has a stateful transform (${first.where}.transform.${first.transform.stateful?.kind}): the state's time is the input's $metadata sourceTime`,
      ]
    : [];
}
