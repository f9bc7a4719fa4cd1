// The messages between the runner and one function instance (a worker thread). Every request carries
// an id and gets exactly one answer; a crashed instance is detected by the runner from the thread's
// own error/exit events, so a request can never wait for an answer that will not come.
import type { CapturedRegistration } from './functionsHost';
import type { FunctionLogLine } from './invoke';
import type { RpcInvocationRequest } from './rpcTypes';

/** `sweep` is the sweepConditions timer, run on the instance holding its lease (timerLease.ts). */
export type InstanceFunction = 'ingest' | 'propagate' | 'http' | 'sweep';

/** What the runner gives each instance when it starts it (workerData). */
export interface InstanceStart {
  index: number;
  /** App settings, as the host gives every instance of one Function App the same ones. */
  appSettings: Record<string, string>;
  /** The emulator's URL and certificate, or a real instance's URL (DefaultAzureCredential). */
  adt: { kind: 'emulator'; url: string; ca: string } | { kind: 'azure'; url: string };
  /** Tests' advancing clock: one Float64 (ms) the runner keeps current, read by the instance's pipeline. */
  clock?: SharedArrayBuffer;
}

export type ToInstance = { type: 'invoke'; id: number; fn: InstanceFunction; request: RpcInvocationRequest } | { type: 'idle'; id: number };

export interface SerializedError {
  message: string;
  stack?: string;
}

export type FromInstance =
  | {
      type: 'ready';
      ingest: CapturedRegistration['metadata'];
      propagate: CapturedRegistration['metadata'];
      http: CapturedRegistration['metadata'];
      /** The sweepConditions timer's registration (its trigger binding's name). */
      sweep?: CapturedRegistration['metadata'];
    }
  | { type: 'load-failed'; error: SerializedError }
  | { type: 'invoked'; id: number; ok: true; result: unknown; logs: FunctionLogLine[] }
  | { type: 'invoked'; id: number; ok: false; error: SerializedError; logs: FunctionLogLine[] }
  | { type: 'idled'; id: number; hadPending: boolean };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { message: String(error) };
}
