// The stage's settings and its one decision: how many twins one invocation may write within its write
// window. The window is seconds of the gateway's patch budget as it stands now (it shrinks after a 429),
// so an invocation's ADT work is bounded whatever the batch holds, and the Event Hubs backlog is too.

import type { TokenCredential } from '@azure/identity';

import { readNumberSetting, readSetting } from '../../settings';
import { BlobDeferredValuesStore } from './blobStore';
import type { DeferredDrainer } from './drainer';
import { FolderDeferredValuesStore } from './folderStore';
import type { DeferredValuesStore } from './store';

export interface Deferral {
  store: DeferredValuesStore;
  drainer: DeferredDrainer;
  /** Hash buckets the twins are spread over (DEFER_BUCKETS). */
  buckets: number;
  /** Seconds of patch budget one invocation spends on twin writes (DEFER_WRITE_WINDOW_SECONDS). */
  windowSeconds: number;
}

/** The one figure of the gateway the window needs: its patch budget now. */
export interface WriteBudget {
  budgets(): { writes: number };
}

export const deferralDefaults = { windowSeconds: 10, buckets: 64, container: 'deferred-values' } as const;

/** Twins one invocation writes: the window at the gateway's current patch budget, split `sharing` ways (at least one). */
export function writeCapacity(gateway: WriteBudget, windowSeconds: number, sharing = 1): number {
  const perSecond = gateway.budgets().writes;
  return Number.isFinite(perSecond)
    ? Math.max(1, Math.floor((perSecond * windowSeconds) / Math.max(1, sharing)))
    : Number.POSITIVE_INFINITY;
}

/** Invocations of this process inside their write window now, per deferral (they share one gateway budget). */
const openWindows = new WeakMap<Deferral, number>();

export interface WriteWindow {
  /** Twins this invocation may write: its share of the budget over the window. */
  capacity: number;
  /** No twin write starts after this (ms, the clock's): whatever has not started by then is deferred. */
  startBy: number;
  close(): void;
}

/**
 * Opens an invocation's write window. Partitions of one process share its gateway, so each open
 * window gets an equal share of the budget; the start-by time bounds the window even when more
 * invocations (or a 429's halved budget) arrive after the share was taken.
 */
export function openWriteWindow(deferral: Deferral, gateway: WriteBudget, now: number): WriteWindow {
  const open = (openWindows.get(deferral) ?? 0) + 1;
  openWindows.set(deferral, open);
  let closed = false;
  return {
    capacity: writeCapacity(gateway, deferral.windowSeconds, open),
    startBy: now + deferral.windowSeconds * 1000,
    close: () => {
      if (closed) return;
      closed = true;
      openWindows.set(deferral, Math.max(0, (openWindows.get(deferral) ?? 1) - 1));
    },
  };
}

export function deferralSettings(env: NodeJS.ProcessEnv = process.env): { windowSeconds: number; buckets: number } {
  return {
    windowSeconds: readNumberSetting('deferWriteWindowSeconds', deferralDefaults.windowSeconds, env),
    buckets: Math.floor(readNumberSetting('deferBuckets', deferralDefaults.buckets, env)),
  };
}

/**
 * The deferred-values store the settings name: a folder (DEFERRED_VALUES_DIRECTORY), else the
 * dead-letter storage account's container DEFERRED_VALUES_CONTAINER; undefined = no store, and then
 * every twin is written within the invocation as before (no window).
 */
export function deferredValuesStoreFromSettings(
  credential: () => TokenCredential,
  env: NodeJS.ProcessEnv = process.env,
): DeferredValuesStore | undefined {
  const directory = readSetting('deferredValuesDirectory', env);
  if (directory) return new FolderDeferredValuesStore(directory);
  const container = readSetting('deferredValuesContainer', env) ?? deferralDefaults.container;
  const blobServiceUri = readSetting('deadLetterBlobServiceUri', env);
  if (blobServiceUri) return new BlobDeferredValuesStore({ blobServiceUri, credential: credential() }, container);
  const connectionString = readSetting('deadLetterStorage', env);
  if (connectionString) return new BlobDeferredValuesStore({ connectionString }, container);
  return undefined;
}
