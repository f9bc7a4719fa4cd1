// Which function instance owns which Event Hub partition, as the Event Hubs processor keeps it: every
// partition has exactly one owner at a time, the partitions are spread evenly over the live instances,
// and ownership can move (a rebalance, an instance gone). A move takes effect between batches: the
// batch the old owner is running finishes there, but its checkpoint no longer counts (the lease is
// gone), so the new owner starts from the last checkpoint and gets that batch again — at-least-once.
// A partition whose batch is being redelivered after a move is pinned until that batch is done, so a
// batch runs at most twice because of moves and a short --rebalance-every cannot starve a partition.

export interface PartitionLease {
  partitionId: string;
  owner: number;
  /** Bumped on every move of this partition; a lease whose epoch changed no longer holds. */
  epoch: number;
}

export class PartitionOwnership {
  private readonly owners = new Map<string, { owner: number; epoch: number }>();
  private readonly dead = new Set<number>();
  private readonly pinned = new Set<string>();
  /** Shifts the even spread by one on every rebalance, so each rebalance moves partitions. */
  private shift = 0;
  private movesMade = 0;
  private rebalancesMade = 0;

  constructor(private readonly instances: number) {
    if (!(Number.isInteger(instances) && instances >= 1)) throw new Error(`instances must be a positive integer (got ${instances}).`);
  }

  get moves(): number {
    return this.movesMade;
  }

  get rebalances(): number {
    return this.rebalancesMade;
  }

  /** The owner of a partition; a partition seen for the first time is claimed by the even spread. */
  ownerOf(partitionId: string): number {
    return this.entry(partitionId).owner;
  }

  lease(partitionId: string): PartitionLease {
    const { owner, epoch } = this.entry(partitionId);
    return { partitionId, owner, epoch };
  }

  /** True while the partition has not moved since the lease was taken (the checkpoint counts). */
  holds(lease: PartitionLease): boolean {
    return this.owners.get(lease.partitionId)?.epoch === lease.epoch;
  }

  /** Rebalances leave the partition where it is until unpin (an instance crash still moves it). */
  pin(partitionId: string): void {
    this.pinned.add(partitionId);
  }

  unpin(partitionId: string): void {
    this.pinned.delete(partitionId);
  }

  /** Partitions per instance right now (index → count). */
  owned(): number[] {
    const counts = new Array<number>(this.instances).fill(0);
    for (const { owner } of this.owners.values()) counts[owner]!++;
    return counts;
  }

  live(): number[] {
    return [...Array(this.instances).keys()].filter((i) => !this.dead.has(i));
  }

  /** Moves every partition one place along the even spread (the --rebalance-every timer). */
  rebalance(): void {
    this.rebalancesMade++;
    this.shift++;
    this.reassign(false);
  }

  /** An instance that crashed owns nothing any more; its partitions go to the live ones. */
  markDead(instance: number): void {
    if (this.dead.has(instance)) return;
    this.dead.add(instance);
    this.reassign(true);
  }

  private entry(partitionId: string): { owner: number; epoch: number } {
    let entry = this.owners.get(partitionId);
    if (!entry) {
      entry = { owner: this.spreadOwner(this.owners.size), epoch: 0 };
      this.owners.set(partitionId, entry);
    }
    return entry;
  }

  /** Partition at position i (in order of first sight) → live instance (i + shift) mod live count. */
  private spreadOwner(position: number): number {
    const live = this.live();
    if (live.length === 0) throw new Error('Every function instance has crashed; no instance is left to own a partition.');
    return live[(position + this.shift) % live.length]!;
  }

  private reassign(evenPinned: boolean): void {
    if (this.live().length === 0) return;
    let position = 0;
    for (const [partitionId, entry] of this.owners) {
      const owner = this.spreadOwner(position++);
      if (this.pinned.has(partitionId) && !evenPinned && !this.dead.has(entry.owner)) continue;
      if (owner !== entry.owner) {
        entry.owner = owner;
        entry.epoch++;
        this.movesMade++;
      }
    }
  }
}
