// Runs Microsoft's DTDL parser (.NET WASM via @digicatapult/dtdl-parser, ESM-only) off the main thread.
// Request:  { id: number, dtdl: string }  (a JSON array of interface documents)
// Response: { id, ok: true } | { id, ok: false, exception: object } | { id, ok: false, failure: string }
// Only validity is reported back; the emulator builds its own index (shared/dtdl) from the documents.
import { parentPort } from 'node:worker_threads';

import { getInterop } from '@digicatapult/dtdl-parser';

if (!parentPort) throw new Error('dtdlParserWorker.mjs must be started as a worker_threads Worker.');
const port = parentPort;

// Loading the WASM runtime takes about half a second, so it happens once, on the first request.
let parser;

port.on('message', async ({ id, dtdl }) => {
  try {
    parser ??= await getInterop();
    parser.parse(dtdl);
    port.postMessage({ id, ok: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    let exception;
    try {
      exception = JSON.parse(message);
    } catch {
      exception = undefined;
    }
    if (exception && typeof exception === 'object' && 'ExceptionKind' in exception) port.postMessage({ id, ok: false, exception });
    else port.postMessage({ id, ok: false, failure: message });
  }
});
