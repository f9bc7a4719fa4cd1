// Per-parent coalescing: at most one recompute in flight and one pending per parent within this
// instance. A burst of child changes thus costs a parent about two writes instead of one per
// child change, which keeps it under ADT's 10 writes/s per twin. Correct because a recompute
// always reads the current children: the pending run sees every change that arrived before it.

interface Pending<R, T> {
  request: R;
  waiters: { resolve: (value: Coalesced<T>) => void; reject: (error: unknown) => void }[];
}

interface Slot<R, T> {
  pending: Pending<R, T> | undefined;
  /** When the slot's last run started (ms); the next one starts no sooner than gatherMs after it. */
  lastStartAt: number | undefined;
}

export interface Coalesced<T> {
  /** undefined for a caller that joined a pending run without waiting for it (`joined`). */
  result: T | undefined;
  /** True when this caller's change was folded into a recompute another caller asked for too. */
  shared: boolean;
  /** Folded into a pending run that another caller waits for; that caller hears its outcome. */
  joined?: boolean;
}

export class ParentScheduler<R, T> {
  private readonly slots = new Map<string, Slot<R, T>>();

  /**
   * @param run   performs one recompute for the merged request.
   * @param merge folds a later request into a pending one (e.g. union of rules, newest traceparent).
   */
  constructor(
    private readonly run: (key: string, request: R) => Promise<T>,
    private readonly merge: (pending: R, incoming: R) => R,
    /** Minimum time between the starts of two runs for one key: a lone change runs at once, a
     * burst is gathered into a run every gatherMs, so changes arriving meanwhile share it. */
    private readonly gatherMs = 0,
    /** false: a caller that finds a run already pending folds its request in and returns at once.
     * Safe because the pending run's first caller waits and, on a transient failure, is redelivered
     * and recomputes the parent from current data, which covers every folded change. */
    private readonly joinersWait = true,
  ) {}

  schedule(key: string, request: R): Promise<Coalesced<T>> {
    const slot = this.slots.get(key);
    if (!slot) {
      const fresh: Slot<R, T> = { pending: undefined, lastStartAt: undefined };
      this.slots.set(key, fresh);
      return this.start(key, fresh, { request, waiters: [] }, false);
    }
    if (slot.pending && !this.joinersWait) {
      slot.pending.request = this.merge(slot.pending.request, request);
      return Promise.resolve({ result: undefined, shared: true, joined: true });
    }
    return new Promise((resolve, reject) => {
      if (slot.pending) {
        slot.pending.request = this.merge(slot.pending.request, request);
        slot.pending.waiters.push({ resolve, reject });
      } else {
        slot.pending = { request, waiters: [{ resolve, reject }] };
      }
    });
  }

  /** Parents with a recompute in flight (for tests and diagnostics). */
  get busy(): number {
    return this.slots.size;
  }

  private async start(key: string, slot: Slot<R, T>, job: Pending<R, T>, shared: boolean): Promise<Coalesced<T>> {
    try {
      const wait = slot.lastStartAt === undefined ? 0 : slot.lastStartAt + this.gatherMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      slot.lastStartAt = Date.now();
      const result = await this.run(key, job.request);
      const isShared = shared || job.waiters.length > 1;
      for (const w of job.waiters) w.resolve({ result, shared: isShared });
      return { result, shared: isShared };
    } catch (error) {
      for (const w of job.waiters) w.reject(error);
      throw error;
    } finally {
      const next = slot.pending;
      slot.pending = undefined;
      if (next) {
        // The pending run owns the slot now; its waiters hear the outcome through their promises.
        void this.start(key, slot, next, false).catch(() => undefined);
      } else {
        this.slots.delete(key);
      }
    }
  }
}
