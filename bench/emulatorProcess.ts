// The benchmark's ADT emulator in a child process of its own: the real service runs elsewhere, so the
// emulator's CPU (TLS, routing, limits, patching) must not be charged to the pipeline it measures.
// Requests over IPC: counters, close. The child starts with the given options and import file.

import { fork } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { CountersSnapshot } from '../local/emulator/counters';
import type { EmulatorOptions } from '../local/emulator/options';
import { startEmulator } from '../local/emulator/server';

type Request = { id: number; verb: 'counters' | 'resetCounters' | 'close' };
type Start = { options: EmulatorOptions; importNdjson?: string };
type Reply = { id: number; result?: unknown; error?: string };

export interface EmulatorProcess {
  url: string;
  ca: string;
  counters(): Promise<CountersSnapshot>;
  resetCounters(): Promise<void>;
  close(): Promise<void>;
}

/** One certificate for every emulator of a bench run: generating a key per start costs seconds on a busy machine. */
export const benchCertDir = join(tmpdir(), 'adt-pipeline-bench-cert');

/** Starts an emulator in a child process and waits until it listens. */
export function startEmulatorProcess(options: EmulatorOptions, importNdjson?: string): Promise<EmulatorProcess> {
  const child = fork(join(__dirname, 'emulatorProcess.js'), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, (reply: Reply) => void>();
  let nextId = 1;
  const ask = (verb: Request['verb']): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (reply) => (reply.error ? reject(new Error(reply.error)) : resolve(reply.result)));
      child.send({ id, verb } satisfies Request);
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`The emulator process exited (code ${code}) before it was ready.`)));
    child.on('message', (message: Reply | { ready: { url: string; ca: string } } | { failed: string }) => {
      if ('failed' in message) reject(new Error(`The emulator process could not start: ${message.failed}`));
      else if ('ready' in message) {
        child.removeAllListeners('exit');
        resolve({
          ...message.ready,
          counters: async () => (await ask('counters')) as CountersSnapshot,
          resetCounters: async () => void (await ask('resetCounters')),
          close: async () => {
            const exited = new Promise((done) => child.once('exit', done));
            await ask('close');
            await exited;
          },
        });
      } else waiting.get(message.id)?.(message);
    });
    child.send({ options: { certDir: benchCertDir, ...options }, importNdjson } satisfies Start);
  });
}

async function serve(start: Start): Promise<void> {
  const emulator = await startEmulator(start.options);
  if (start.importNdjson) await emulator.importNdjson(start.importNdjson, 'bench import');
  emulator.resetCounters();
  process.on('message', (request: Request) => {
    const reply = (result?: unknown): void => void process.send?.({ id: request.id, result } satisfies Reply);
    if (request.verb === 'counters') reply(emulator.counters());
    else if (request.verb === 'resetCounters') reply(emulator.resetCounters());
    else if (request.verb === 'close') {
      void emulator.close().then(() => {
        reply();
        process.disconnect();
      });
    }
  });
  process.send?.({ ready: { url: emulator.url, ca: emulator.ca } });
}

if (require.main === module && process.argv.includes('--child')) {
  process.once('message', (start: Start) => {
    serve(start).catch((error: unknown) => {
      process.send?.({ failed: error instanceof Error ? error.message : String(error) });
      process.exitCode = 1;
    });
  });
}
