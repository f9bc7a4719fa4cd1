// Cold start, each figure from a fresh Node process (nothing cached, nothing compiled yet):
// - require: loading the ingest function's module as the Functions host does when it loads the app;
//   which heavy packages that pulled in says what a cold worker pays for;
// - first invocation: require, then the very first batch through the registered handler — 100
//   messages for 100 twins this process never saw, against an emulator (own process) answering
//   every request after a fixed latency: the model read, the first-touch twin reads and the PATCHes.
//   Nothing of the SDK is loaded before the timed invocation (the offline transport does not load it),
//   so its load counts where a cold worker pays it. The invocation is broken into phases from the
//   times of its ADT requests, with the TCP+TLS connections it opened.

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { HttpClient, HttpOperationResponse, WebResourceLike } from '@azure/core-http';

/** Packages whose load time matters; reported when the require pulled them in. */
const heavyPackages = [
  '@azure/core-http',
  '@azure/digital-twins-core',
  '@azure/identity',
  '@azure/msal-node',
  '@azure/storage-blob',
  '@azure/eventgrid',
  'ajv',
  'yaml',
  'jsonata',
];

export interface RequireMetrics {
  requireMs: number;
  loadedPackages: string[];
}

/** The first invocation by phase (ms from its start), from the times its ADT requests were sent and answered. */
export interface FirstInvocationPhases {
  /** Until the first ADT request left: SDK load, client and worker construction, decoding, planning. */
  beforeFirstRequestMs: number;
  /** First twin read sent → last twin or model read answered (first-touch GETs and the model read). */
  readsMs: number;
  /** Last read answered → first PATCH sent (planning on what the reads returned). */
  readsToWritesMs: number;
  /** First PATCH sent → last PATCH answered. */
  writesMs: number;
  /** Last ADT answer → the invocation returned (telemetry, dead letters, summary). */
  afterLastRequestMs: number;
}

export interface FirstInvocationMetrics {
  requireMs: number;
  firstInvocationMs: number;
  twins: number;
  latencyMs: number;
  applied: number;
  /** Whether the SDK (@azure/digital-twins-core) was already loaded when the timed invocation began; false keeps its load in the figure. */
  sdkLoadedBeforeInvocation: boolean;
  phases: FirstInvocationPhases;
  /** TCP+TLS connections the invocation opened to ADT. */
  connections: number;
  requests: { twinReads: number; twinQueries: number; modelReads: number; patches: number; other: number };
}

type ChildMode = { mode: 'require' } | { mode: 'first'; twins: number; latencyMs: number };

function runChild<T>(mode: ChildMode): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'coldStart.js'), ['--child', JSON.stringify(mode)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let answer: T | undefined;
    child.on('message', (message: { result?: T; error?: string }) => {
      if (message.error) reject(new Error(message.error));
      else answer = message.result;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      answer !== undefined ? resolve(answer) : reject(new Error(`cold-start child (${mode.mode}) exited with code ${code} and no figure`)),
    );
  });
}

export async function measureRequire(runs: number): Promise<{ runs: RequireMetrics[]; medianMs: number }> {
  const results: RequireMetrics[] = [];
  for (let i = 0; i < runs; i++) results.push(await runChild<RequireMetrics>({ mode: 'require' }));
  const sorted = results.map((r) => r.requireMs).sort((a, b) => a - b);
  return { runs: results, medianMs: sorted[Math.floor(sorted.length / 2)] as number };
}

export function measureFirstInvocation(twins: number, latencyMs: number): Promise<FirstInvocationMetrics> {
  return runChild<FirstInvocationMetrics>({ mode: 'first', twins, latencyMs });
}

const functionModule = (): string => join(__dirname, '..', 'functions', 'ingestTelemetry.js');

function loadedHeavyPackages(): string[] {
  const loaded = Object.keys(require.cache);
  return heavyPackages.filter((name) => loaded.some((path) => path.includes(`/node_modules/${name}/`)));
}

/** An IoT Hub batch as @azure/functions hands it to the handler (binary bodies, camel-cased metadata arrays). */
function triggerBatch(twinIds: string[]): { messages: Buffer[]; triggerMetadata: Record<string, unknown> } {
  const now = new Date().toISOString();
  return {
    messages: twinIds.map((_, i) => Buffer.from(JSON.stringify({ temperature: 20 + i / 10, humidity: 40, ts: now }))),
    triggerMetadata: {
      partitionContext: { partitionId: '0' },
      systemPropertiesArray: twinIds.map((id, i) => ({
        'iothub-connection-device-id': id,
        'message-id': `first-${i}`,
        'content-type': 'application/json',
        'content-encoding': 'utf-8',
        'iothub-enqueuedtime': now,
      })),
      enqueuedTimeUtcArray: twinIds.map(() => now.replace('Z', '')),
      sequenceNumberArray: twinIds.map((_, i) => i + 1),
      offsetArray: twinIds.map((_, i) => String(i * 100)),
    },
  };
}

type RequestKind = 'twinRead' | 'twinQuery' | 'modelRead' | 'patch' | 'other';

/** The HTTP client the bench gives the app, recording when each request was sent and answered. */
class RequestTimes implements HttpClient {
  origin = process.hrtime.bigint();
  private readonly sent: Array<{ kind: RequestKind; start: number; end: number }> = [];

  constructor(private readonly inner: HttpClient) {}

  sinceOrigin(): number {
    return Number(process.hrtime.bigint() - this.origin) / 1e6;
  }

  async sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    const start = this.sinceOrigin();
    try {
      return await this.inner.sendRequest(request);
    } finally {
      this.sent.push({ kind: requestKind(request), start, end: this.sinceOrigin() });
    }
  }

  phases(totalMs: number): Pick<FirstInvocationMetrics, 'phases' | 'requests'> {
    const of = (...kinds: RequestKind[]) => this.sent.filter((r) => kinds.includes(r.kind));
    const reads = of('twinRead', 'twinQuery', 'modelRead');
    const patches = of('patch');
    const first = (list: typeof reads) => Math.min(...list.map((r) => r.start));
    const last = (list: typeof reads) => Math.max(...list.map((r) => r.end));
    const readsStart = reads.length > 0 ? first(reads) : 0;
    const readsEnd = reads.length > 0 ? last(reads) : readsStart;
    const writesStart = patches.length > 0 ? first(patches) : readsEnd;
    const writesEnd = patches.length > 0 ? last(patches) : writesStart;
    const lastAnswer = this.sent.length > 0 ? Math.max(...this.sent.map((r) => r.end)) : 0;
    return {
      phases: {
        beforeFirstRequestMs: this.sent.length > 0 ? Math.min(...this.sent.map((r) => r.start)) : totalMs,
        readsMs: readsEnd - readsStart,
        readsToWritesMs: Math.max(0, writesStart - readsEnd),
        writesMs: writesEnd - writesStart,
        afterLastRequestMs: totalMs - lastAnswer,
      },
      requests: {
        twinReads: of('twinRead').length,
        twinQueries: of('twinQuery').length,
        modelReads: of('modelRead').length,
        patches: patches.length,
        other: of('other').length,
      },
    };
  }
}

function requestKind(request: WebResourceLike): RequestKind {
  const path = new URL(request.url).pathname;
  if (request.method === 'GET' && path.startsWith('/models')) return 'modelRead';
  if (request.method === 'GET' && /^\/digitaltwins\/[^/]+$/.test(path)) return 'twinRead';
  if (request.method === 'PATCH' && /^\/digitaltwins\/[^/]+$/.test(path)) return 'patch';
  // The first touch reads the batch's new twins 50 to a query (shared/adt/twinPreload.ts).
  if (request.method === 'POST' && path === '/query') return 'twinQuery';
  return 'other';
}

async function childRequire(): Promise<RequireMetrics> {
  const started = process.hrtime.bigint();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the figure is the time of this require
  require(functionModule());
  const requireMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { requireMs, loadedPackages: loadedHeavyPackages() };
}

async function childFirstInvocation(twins: number, latencyMs: number): Promise<FirstInvocationMetrics> {
  // The world first (not timed): an emulator in its own process holding the twins, app settings as
  // local.settings.json would give them, and the offline credential and transport the runner gives.
  // Loaded here, not at the top: the require figure must not find any of the app's modules cached.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startEmulatorProcess } = require('./emulatorProcess') as typeof import('./emulatorProcess');
  const { fleetImport, deviceId } = require('./fleetTraffic') as typeof import('./fleetTraffic');
  const emulator = await startEmulatorProcess({ faults: { latencyMs, jitterMs: 0 } }, fleetImport(twins));
  const deadLetters = mkdtempSync(join(tmpdir(), 'cold-start-dl-'));
  try {
    process.env.ADT_SERVICE_URL = emulator.url;
    process.env.DEAD_LETTER_DIRECTORY = deadLetters;
    process.env.PIPELINE_CONFIG_PATH = join(deadLetters, 'pipeline.json');
    writeFileSync(process.env.PIPELINE_CONFIG_PATH, JSON.stringify({ ingest: { options: { sourceTime: 'ts' } } }));

    const started = process.hrtime.bigint();
    const { ingestTelemetry } = require(functionModule()) as typeof import('../functions/ingestTelemetry');
    const requireMs = Number(process.hrtime.bigint() - started) / 1e6;
    // What the local host does before the first invocation (not part of the app's cold start).
    const { setAdtClientDefaults } = require('../shared/adt') as typeof import('../shared/adt');
    const { stubCredential, TrustingHttpClient } = require('../local/emulator/trust') as typeof import('../local/emulator/trust');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const httpClient = new TrustingHttpClient(emulator.ca);
    const requests = new RequestTimes(httpClient);
    setAdtClientDefaults({ credential: stubCredential, httpClient: requests });
    const sdkLoadedBeforeInvocation = loadedHeavyPackages().includes('@azure/digital-twins-core');

    const ids = Array.from({ length: twins }, (_, i) => deviceId(i));
    const { messages, triggerMetadata } = triggerBatch(ids);
    let applied = 0;
    const context = {
      triggerMetadata,
      info: (line: string) => (applied = (JSON.parse(line) as { applied?: number }).applied ?? applied),
    } as unknown as Parameters<typeof ingestTelemetry>[1];
    requests.origin = process.hrtime.bigint();
    await ingestTelemetry(messages, context);
    const firstInvocationMs = requests.sinceOrigin();
    httpClient.destroy();
    return {
      requireMs,
      firstInvocationMs,
      twins,
      latencyMs,
      applied,
      sdkLoadedBeforeInvocation,
      ...requests.phases(firstInvocationMs),
      connections: httpClient.connectionsOpened,
    };
  } finally {
    await emulator.close();
    rmSync(deadLetters, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === '--child') {
  const mode = JSON.parse(process.argv[3] ?? '{}') as ChildMode;
  const work = mode.mode === 'require' ? childRequire() : childFirstInvocation(mode.twins, mode.latencyMs);
  work.then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
}
