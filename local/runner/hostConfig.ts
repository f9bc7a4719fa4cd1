// The host.json settings the local host honours, read from the app's own host.json, so the local
// loop batches exactly as the Functions host would: extensions.eventHubs maxEventBatchSize,
// minEventBatchSize + maxWaitTime (extension >= 5.3, bundle 4.x) and prefetchCount.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { projectRoot } from '../scenario';

export const hostJsonPath = join(projectRoot, 'host.json');

export interface EventHubBatching {
  /** Most events one invocation receives. */
  maxEventBatchSize: number;
  /** Fewest events the host waits for (up to maxWaitTime) before invoking; 1 = invoke with whatever is there. */
  minEventBatchSize: number;
  /** How long the host waits for minEventBatchSize before invoking with what it has. */
  maxWaitTimeMs: number;
  /** Events read ahead per partition; a batch can only be made of events already read (see batchCeiling). */
  prefetchCount: number;
}

/** The Event Hubs extension's defaults (v6) when host.json says nothing. */
export const defaultEventHubBatching: EventHubBatching = {
  maxEventBatchSize: 100,
  minEventBatchSize: 1,
  maxWaitTimeMs: 60_000,
  prefetchCount: 300,
};

/** The extension refuses a maxWaitTime over ten minutes. */
const maxWaitTimeCapMs = 10 * 60_000;

/** "hh:mm:ss[.fff]" or "d.hh:mm:ss" (.NET TimeSpan, as host.json writes it) → ms. */
export function parseTimeSpan(value: string): number | undefined {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value);
  if (!match) return undefined;
  const [, days, hours, minutes, seconds, fraction] = match;
  if (Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const wholeMs = (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
  return wholeMs + (fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0);
}

function positiveInteger(path: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${path}: extensions.eventHubs.${name} must be a positive integer (got ${JSON.stringify(value)}).`);
  }
  return value;
}

export function eventHubBatching(path: string = hostJsonPath): EventHubBatching {
  if (!existsSync(path)) return { ...defaultEventHubBatching };
  const host = JSON.parse(readFileSync(path, 'utf8')) as { extensions?: { eventHubs?: Record<string, unknown> } };
  const section = host.extensions?.eventHubs ?? {};
  const maxEventBatchSize = positiveInteger(
    path,
    'maxEventBatchSize',
    section.maxEventBatchSize,
    defaultEventHubBatching.maxEventBatchSize,
  );
  const minEventBatchSize = positiveInteger(
    path,
    'minEventBatchSize',
    section.minEventBatchSize,
    defaultEventHubBatching.minEventBatchSize,
  );
  const prefetchCount = positiveInteger(path, 'prefetchCount', section.prefetchCount, defaultEventHubBatching.prefetchCount);
  let maxWaitTimeMs = defaultEventHubBatching.maxWaitTimeMs;
  if (section.maxWaitTime !== undefined) {
    const parsed = typeof section.maxWaitTime === 'string' ? parseTimeSpan(section.maxWaitTime) : undefined;
    if (parsed === undefined || parsed > maxWaitTimeCapMs) {
      throw new Error(
        `${path}: extensions.eventHubs.maxWaitTime must be a time span "hh:mm:ss" of at most 00:10:00 (got ${JSON.stringify(section.maxWaitTime)}).`,
      );
    }
    maxWaitTimeMs = parsed;
  }
  if (minEventBatchSize > 1 && minEventBatchSize >= maxEventBatchSize) {
    throw new Error(
      `${path}: extensions.eventHubs.minEventBatchSize (${minEventBatchSize}) must be less than maxEventBatchSize (${maxEventBatchSize}).`,
    );
  }
  return { maxEventBatchSize, minEventBatchSize, maxWaitTimeMs, prefetchCount };
}

/** The most events one invocation can get: maxEventBatchSize, unless less than that was read ahead. */
export function batchCeiling(batching: EventHubBatching): number {
  return Math.min(batching.maxEventBatchSize, batching.prefetchCount);
}

/** Kept for callers that only need the batch ceiling. */
export function maxEventBatchSize(path: string = hostJsonPath): number {
  return eventHubBatching(path).maxEventBatchSize;
}
