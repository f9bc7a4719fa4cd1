// The benchmark's ADT emulator in a child process of its own: the real service runs elsewhere, so the
// emulator's CPU (TLS, routing, limits, patching, event delivery) must not be charged to the pipeline
// it measures. Requests over IPC: counters, twins, event-delivery stats and idleness, close. The
// child starts with the given options and import file; deliveries to the subscriber endpoints named
// in `forward` are handed to the parent's handler over IPC, and the delivery succeeds or fails (and
// is retried per the endpoint's policy) as that handler does.

import { fork } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { CountersSnapshot } from '../local/emulator/counters';
import type { EventRouterStats, SubscriberEvent } from '../local/emulator/events';
import type { EmulatorOptions } from '../local/emulator/options';
import { startEmulator } from '../local/emulator/server';
import type { TwinDoc } from '../local/emulator/types';

type Verb = 'counters' | 'resetCounters' | 'twins' | 'eventStats' | 'eventsIdle' | 'close';
type Request = { id: number; verb: Verb; ids?: string[] };
type Start = { options: EmulatorOptions; importNdjson?: string; forward?: string[] };
type Reply = { id: number; result?: unknown; error?: string };
/** Child → parent: one delivery attempt; parent → child: its outcome. */
type Delivery = { delivery: number; endpoint: string; event: SubscriberEvent };
type Delivered = { delivered: number; error?: string };

export type DeliveryHandler = (endpoint: string, event: SubscriberEvent) => Promise<void>;

export interface EmulatorProcess {
  url: string;
  ca: string;
  counters(): Promise<CountersSnapshot>;
  resetCounters(): Promise<void>;
  /** The stored twins (all, or the given ids that exist). */
  twins(ids?: string[]): Promise<TwinDoc[]>;
  eventStats(): Promise<EventRouterStats>;
  /** Resolves once every endpoint queue is empty and nothing is in flight. */
  eventsIdle(): Promise<void>;
  close(): Promise<void>;
}

/** One certificate for every emulator of a bench run: generating a key per start costs seconds on a busy machine. */
export const benchCertDir = join(tmpdir(), 'adt-pipeline-bench-cert');

export interface EmulatorProcessOptions {
  /** Subscriber endpoints (declared in options.endpoints) whose deliveries go to `onDelivery`. */
  forward?: string[];
  onDelivery?: DeliveryHandler;
}

/** Starts an emulator in a child process and waits until it listens. */
export function startEmulatorProcess(
  options: EmulatorOptions,
  importNdjson?: string,
  process_: EmulatorProcessOptions = {},
): Promise<EmulatorProcess> {
  const child = fork(join(__dirname, 'emulatorProcess.js'), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, (reply: Reply) => void>();
  let nextId = 1;
  const ask = (verb: Verb, ids?: string[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (reply) => {
        waiting.delete(id);
        if (reply.error) reject(new Error(reply.error));
        else resolve(reply.result);
      });
      child.send({ id, verb, ...(ids && { ids }) } satisfies Request);
    });
  const deliver = (message: Delivery): void => {
    const answer = (error?: string): void =>
      void (child.connected && child.send({ delivered: message.delivery, ...(error !== undefined && { error }) } satisfies Delivered));
    const handler = process_.onDelivery;
    if (!handler) return answer(`No handler for endpoint ${message.endpoint} in the bench process.`);
    handler(message.endpoint, message.event).then(
      () => answer(),
      (error: unknown) => answer(error instanceof Error ? error.message : String(error)),
    );
  };
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`The emulator process exited (code ${code}) before it was ready.`)));
    child.on('message', (message: Reply | Delivery | { ready: { url: string; ca: string } } | { failed: string }) => {
      if ('failed' in message) reject(new Error(`The emulator process could not start: ${message.failed}`));
      else if ('delivery' in message) deliver(message);
      else if ('ready' in message) {
        child.removeAllListeners('exit');
        resolve({
          ...message.ready,
          counters: async () => (await ask('counters')) as CountersSnapshot,
          resetCounters: async () => void (await ask('resetCounters')),
          twins: async (ids) => (await ask('twins', ids)) as TwinDoc[],
          eventStats: async () => (await ask('eventStats')) as EventRouterStats,
          eventsIdle: async () => void (await ask('eventsIdle')),
          close: async () => {
            const exited = new Promise((done) => child.once('exit', done));
            await ask('close');
            await exited;
          },
        });
      } else waiting.get(message.id)?.(message);
    });
    child.send({
      options: { certDir: benchCertDir, ...options },
      importNdjson,
      ...(process_.forward && { forward: process_.forward }),
    } satisfies Start);
  });
}

async function serve(start: Start): Promise<void> {
  const emulator = await startEmulator(start.options);
  if (start.importNdjson) await emulator.importNdjson(start.importNdjson, 'bench import');
  emulator.resetCounters();
  // Each forwarded delivery waits for the parent's outcome: a failure is a failed attempt.
  const outcomes = new Map<number, (error?: string) => void>();
  let nextDelivery = 1;
  for (const endpoint of start.forward ?? []) {
    emulator.events.subscribe(endpoint, (event) => {
      const delivery = nextDelivery++;
      return new Promise<void>((resolve, reject) => {
        outcomes.set(delivery, (error) => (error === undefined ? resolve() : reject(new Error(error))));
        process.send?.({ delivery, endpoint, event } satisfies Delivery);
      });
    });
  }
  process.on('message', (request: Request | Delivered) => {
    if ('delivered' in request) {
      const settle = outcomes.get(request.delivered);
      outcomes.delete(request.delivered);
      settle?.(request.error);
      return;
    }
    const reply = (result?: unknown): void => void (process.connected && process.send?.({ id: request.id, result } satisfies Reply));
    if (request.verb === 'counters') reply(emulator.counters());
    else if (request.verb === 'resetCounters') reply(emulator.resetCounters());
    else if (request.verb === 'twins')
      reply(request.ids ? request.ids.flatMap((id) => emulator.store.twins.get(id) ?? []) : emulator.store.twins.list());
    else if (request.verb === 'eventStats') reply(emulator.events.stats());
    else if (request.verb === 'eventsIdle') void emulator.events.idle().then(() => reply());
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
