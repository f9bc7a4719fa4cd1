// The timer's singleton lock across instances, as the Functions host keeps it: a timer trigger holds a
// blob lease in the host storage (the WebJobs SDK's singleton lock), so only the instance holding it
// runs the timer, one run at a time, while the other hosts keep trying to take it (the WebJobs
// extensions' TimerTrigger documentation). Locally: the lease sits with the lowest live instance;
// when its holder dies it moves to the next live one. `lose()` moves it while the old holder may still be running, as a
// lease that expired under a long pause does in Azure — the one case two runs overlap.

export class TimerLease {
  private holding: number | undefined;
  /** Times the lease moved to another instance (a holder died, or lose() was called). */
  changes = 0;

  /** The instance that runs the timer now, among the live ones; undefined when none is live. */
  holder(live: readonly number[]): number | undefined {
    if (this.holding !== undefined && live.includes(this.holding)) return this.holding;
    const next = [...live].sort((a, b) => a - b)[0];
    if (this.holding !== undefined && next !== undefined) this.changes += 1;
    this.holding = next;
    return next;
  }

  /** The lease expires under its holder and the next live instance takes it; returns [old, new]. */
  lose(live: readonly number[]): [number, number] | undefined {
    const old = this.holder(live);
    if (old === undefined || live.length < 2) return undefined;
    const sorted = [...live].sort((a, b) => a - b);
    const next = sorted[(sorted.indexOf(old) + 1) % sorted.length] as number;
    this.holding = next;
    this.changes += 1;
    return [old, next];
  }
}
