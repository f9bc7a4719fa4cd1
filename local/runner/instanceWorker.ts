// One function instance in its own worker thread: its own module registry, so its own gateway,
// caches, budgets and child views, exactly as a separate Functions host process would have. It loads
// the compiled function app through the same fake host as the single-instance runner and answers
// the runner's invoke/idle requests (instanceProtocol.ts).
import { installFakeFunctionsCore } from './functionsHost';
installFakeFunctionsCore();

import { parentPort, workerData } from 'node:worker_threads';

import { processWorkerIdle, setWorkerClock } from '../../shared/worker';
import { type AdtAccess, azureAccess, emulatorAccess } from './adtAccess';
import { type FunctionApp, loadLocalFunctionApp } from './functionApp';
import type { FromInstance, InstanceStart, ToInstance } from './instanceProtocol';
import { serializeError } from './instanceProtocol';
import { type FunctionLogLine, invokeRegistration } from './invoke';

const port = parentPort;
if (!port) throw new Error('instanceWorker.js runs as a worker thread started by the local runner (--instances), not on its own.');
const start = workerData as InstanceStart;

function send(message: FromInstance): void {
  try {
    port!.postMessage(message);
  } catch {
    // A result the structured clone refuses (e.g. a function inside): send its JSON form instead.
    port!.postMessage(JSON.parse(JSON.stringify(message)) as FromInstance);
  }
}

// The runner's advancing clock (tests), shared memory the runner writes before every request.
if (start.clock) {
  const now = new Float64Array(start.clock);
  setWorkerClock({ now: () => now[0] as number, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))) });
}

let app: FunctionApp;
try {
  const access: AdtAccess = start.adt.kind === 'emulator' ? emulatorAccess(start.adt) : azureAccess(start.adt.url);
  app = loadLocalFunctionApp({ appSettings: start.appSettings, adt: access });
  send({
    type: 'ready',
    ingest: app.ingest.metadata,
    propagate: app.propagate.metadata,
    http: app.http.metadata,
    sweep: app.sweep.metadata,
  });
} catch (error) {
  send({ type: 'load-failed', error: serializeError(error) });
  process.exit(1);
}

async function handle(message: ToInstance): Promise<void> {
  if (message.type === 'idle') {
    const { pending, idle } = processWorkerIdle();
    if (pending > 0) await idle();
    send({ type: 'idled', id: message.id, hadPending: pending > 0 });
    return;
  }
  const logs: FunctionLogLine[] = [];
  const registration = app[message.fn];
  try {
    const result = await invokeRegistration(app.programmingModel, registration, message.request, (line) => logs.push(line));
    send({ type: 'invoked', id: message.id, ok: true, result, logs });
  } catch (error) {
    send({ type: 'invoked', id: message.id, ok: false, error: serializeError(error), logs });
  }
}

port.on('message', (message: ToInstance) => void handle(message));
