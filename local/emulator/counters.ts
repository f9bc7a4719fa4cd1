// What the emulator has been asked to do: per operation kind, per twin writes, duplicate telemetry.
// Tests and the runner read these to assert call counts without timing anything.
import type { OperationKind } from './types';

export interface OperationCounts {
  requests: number;
  successes: number;
  /** 429 responses (service limits). */
  throttled: number;
  /** Any other non-2xx response, including injected faults. */
  errors: number;
}

export type TwinWriteKind = 'create' | 'replace' | 'patch' | 'delete';
export type TwinWriteCounts = Record<TwinWriteKind, number>;

export interface CountersSnapshot {
  operations: Partial<Record<OperationKind, OperationCounts>>;
  twinWrites: Record<string, TwinWriteCounts>;
  telemetryDuplicates: number;
}

export class Counters {
  private operations = new Map<OperationKind, OperationCounts>();
  private twinWrites = new Map<string, TwinWriteCounts>();
  private telemetryDuplicates = 0;

  request(op: OperationKind): void {
    this.entry(op).requests++;
  }

  outcome(op: OperationKind, status: number): void {
    const entry = this.entry(op);
    if (status >= 200 && status < 300) entry.successes++;
    else if (status === 429) entry.throttled++;
    else entry.errors++;
  }

  twinWrite(twinId: string, kind: TwinWriteKind): void {
    const entry = this.twinWrites.get(twinId) ?? { create: 0, replace: 0, patch: 0, delete: 0 };
    entry[kind]++;
    this.twinWrites.set(twinId, entry);
  }

  duplicateTelemetry(): void {
    this.telemetryDuplicates++;
  }

  snapshot(): CountersSnapshot {
    return {
      operations: Object.fromEntries([...this.operations].map(([op, c]) => [op, { ...c }])),
      twinWrites: Object.fromEntries([...this.twinWrites].map(([id, c]) => [id, { ...c }])),
      telemetryDuplicates: this.telemetryDuplicates,
    };
  }

  reset(): void {
    this.operations = new Map();
    this.twinWrites = new Map();
    this.telemetryDuplicates = 0;
  }

  private entry(op: OperationKind): OperationCounts {
    let entry = this.operations.get(op);
    if (!entry) {
      entry = { requests: 0, successes: 0, throttled: 0, errors: 0 };
      this.operations.set(op, entry);
    }
    return entry;
  }
}
