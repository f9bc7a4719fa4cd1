// Everything a run was told to break, in one place: the emulator's steady faults and limits, timed
// ADT windows (outages, slow spells) and dead-letter store outages. runScenario starts it with the
// first telemetry, waits for its last window to end (so a scheduled outage always happens, even when
// the replay would finish first), and stops it before the final read.
import type { FaultOptions } from '../emulator/faults';
import type { ServiceLimitsOptions } from '../emulator/limits';
import { type DeadLetterOutage, deadLetterOutageFor } from './deadLetterOutage';
import type { DeadLetterTarget } from './deadLetters';
import type { TimeWindow } from './faultFlags';
import { type FaultTarget, FaultTimeline, type FaultWindow, outageWindow, type TimelineEvent } from './faultTimeline';

export interface FaultSettings {
  /** Emulator faults for the whole feed (FaultOptions: latencyMs, errorRate, resetRate, slowMs, …). */
  adtFaults?: Partial<FaultOptions>;
  /** Emulator service limits for the whole feed (perTwinWritesPerSecond, retryAfter, …). */
  adtLimits?: Partial<ServiceLimitsOptions>;
  /** ADT outages: every data-plane request fails (connection reset or 503) during each window. */
  adtOutages?: TimeWindow[];
  /** Other timed fault windows (programmatic): e.g. responses slower than the deadline for 3 s. */
  adtFaultWindows?: FaultWindow[];
  /** Dead-letter store outages: every dead-letter write fails during each window (folder or Azurite sink). */
  deadLetterOutages?: TimeWindow[];
}

export interface FaultReport {
  adt: TimelineEvent[];
  deadLetterStore: Array<{ atMs: number; state: 'start' | 'end' }>;
  /** Dead-letter requests refused during the outages (blob sink; absent for a folder). */
  deadLetterRequestsRefused?: number;
}

export function hasAdtFaults(settings: FaultSettings): boolean {
  return (
    settings.adtFaults !== undefined ||
    settings.adtLimits !== undefined ||
    (settings.adtOutages ?? []).length > 0 ||
    (settings.adtFaultWindows ?? []).length > 0
  );
}

export class FaultPlan {
  private readonly timeline: FaultTimeline | undefined;
  private readonly lastEndMs: number;
  private startedAt = 0;

  /** Builds the plan; the dead-letter outage (a proxy for Azurite) is started, but armed only by start(). */
  static async create(settings: FaultSettings, emulator: FaultTarget | undefined, deadLetters: DeadLetterTarget): Promise<FaultPlan> {
    const windows = settings.deadLetterOutages ?? [];
    const outage = windows.length > 0 ? await deadLetterOutageFor(deadLetters, windows) : undefined;
    try {
      return new FaultPlan(settings, emulator, outage);
    } catch (error) {
      await outage?.close();
      throw error;
    }
  }

  private constructor(
    settings: FaultSettings,
    emulator: FaultTarget | undefined,
    readonly deadLetterOutage: DeadLetterOutage | undefined,
  ) {
    const windows = [...(settings.adtOutages ?? []).map(outageWindow), ...(settings.adtFaultWindows ?? [])];
    if (hasAdtFaults(settings)) {
      if (!emulator)
        throw new Error(
          'ADT faults (--adt-latency, --adt-faults, --adt-limits, --adt-outage) need the embedded emulator; drop --adt-url to use them.',
        );
      this.timeline = new FaultTimeline(emulator, {
        ...(settings.adtFaults ? { faults: settings.adtFaults } : {}),
        ...(settings.adtLimits ? { limits: settings.adtLimits } : {}),
        windows,
      });
    }
    const storeOutages = settings.deadLetterOutages ?? [];
    this.lastEndMs = Math.max(0, ...[...windows, ...storeOutages].map((w) => w.startMs + w.durationMs));
  }

  start(): void {
    this.startedAt = Date.now();
    this.timeline?.start();
    this.deadLetterOutage?.start();
  }

  /** Resolves once the last scheduled window has ended. */
  async windowsOver(): Promise<void> {
    const left = this.startedAt + this.lastEndMs - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left + 50));
  }

  /** Back to a healthy emulator and a writable store. */
  stop(): void {
    this.timeline?.stop();
  }

  async close(): Promise<void> {
    this.timeline?.stop();
    await this.deadLetterOutage?.close();
  }

  report(): FaultReport {
    const refused = this.deadLetterOutage?.refused;
    return {
      adt: [...(this.timeline?.events ?? [])],
      deadLetterStore: [...(this.deadLetterOutage?.events ?? [])],
      ...(refused !== undefined ? { deadLetterRequestsRefused: refused } : {}),
    };
  }
}
