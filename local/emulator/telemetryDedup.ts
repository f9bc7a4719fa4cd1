// ADT documents Message-Id as the de-duplication key of telemetry within a twin. We remember ids for a
// bounded window (time and count) so a retried POST is acknowledged but not routed twice.
export interface DedupOptions {
  windowMs: number;
  maxIdsPerTwin: number;
}

export const defaultDedupOptions: DedupOptions = { windowMs: 10 * 60_000, maxIdsPerTwin: 10_000 };

export class TelemetryDeduplicator {
  // Insertion order equals expiry order because the window is constant.
  private readonly seenByTwin = new Map<string, Map<string, number>>();

  constructor(private readonly options: DedupOptions = defaultDedupOptions) {}

  /** True when this Message-Id was already accepted for the twin within the window; records it otherwise. */
  isDuplicate(twinId: string, messageId: string, now: number = Date.now()): boolean {
    const seen = this.seenByTwin.get(twinId) ?? new Map<string, number>();
    this.seenByTwin.set(twinId, seen);
    for (const [id, expiresAt] of seen) {
      if (expiresAt > now && seen.size < this.options.maxIdsPerTwin) break;
      seen.delete(id);
    }
    const expiresAt = seen.get(messageId);
    if (expiresAt !== undefined && expiresAt > now) return true;
    seen.set(messageId, now + this.options.windowMs);
    return false;
  }

  forgetTwin(twinId: string): void {
    this.seenByTwin.delete(twinId);
  }

  clear(): void {
    this.seenByTwin.clear();
  }
}
