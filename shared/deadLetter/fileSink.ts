// Dead letters as files, for the offline runner: same document and name as the blob sink.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import type { DeadLetterDocument } from './document';
import type { DeadLetterSink } from './sink';

export class FileDeadLetterSink implements DeadLetterSink {
  readonly target: string;

  constructor(private readonly directory: string) {
    this.target = resolve(directory);
  }

  async write(name: string, document: DeadLetterDocument): Promise<void> {
    const path = join(this.target, ...name.split('/'));
    if (!path.startsWith(this.target)) throw new Error(`Dead-letter name ${name} escapes ${this.target}.`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(document, null, 2)}\n`, 'utf8');
  }
}
