// A partition that comes back. Event Hubs moves partitions between instances (scale-out, a restart, a
// rebalance), and while another instance owned one it wrote that partition's twins, so this process's
// copies of them (the gateway's cache) may predate those writes. A write made from such a copy is safe
// — it carries the copy's ETag, so it meets a 412 and a re-read — but a reading the copy makes look
// unchanged (or within its deadband) sends no request at all, and the twin would keep the other
// instance's value until the next change or heartbeat. Sequence numbers are consecutive within a
// partition, so a batch that does not continue this process's last batch of its partition shows that
// someone else processed the events in between: its twins are read afresh before their writes are
// decided. A redelivery to this process (sequence numbers at or before the last seen) needs nothing:
// every copy here already includes this process's own writes.

import { normalizeSequenceNumber } from '../decode';
import type { RawEvent } from '../message';

export class PartitionHandovers {
  /** The last sequence number this process saw per partition: one entry per partition it ever held. */
  private readonly lastSeen = new Map<string, number>();

  /**
   * Records the batch and answers whether it resumes the partition after events this process did
   * not see (false for the first batch of a partition, and for a batch without sequence numbers).
   */
  resumedAfterGap(partitionId: string | undefined, events: readonly RawEvent[]): boolean {
    if (partitionId === undefined) return false;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const event of events) {
      const sequence = normalizeSequenceNumber(event.sequenceNumber);
      if (sequence === undefined) continue;
      first = Math.min(first, sequence);
      last = Math.max(last, sequence);
    }
    if (!Number.isFinite(first)) return false;
    const previous = this.lastSeen.get(partitionId);
    this.lastSeen.set(partitionId, Math.max(last, previous ?? last));
    return previous !== undefined && first > previous + 1;
  }
}
