// Dead letters in a folder (the offline runner's sink) read back for replay. The version of a read is
// the file's text: a rewrite or removal first checks the file still holds exactly that text.

import { readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

import type { DeadLetterDocument } from './document';
import { FileDeadLetterSink } from './fileSink';
import { DeadLetterReadError, type DeadLetterStore, parseDeadLetterDocument, serializeDeadLetter, type StoredDeadLetter } from './store';

export class FileDeadLetterStore implements DeadLetterStore {
  readonly target: string;
  private readonly sink: FileDeadLetterSink;

  constructor(directory: string) {
    this.sink = new FileDeadLetterSink(directory);
    this.target = this.sink.target;
  }

  write(name: string, document: DeadLetterDocument): Promise<void> {
    return this.sink.write(name, document);
  }

  async list(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.target, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new Error(`Dead-letter folder ${this.target} does not exist; pass the folder the runner or DEAD_LETTER_DIRECTORY wrote to.`);
      throw error;
    }
    return entries
      .filter((entry) => entry.endsWith('.json'))
      .map((entry) => entry.split(sep).join('/'))
      .sort();
  }

  async read(name: string): Promise<StoredDeadLetter> {
    const text = await this.readText(name);
    if (text === undefined) throw new DeadLetterReadError(name, 'no longer exists.');
    return { name, document: parseDeadLetterDocument(name, text), version: text };
  }

  async rewrite(stored: StoredDeadLetter, document: DeadLetterDocument): Promise<boolean> {
    if ((await this.readText(stored.name)) !== stored.version) return false;
    await writeFile(this.pathOf(stored.name), serializeDeadLetter(document), 'utf8');
    return true;
  }

  async remove(stored: StoredDeadLetter): Promise<boolean> {
    if ((await this.readText(stored.name)) !== stored.version) return false;
    await unlink(this.pathOf(stored.name));
    return true;
  }

  private pathOf(name: string): string {
    const path = resolve(join(this.target, ...name.split('/')));
    const inside = relative(this.target, path);
    if (inside.startsWith('..') || inside === '') throw new Error(`Dead-letter name ${name} escapes ${this.target}.`);
    return path;
  }

  private async readText(name: string): Promise<string | undefined> {
    try {
      return await readFile(this.pathOf(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
