// Turns a list of time windows into "down" / "up" transitions on a timer, for the outages the
// runner simulates around the function app (dead-letter store). Overlapping windows count as one
// outage that lasts until the last of them ends.
import type { TimeWindow } from './faultFlags';

export interface OutageEvent {
  atMs: number;
  state: 'start' | 'end';
}

export class OutageSwitch {
  readonly events: OutageEvent[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private open = 0;
  private startedAt = 0;

  constructor(
    private readonly windows: readonly TimeWindow[],
    private readonly onChange: (down: boolean) => void,
  ) {}

  get isDown(): boolean {
    return this.open > 0;
  }

  start(): void {
    this.startedAt = Date.now();
    for (const window of this.windows) {
      this.timers.push(setTimeout(() => this.toggle(true), window.startMs));
      this.timers.push(setTimeout(() => this.toggle(false), window.startMs + window.durationMs));
    }
  }

  /** Disarms every timer; an outage still open ends now. */
  stop(): void {
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    if (this.isDown) {
      this.open = 1;
      this.toggle(false);
    }
  }

  private toggle(on: boolean): void {
    const wasDown = this.isDown;
    this.open += on ? 1 : -1;
    if (wasDown === this.isDown) return;
    this.events.push({ atMs: Date.now() - this.startedAt, state: this.isDown ? 'start' : 'end' });
    this.onChange(this.isDown);
  }
}
