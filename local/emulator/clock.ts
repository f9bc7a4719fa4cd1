// ADT timestamps carry 7 fractional digits (100 ns ticks). Sub-millisecond ticks come from the
// high-resolution clock, and a guard keeps every stamp strictly increasing within this process.
import { performance } from 'node:perf_hooks';

let lastMs = 0;
let lastSub = 0;
let wallClock: () => number = () => Date.now();

/**
 * Tests: the emulator's wall clock (service-set times such as `$metadata.$lastUpdateTime`) from
 * `now` instead of Date.now(), so a test can advance time for the emulator and the pipeline alike.
 * Without an argument, back to Date.now(). In-process emulators only.
 */
export function setEmulatorClock(now?: () => number): void {
  wallClock = now ?? (() => Date.now());
  lastMs = 0;
  lastSub = 0;
}

/** Current UTC time as `YYYY-MM-DDTHH:mm:ss.fffffffZ`, strictly monotonic per process. */
export function adtNow(): string {
  // Wall-clock milliseconds (so stamps agree with Date.now()), sub-millisecond digits from the
  // high-resolution clock. Kept as two integers: ms * 10^4 would exceed Number.MAX_SAFE_INTEGER.
  let ms = wallClock();
  let sub = Math.floor((performance.now() % 1) * 10_000);
  if (ms < lastMs || (ms === lastMs && sub <= lastSub)) {
    ms = lastMs;
    sub = lastSub + 1;
    if (sub >= 10_000) {
      ms += 1;
      sub = 0;
    }
  }
  lastMs = ms;
  lastSub = sub;
  return formatAdtTime(ms, sub);
}

/** `ms` since the epoch plus `sub` 100-ns ticks (0..9999) → 7-digit ISO 8601 UTC. */
export function formatAdtTime(ms: number, sub: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}${String(sub).padStart(4, '0')}Z`;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** True for an ISO 8601 / RFC 3339 date-time such as ADT accepts for `sourceTime`. */
export function isIsoDateTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_8601.test(value) && !Number.isNaN(Date.parse(value.replace(/(\.\d{3})\d+/, '$1')));
}
