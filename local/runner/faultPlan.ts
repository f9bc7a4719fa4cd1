// Everything a run was told to break, in one place: the emulator's steady faults and limits, timed
// ADT windows (outages, slow spells) and dead-letter store outages. runScenario starts it with the
// first telemetry, waits for its last window to end (so a scheduled outage always happens, even when
// the replay would finish first), and stops it before the final read.
import type { FaultOptions } from '../emulator/faults';
import type { ServiceLimitsOptions } from '../emulator/limits';
import { FolderDeadLetterOutage } from './deadLetterOutage';
import type { TimeWindow } from './faultFlags';
import { FaultTimeline, outageWindow, type FaultTarget, type FaultWindow, type TimelineEvent } from './faultTimeline';

export interface FaultSettings {
  /** Emulator faults for the whole feed (FaultOptions: latencyMs, errorRate, resetRate, slowMs, …). */
  adtFaults?: Partial<FaultOptions>;
  /** Emulator service limits for the whole feed (perTwinWritesPerSecond, retryAfter, …). */
  adtLimits?: Partial<ServiceLimitsOptions>;
  /** ADT outages: every data-plane request fails (connection reset or 503) during each window. */
  adtOutages?: TimeWindow[];
  /** Other timed fault windows (programmatic): e.g. responses slower than the deadline for 3 s. */
  adtFaultWindows?: FaultWindow[];
  /** Dead-letter store outages: every dead-letter write fails during each window (folder sink). */
  deadLetterOutages?: TimeWindow[];
}

export interface FaultReport {
  adt: TimelineEvent[];
  deadLetterStore: Array<{ atMs: number; state: 'start' | 'end' }>;
}

export function hasAdtFaults(settings: FaultSettings): boolean {
  return settings.adtFaults !== undefined || settings.adtLimits !== undefined || (settings.adtOutages ?? []).length > 0 || (settings.adtFaultWindows ?? []).length > 0;
}

export class FaultPlan {
  readonly deadLetterOutage: FolderDeadLetterOutage | undefined;
  private readonly timeline: FaultTimeline | undefined;
  private readonly lastEndMs: number;
  private startedAt = 0;

  constructor(settings: FaultSettings, emulator: FaultTarget | undefined, deadLetterFolder: string | undefined) {
    const windows = [...(settings.adtOutages ?? []).map(outageWindow), ...(settings.adtFaultWindows ?? [])];
    if (hasAdtFaults(settings)) {
      if (!emulator) throw new Error('ADT faults (--adt-latency, --adt-faults, --adt-limits, --adt-outage) need the embedded emulator; drop --adt-url to use them.');
      this.timeline = new FaultTimeline(emulator, {
        ...(settings.adtFaults ? { faults: settings.adtFaults } : {}),
        ...(settings.adtLimits ? { limits: settings.adtLimits } : {}),
        windows,
      });
    }
    const storeOutages = settings.deadLetterOutages ?? [];
    if (storeOutages.length > 0) {
      if (!deadLetterFolder) throw new Error('--dead-letter-outage works on the folder dead-letter sink; drop --azurite (and stop an Azurite on :10000, or pass --dead-letters <dir>) to use it.');
      this.deadLetterOutage = new FolderDeadLetterOutage(deadLetterFolder, storeOutages);
    }
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

  close(): void {
    this.timeline?.stop();
    this.deadLetterOutage?.close();
  }

  report(): FaultReport {
    return { adt: [...(this.timeline?.events ?? [])], deadLetterStore: [...(this.deadLetterOutage?.events ?? [])] };
  }
}
