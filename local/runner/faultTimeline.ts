// Faults on a clock, driven from the runner through the emulator's own programmatic handle (the
// same settings PUT /$admin/faults changes): the steady faults and limits hold from the first
// telemetry until the loop is quiet, and timed windows (an outage, a slow spell) add theirs on top
// while they last. Seeding before and the final read after run on a healthy emulator, because the
// runner is not what is under test.
import type { FaultOptions } from '../emulator/faults';
import { adtDefaultLimits, type ServiceLimitsOptions } from '../emulator/limits';
import type { TimeWindow } from './faultFlags';

/** Settings a window may change (failTwins and seed only make sense once, for the whole run). */
export type WindowFaults = Partial<Omit<FaultOptions, 'failTwins' | 'seed'>>;

export interface FaultWindow extends TimeWindow {
  /** For the summary, e.g. "ADT outage". */
  label: string;
  faults: WindowFaults;
}

/** During an outage every data-plane request fails: half the connections reset, the rest get 503 without Retry-After. */
export const outageFaults: WindowFaults = { resetRate: 0.5, errorRate: 1, errorStatuses: [503], retryAfterOn503: undefined };

export function outageWindow(window: TimeWindow): FaultWindow {
  return { ...window, label: 'ADT outage', faults: outageFaults };
}

/** A healthy emulator's value of every key a window can change, to go back to when it ends. */
const healthy: Required<Record<keyof WindowFaults, unknown>> = {
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  errorStatuses: [500, 503],
  retryAfterOn503: undefined,
  resetRate: 0,
  slowRate: 0,
  slowMs: 0,
};

export interface FaultTarget {
  faults: { update(options: Partial<FaultOptions>): void };
  limits: { update(options: Partial<ServiceLimitsOptions>): void };
}

export interface TimelineEvent {
  atMs: number;
  label: string;
  state: 'start' | 'end';
}

export interface TimelinePlan {
  faults?: Partial<FaultOptions>;
  limits?: Partial<ServiceLimitsOptions>;
  windows?: FaultWindow[];
}

export class FaultTimeline {
  readonly events: TimelineEvent[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly active = new Set<FaultWindow>();
  private readonly touched: Array<keyof WindowFaults>;
  private startedAt = 0;

  constructor(
    private readonly target: FaultTarget,
    private readonly plan: TimelinePlan,
    private readonly now: () => number = Date.now,
  ) {
    const keys = new Set<keyof WindowFaults>();
    for (const source of [plan.faults ?? {}, ...(plan.windows ?? []).map((w) => w.faults)]) {
      for (const key of Object.keys(source)) if (Object.hasOwn(healthy, key)) keys.add(key as keyof WindowFaults);
    }
    this.touched = [...keys];
  }

  get isEmpty(): boolean {
    return !this.plan.faults && !this.plan.limits && (this.plan.windows ?? []).length === 0;
  }

  /** Applies the steady settings now and arms every window relative to now. */
  start(): void {
    this.startedAt = this.now();
    if (this.plan.faults) this.target.faults.update(this.plan.faults);
    if (this.plan.limits) this.target.limits.update(this.plan.limits);
    for (const window of this.plan.windows ?? []) {
      this.timers.push(setTimeout(() => this.toggle(window, true), window.startMs));
      this.timers.push(setTimeout(() => this.toggle(window, false), window.startMs + window.durationMs));
    }
  }

  /** Disarms what has not fired and puts the emulator back to healthy (ADT's default limits). */
  stop(): void {
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    for (const window of [...this.active]) this.toggle(window, false);
    const reset: Partial<FaultOptions> = {};
    for (const key of this.touched) (reset as Record<string, unknown>)[key] = healthy[key];
    if (this.plan.faults?.failTwins) reset.failTwins = {};
    if (Object.keys(reset).length > 0) this.target.faults.update(reset);
    if (this.plan.limits) {
      const { now: _clock, ...defaults } = adtDefaultLimits;
      this.target.limits.update(defaults);
    }
  }

  /** True while some window is on; the soak report and tests read it. */
  get windowOpen(): boolean {
    return this.active.size > 0;
  }

  private toggle(window: FaultWindow, on: boolean): void {
    if (on === this.active.has(window)) return;
    if (on) this.active.add(window);
    else this.active.delete(window);
    this.events.push({ atMs: this.now() - this.startedAt, label: window.label, state: on ? 'start' : 'end' });
    this.target.faults.update(this.effective());
  }

  /** Healthy values for every touched key, then the steady faults, then each open window in plan order. */
  private effective(): Partial<FaultOptions> {
    const result: Record<string, unknown> = {};
    for (const key of this.touched) result[key] = healthy[key];
    for (const key of this.touched) if (this.plan.faults && key in this.plan.faults) result[key] = this.plan.faults[key];
    for (const window of this.plan.windows ?? []) if (this.active.has(window)) Object.assign(result, window.faults);
    return result as Partial<FaultOptions>;
  }
}
