// Deferred values in a folder: the local runner's store when no Azurite is asked for, as dead letters
// are. Several worker threads (--instances) share the folder, so each read-modify-write holds the
// bucket's lock file (created exclusively) while it compares the version and replaces the file.

import { mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import type { DeferredValuesStore, StoredBucket } from './store';

const lockWaitMs = 5;
const lockAttempts = 2000;
/** A lock older than this was left by a process that died holding it. */
const staleLockMs = 10_000;

export class FolderDeferredValuesStore implements DeferredValuesStore {
  readonly target: string;

  constructor(directory: string) {
    this.target = resolve(directory);
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.target)).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async read(name: string): Promise<StoredBucket> {
    const text = await this.readText(name);
    return { text: text ?? '', version: text };
  }

  write(name: string, text: string, version: string | undefined): Promise<boolean> {
    return this.locked(name, async () => {
      if ((await this.readText(name)) !== version) return false;
      const temporary = `${this.pathOf(name)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(temporary, text, 'utf8');
      await rename(temporary, this.pathOf(name));
      return true;
    });
  }

  remove(name: string, version: string): Promise<boolean> {
    return this.locked(name, async () => {
      if ((await this.readText(name)) !== version) return false;
      await unlink(this.pathOf(name));
      return true;
    });
  }

  private pathOf(name: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`Deferred-values bucket name ${name} is not a plain file name.`);
    return join(this.target, name);
  }

  private async readText(name: string): Promise<string | undefined> {
    try {
      return await readFile(this.pathOf(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private async locked<T>(name: string, work: () => Promise<T>): Promise<T> {
    await mkdir(this.target, { recursive: true });
    const lock = `${this.pathOf(name)}.lock`;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(lock, 'wx');
        await handle.writeFile(String(Date.now()));
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const since = Number(await readFile(lock, 'utf8').catch(() => ''));
        if (Number.isFinite(since) && since > 0 && Date.now() - since > staleLockMs) await unlink(lock).catch(() => undefined);
        if (attempt >= lockAttempts)
          throw new Error(`Deferred-values bucket ${name} in ${this.target} stayed locked; remove ${lock} if no runner is using it.`);
        await new Promise((r) => setTimeout(r, lockWaitMs));
      }
    }
    try {
      return await work();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }
}
