// A dead-letter store that goes away on schedule (--dead-letter-outage). The function app builds its
// own sink from app settings, so the outage is made where the sink writes, not inside the app: the
// app is given a symbolic link to the real folder, and during an outage the link is swapped
// (atomically, by rename) for one to a plain file, so every write fails with ENOTDIR exactly as a
// store that refuses writes would fail the invocation; afterwards it points at the folder again.
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TimeWindow } from './faultFlags';

export class FolderDeadLetterOutage {
  /** What the function app must be given as DEAD_LETTER_DIRECTORY. */
  readonly appDirectory: string;
  readonly events: Array<{ atMs: number; state: 'start' | 'end' }> = [];
  private readonly workDirectory: string;
  private readonly blocker: string;
  private readonly timers: NodeJS.Timeout[] = [];
  private open = 0;
  private startedAt = 0;

  constructor(
    private readonly realDirectory: string,
    private readonly windows: readonly TimeWindow[],
  ) {
    this.workDirectory = mkdtempSync(join(tmpdir(), 'dead-letter-outage-'));
    this.appDirectory = join(this.workDirectory, 'dead-letters');
    this.blocker = join(this.workDirectory, 'store-unavailable');
    writeFileSync(this.blocker, 'The local runner simulates a dead-letter store outage (--dead-letter-outage); writes fail until it ends.\n');
    this.point(this.realDirectory);
  }

  start(): void {
    this.startedAt = Date.now();
    for (const window of this.windows) {
      this.timers.push(setTimeout(() => this.toggle(true), window.startMs));
      this.timers.push(setTimeout(() => this.toggle(false), window.startMs + window.durationMs));
    }
  }

  get isDown(): boolean {
    return this.open > 0;
  }

  /** Ends any outage and removes the link; the dead letters stay in the real folder. */
  close(): void {
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    rmSync(this.workDirectory, { recursive: true, force: true });
  }

  private toggle(on: boolean): void {
    const wasDown = this.isDown;
    this.open += on ? 1 : -1;
    if (wasDown === this.isDown) return;
    this.events.push({ atMs: Date.now() - this.startedAt, state: this.isDown ? 'start' : 'end' });
    this.point(this.isDown ? this.blocker : this.realDirectory);
  }

  /** rename() over the old link is atomic: a concurrent write sees the folder or the blocker, never nothing. */
  private point(target: string): void {
    const next = `${this.appDirectory}.next`;
    rmSync(next, { force: true });
    symlinkSync(target, next);
    renameSync(next, this.appDirectory);
  }
}
