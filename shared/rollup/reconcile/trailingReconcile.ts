// The trailing reconcile of rules after a re-pointed relationship. A Relationship.Update (a PUT
// giving an existing relationship a new $targetId) names neither the old target nor the
// relationship, and nothing left in ADT does: the old parent of an `incoming` rule is found only
// by recomputing every parent of the rule. So, `lagMs` after the last such change (once the query
// index shows it), the affected rules are reconciled from paged queries: whichever instance
// handled the event, the old parent ends exact. Re-points are rare topology changes; a burst of
// them shares one run, which starts no later than `maxWaitFactor × lagMs` after the first.
export class TrailingReconcile {
  private entry: { rules: Set<string>; firstAt: number; lastAt: number; timer: NodeJS.Timeout } | undefined;
  private running: Promise<void> | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly lagMs: number,
    private readonly run: (rules: ReadonlySet<string>) => Promise<void>,
    private readonly now: () => number = Date.now,
    private readonly maxWaitFactor = 3,
  ) {}

  /** These rules may have lost a child to a re-point this instance cannot trace: reconcile them. */
  touch(rules: Iterable<string>): void {
    const at = this.now();
    if (this.entry) {
      for (const rule of rules) this.entry.rules.add(rule);
      this.entry.lastAt = at;
      return;
    }
    const names = new Set(rules);
    if (names.size === 0) return;
    this.entry = { rules: names, firstAt: at, lastAt: at, timer: this.arm(this.lagMs) };
  }

  get pending(): number {
    return (this.entry ? 1 : 0) + (this.running ? 1 : 0);
  }

  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    if (this.entry) clearTimeout(this.entry.timer);
    this.entry = undefined;
    this.settle();
  }

  private arm(delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => void this.fire(), Math.max(0, delayMs));
    timer.unref(); // a pending reconcile must not keep a process alive on its own
    return timer;
  }

  private async fire(): Promise<void> {
    const entry = this.entry;
    if (!entry) return;
    const now = this.now();
    const due = Math.min(entry.lastAt + this.lagMs, entry.firstAt + this.maxWaitFactor * this.lagMs);
    if (due > now || this.running) {
      entry.timer = this.arm(this.running ? this.lagMs / 4 : due - now);
      return;
    }
    this.entry = undefined;
    const run = this.run(entry.rules).catch(() => undefined); // the run logs its own failures
    this.running = run;
    await run;
    this.running = undefined;
    // Started early (the cap): changes of the last lag may not have been visible yet; run once more.
    if (entry.lastAt + this.lagMs > now) this.touchAt(entry.rules, entry.lastAt);
    this.settle();
  }

  private touchAt(rules: Set<string>, at: number): void {
    if (this.entry) {
      for (const rule of rules) this.entry.rules.add(rule);
      this.entry.lastAt = Math.max(this.entry.lastAt, at);
      return;
    }
    this.entry = { rules: new Set(rules), firstAt: this.now(), lastAt: at, timer: this.arm(at + this.lagMs - this.now()) };
  }

  private settle(): void {
    if (this.pending > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
