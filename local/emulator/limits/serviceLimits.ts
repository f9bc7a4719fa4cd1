// ADT's rate and size limits (adt-data-plane.md §7), enforced with exact sliding windows so tests with an
// injected clock can predict precisely which request is throttled.
import { errors } from '../errors';
import type { OperationKind } from '../types';
import { adtModelUploadLimits, checkModelUpload, MAX_MODEL_REQUEST_BYTES, type ModelUploadLimits } from './modelUploadLimits';
import { SlidingWindow } from './slidingWindow';

/** Which body rule a route follows: the 32 KB twin/relationship/telemetry/query limit, or the model upload limits. */
export type PayloadKind = 'request' | 'models';

export interface ServiceLimitsOptions extends ModelUploadLimits {
  enabled: boolean;
  /** Create/update/delete per second on one twin or its incoming/outgoing relationships (not adjustable in ADT). */
  perTwinWritesPerSecond: number;
  patchesPerSecond: number;
  readsPerSecond: number;
  /** Creates plus deletes of twins and relationships, instance-wide. */
  createsDeletesPerSecond: number;
  queriesPerSecond: number;
  modelRequestsPerSecond: number;
  routeRequestsPerSecond: number;
  /** Jobs API (/jobs/imports, /jobs/deletions): every request, reads included. */
  jobRequestsPerSecond: number;
  maxPayloadBytes: number;
  maxStringBytes: number;
  /** 'none' reproduces Azure/azure-sdk-for-js#25647: a 429 without Retry-After, which the SDK does not retry. */
  retryAfter: 'header' | 'none';
  /** Clock in milliseconds; inject one for deterministic tests. */
  now: () => number;
}

export const adtDefaultLimits: ServiceLimitsOptions = {
  enabled: true,
  perTwinWritesPerSecond: 10,
  patchesPerSecond: 1000,
  readsPerSecond: 1000,
  createsDeletesPerSecond: 500,
  queriesPerSecond: 500,
  modelRequestsPerSecond: 100,
  routeRequestsPerSecond: 100,
  jobRequestsPerSecond: 1,
  maxPayloadBytes: 32 * 1024,
  maxStringBytes: 4 * 1024,
  ...adtModelUploadLimits,
  retryAfter: 'header',
  now: () => Date.now(),
};

/** With limits disabled a body may be larger than 32 KB, but never more than this. */
const HARD_REQUEST_CAP_BYTES = 16 * 1024 * 1024;

type Bucket = 'patches' | 'reads' | 'createsDeletes' | 'queries' | 'models' | 'routes' | 'jobs';

const bucketsByOp: Record<OperationKind, readonly Bucket[]> = {
  'twin.read': ['reads'],
  'twin.create': ['createsDeletes'],
  'twin.replace': ['createsDeletes'],
  'twin.patch': ['patches'],
  'twin.delete': ['createsDeletes'],
  'relationship.read': ['reads'],
  'relationship.create': ['createsDeletes'],
  'relationship.patch': ['patches'],
  'relationship.delete': ['createsDeletes'],
  telemetry: [],
  'model.read': ['models'],
  'model.write': ['models'],
  query: ['queries'],
  'route.read': ['routes'],
  'route.write': ['routes'],
  'job.read': ['jobs'],
  'job.write': ['jobs'],
};

/** Ops that count against the per-twin limit of the twins they touch. */
const perTwinOps = new Set<OperationKind>([
  'twin.create',
  'twin.replace',
  'twin.patch',
  'twin.delete',
  'relationship.create',
  'relationship.patch',
  'relationship.delete',
]);

const bucketLimit: Record<Bucket, (o: ServiceLimitsOptions) => number> = {
  patches: (o) => o.patchesPerSecond,
  reads: (o) => o.readsPerSecond,
  createsDeletes: (o) => o.createsDeletesPerSecond,
  queries: (o) => o.queriesPerSecond,
  models: (o) => o.modelRequestsPerSecond,
  routes: (o) => o.routeRequestsPerSecond,
  jobs: (o) => o.jobRequestsPerSecond,
};

export interface OpCounters {
  allowed: number;
  throttled: number;
}

export class ServiceLimits {
  private options: ServiceLimitsOptions;
  private buckets = new Map<Bucket, SlidingWindow>();
  private twins = new Map<string, SlidingWindow>();
  private counts = new Map<OperationKind, OpCounters>();
  private checksSinceSweep = 0;

  constructor(options: Partial<ServiceLimitsOptions> = {}) {
    this.options = { ...adtDefaultLimits, ...options };
  }

  get current(): Readonly<ServiceLimitsOptions> {
    return this.options;
  }

  /**
   * Records the op, or throws 429 (`Retry-After` = seconds until the earliest moment every limit the op
   * touches has a free slot). A throttled op takes no slot. `twinIds`: every twin whose per-twin limit the
   * op counts against, e.g. source and target of a relationship.
   */
  check(op: OperationKind, twinIds: readonly string[] = [], now: number = this.options.now()): void {
    const counters = this.counterFor(op);
    if (!this.options.enabled) {
      counters.allowed++;
      return;
    }
    const windows = this.windowsFor(op, twinIds);
    let waitMs = 0;
    let blockedBy = '';
    for (const { window, what } of windows) {
      const wait = window.waitMs(now);
      if (wait > waitMs) {
        waitMs = wait;
        blockedBy = what;
      }
    }
    if (waitMs > 0) {
      counters.throttled++;
      throw errors.throttled(
        op === 'query' ? 'query' : blockedBy,
        this.options.retryAfter === 'header' ? retryAfterSeconds(waitMs) : undefined,
      );
    }
    for (const { window } of windows) window.record(now);
    counters.allowed++;
    this.sweep(now);
  }

  /** Bytes the HTTP layer may read for a body of this kind before answering 413 (memory guard). */
  bodyCap(kind: PayloadKind): number {
    return kind === 'models' ? MAX_MODEL_REQUEST_BYTES : Math.max(this.options.maxPayloadBytes, HARD_REQUEST_CAP_BYTES);
  }

  /** Rejects a raw body above the 32 KB request limit; model uploads are judged per model by checkBody. */
  checkPayload(byteLength: number, kind: PayloadKind = 'request'): void {
    if (kind === 'models') return;
    if (this.options.enabled && byteLength > this.options.maxPayloadBytes) throw errors.payloadTooLarge(this.options.maxPayloadBytes);
  }

  /** The parsed body's limits: 250 models / 1 MB each for uploads; 4 KB string values everywhere else. */
  checkBody(body: unknown, kind: PayloadKind = 'request'): void {
    if (!this.options.enabled) return;
    if (kind === 'models') checkModelUpload(body, this.options);
    else this.checkStrings(body);
  }

  /** Rejects any string value (at any depth) above the 4 KB limit, naming its JSON path. */
  checkStrings(value: unknown): void {
    if (!this.options.enabled) return;
    const problem = findLongString(value, '', this.options.maxStringBytes);
    if (problem) throw errors.validationFailed([problem]);
  }

  counters(): Partial<Record<OperationKind, OpCounters>> {
    return Object.fromEntries([...this.counts].map(([op, c]) => [op, { ...c }]));
  }

  /** Changes limits at runtime; windows restart so the new limits apply from now on. */
  update(options: Partial<ServiceLimitsOptions>): void {
    this.options = { ...this.options, ...options };
    this.buckets.clear();
    this.twins.clear();
  }

  /** Forgets every window and counter (keeps options). */
  reset(): void {
    this.buckets.clear();
    this.twins.clear();
    this.counts.clear();
  }

  private windowsFor(op: OperationKind, twinIds: readonly string[]): Array<{ window: SlidingWindow; what: string }> {
    const result: Array<{ window: SlidingWindow; what: string }> = [];
    for (const bucket of bucketsByOp[op]) {
      let window = this.buckets.get(bucket);
      if (!window) {
        window = new SlidingWindow(bucketLimit[bucket](this.options));
        this.buckets.set(bucket, window);
      }
      result.push({ window, what: `${op} (limit ${bucketLimit[bucket](this.options)} ${bucket} per second)` });
    }
    if (perTwinOps.has(op)) {
      for (const twinId of new Set(twinIds)) {
        let window = this.twins.get(twinId);
        if (!window) {
          window = new SlidingWindow(this.options.perTwinWritesPerSecond);
          this.twins.set(twinId, window);
        }
        result.push({
          window,
          what: `writes to twin '${twinId}' and its relationships (limit ${this.options.perTwinWritesPerSecond} per second)`,
        });
      }
    }
    return result;
  }

  private counterFor(op: OperationKind): OpCounters {
    let counters = this.counts.get(op);
    if (!counters) {
      counters = { allowed: 0, throttled: 0 };
      this.counts.set(op, counters);
    }
    return counters;
  }

  /** Drops idle per-twin windows now and then so a long run with many twins does not grow without bound. */
  private sweep(now: number): void {
    if (++this.checksSinceSweep < 1000) return;
    this.checksSinceSweep = 0;
    for (const [twinId, window] of this.twins) if (window.isEmpty(now)) this.twins.delete(twinId);
  }
}

/**
 * Whole seconds, rounded up and never below 1. HTTP's Retry-After is delay-seconds (an integer) or a date:
 * Python azure-core before ~1.30 raises on `0.955` and .NET Azure.Core ignores it, and the JS SDK does not
 * retry `Retry-After: 0`. Rounding up also means a client that waits as told always finds a free slot.
 */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

function findLongString(value: unknown, path: string, maxBytes: number): string | undefined {
  if (typeof value === 'string') {
    const bytes = Buffer.byteLength(value);
    return bytes > maxBytes
      ? `The string value at ${path || '/'} is ${bytes} bytes; the limit is ${maxBytes} bytes. Shorten it or store it outside the twin.`
      : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const problem = findLongString(child, `${path}/${key}`, maxBytes);
    if (problem) return problem;
  }
  return undefined;
}
