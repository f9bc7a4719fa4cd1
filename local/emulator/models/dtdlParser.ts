// Talks to dtdlParserWorker.mjs: the official DTDL parser is ESM-only WASM, which neither jest (swc → CJS)
// nor our CommonJS build can import directly, so it lives in a lazily started, reused worker thread.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface ParsingError {
  Cause: string;
  Action: string;
  PrimaryID?: string | null;
  ValidationID?: string;
}

/** The parser's verdict: valid, or an explanation in the parser's own words. */
export type ParseOutcome =
  { ok: true } | { ok: false; kind: 'Parsing'; errors: ParsingError[] } | { ok: false; kind: 'Resolution'; undefinedIdentifiers: string[] };

interface WorkerReply {
  id: number;
  ok: boolean;
  exception?: { ExceptionKind?: string; Errors?: ParsingError[]; UndefinedIdentifiers?: string[] };
  failure?: string;
}

const workerFile = 'dtdlParserWorker.mjs';

/**
 * `tsc` does not copy .mjs files, so from dist/local/emulator/models we fall back to the source tree
 * (dist sits at the repository root, next to local/).
 */
export function locateParserWorker(): string {
  const candidates = [
    path.join(__dirname, workerFile),
    path.resolve(__dirname, '..', '..', '..', '..', 'local', 'emulator', 'models', workerFile),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`Cannot find ${workerFile}; looked in ${candidates.join(' and ')}. Copy it next to dtdlParser.js.`);
  return found;
}

export class DtdlParser {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (outcome: ParseOutcome) => void; reject: (error: Error) => void }>();

  /** Parses the documents together (so references between them resolve). */
  parse(docs: unknown[]): Promise<ParseOutcome> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<ParseOutcome>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keep the process alive only while a parse is outstanding; an idle parser must not block exit.
      worker.ref();
      worker.postMessage({ id, dtdl: JSON.stringify(docs) });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new Error('The DTDL parser was closed before it answered.'));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(locateParserWorker());
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (error) => {
      this.worker = undefined;
      this.failAll(new Error(`The DTDL parser worker failed: ${error.message}`));
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error('The DTDL parser worker exited unexpectedly.'));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(reply: WorkerReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.ok) return waiter.resolve({ ok: true });
    const exception = reply.exception;
    if (exception?.ExceptionKind === 'Resolution') {
      return waiter.resolve({ ok: false, kind: 'Resolution', undefinedIdentifiers: exception.UndefinedIdentifiers ?? [] });
    }
    if (exception?.ExceptionKind === 'Parsing') return waiter.resolve({ ok: false, kind: 'Parsing', errors: exception.Errors ?? [] });
    waiter.reject(new Error(`The DTDL parser failed unexpectedly: ${reply.failure ?? JSON.stringify(exception)}`));
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

/** The parser's explanation as one line, for DTDLParserError messages. */
export function explainParseFailure(outcome: Exclude<ParseOutcome, { ok: true }>): string {
  if (outcome.kind === 'Resolution') {
    const ids = outcome.undefinedIdentifiers.join(', ');
    return `the models reference ${ids}, which ${outcome.undefinedIdentifiers.length === 1 ? 'is' : 'are'} neither in this request nor already uploaded. Upload the referenced models first or in the same request`;
  }
  return outcome.errors.map((e) => `${e.Cause} ${e.Action}`.trim()).join(' | ') || 'the DTDL parser rejected the models without details';
}
