// Optional JSON snapshot of the whole instance: loaded at start, written debounced after changes and
// on close. Writes go to a temp file first so a crash never leaves a half-written snapshot.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class Persister<T> {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => T,
    private readonly debounceMs: number,
  ) {}

  /** The saved snapshot, or undefined when the file does not exist yet. */
  load(): T | undefined {
    if (!existsSync(this.file)) return undefined;
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as T;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot read the emulator snapshot ${this.file} (${why}). Fix or delete the file to start empty.`);
    }
  }

  scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, this.debounceMs);
    this.timer.unref();
  }

  save(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(temp, JSON.stringify(this.snapshot()));
    renameSync(temp, this.file);
  }
}
