// The few host.json settings the local host honours, read from the app's own host.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { projectRoot } from './projectRoot';

export const hostJsonPath = join(projectRoot, 'host.json');
/** The Event Hubs extension's default when host.json says nothing. */
const defaultMaxEventBatchSize = 100;

export function maxEventBatchSize(path: string = hostJsonPath): number {
  if (!existsSync(path)) return defaultMaxEventBatchSize;
  const host = JSON.parse(readFileSync(path, 'utf8')) as { extensions?: { eventHubs?: { maxEventBatchSize?: unknown } } };
  const value = host.extensions?.eventHubs?.maxEventBatchSize;
  if (value === undefined) return defaultMaxEventBatchSize;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${path}: extensions.eventHubs.maxEventBatchSize must be a positive integer (got ${JSON.stringify(value)}).`);
  }
  return value;
}
