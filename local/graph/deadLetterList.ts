// The run's dead letters for the page: read from the runner's dead-letter folder (each document once;
// a name is <partition>/<sequence>, so a redelivered batch rewrites the same document), newest first.
import { existsSync } from 'node:fs';

import { type DeadLetterDocument, FileDeadLetterStore } from '../../shared/deadLetter';
import type { DeadLetterView } from './page';

/** A page with thousands of dead letters helps nobody; the folder has them all. */
export const maxDeadLettersShown = 500;

export function deadLetterView(name: string, doc: DeadLetterDocument): DeadLetterView {
  return {
    name,
    reason: doc.reason,
    detail: doc.detail,
    ...(doc.deviceId !== undefined && { deviceId: doc.deviceId }),
    ...(doc.messageId !== undefined && { messageId: doc.messageId }),
    deadLetteredAt: doc.deadLetteredAt,
    rejectedParts: doc.rejectedParts.map((p) => ({ twinId: p.twinId, path: p.path, reason: p.reason, detail: p.detail })),
  };
}

export class DeadLetterFolder {
  private readonly store: FileDeadLetterStore;
  private readonly read = new Map<string, DeadLetterView>();

  constructor(
    readonly directory: string,
    private readonly maxShown = maxDeadLettersShown,
  ) {
    this.store = new FileDeadLetterStore(directory);
  }

  async list(): Promise<{ items: DeadLetterView[]; note?: string }> {
    if (!existsSync(this.directory)) return { items: [] };
    const names = await this.store.list();
    const present = new Set(names);
    for (const name of [...this.read.keys()]) if (!present.has(name)) this.read.delete(name);
    for (const name of names) {
      if (this.read.has(name)) continue;
      try {
        this.read.set(name, deadLetterView(name, (await this.store.read(name)).document));
      } catch {
        // Being written right now (or not a dead letter): the next poll reads it.
      }
    }
    const items = [...this.read.values()].sort((a, b) =>
      String(b.deadLetteredAt) < String(a.deadLetteredAt)
        ? -1
        : String(b.deadLetteredAt) > String(a.deadLetteredAt)
          ? 1
          : a.name < b.name
            ? -1
            : 1,
    );
    const shown = items.slice(0, this.maxShown);
    return {
      items: shown,
      ...(items.length > shown.length && {
        note: `${items.length - shown.length} older dead letters are not shown; all are in ${this.directory}.`,
      }),
    };
  }
}

/** What the graph view lists: the folder's dead letters, or where they are when they are not in a folder (Azurite). */
export function deadLetterListing(target: {
  directory?: string;
  description: string;
}): () => Promise<{ items: DeadLetterView[]; note?: string }> {
  if (!target.directory) return () => Promise.resolve({ items: [], note: `Dead letters are in ${target.description}.` });
  const folder = new DeadLetterFolder(target.directory);
  return () => folder.list();
}
