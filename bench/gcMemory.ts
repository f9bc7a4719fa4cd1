// Memory from the garbage collector's own trace, in a fresh process run with --trace-gc: every GC
// line states the heap in use just before it ran, which is where the heap peaks — a sampling timer
// cannot fire while planning runs synchronously and misses exactly that. Two figures:
// - one batch at the host.json ceiling (fleet-shaped: many twins, several messages each), processed
//   with warm caches: the peak heap above the heap before the batch, per message;
// - the twin cache: heap per cached twin (what the stale guard and the deadband keep between
//   batches), a full copy and a guard copy, and the guard tier full of 100,000 portfolio sensors.

import { fork } from 'node:child_process';
import { join } from 'node:path';

import { stubCredential, TrustingHttpClient } from '../local/emulator/trust';
import { AdtGateway, createAdtClient, defaultTwinCacheSize, SdkAdtPort, TwinCache } from '../shared/adt';
import { compilePipelineConfig } from '../shared/config';
import { createIngestPlanner, processBatch } from '../shared/ingest';
import { startEmulatorProcess } from './emulatorProcess';
import { deviceId, fleetImport } from './fleetTraffic';
import { CountingSink } from './ingestBench';

export interface GcMemoryMetrics {
  messages: number;
  twins: number;
  /** Heap in use before the batch (MB, after a full GC). */
  baselineMb: number;
  /** Highest heap in use seen by any GC during the batch, or after it (MB). */
  peakMb: number;
  /** peak - baseline. */
  peakAboveBaselineMb: number;
  bytesPerMessage: number;
  gcsDuringBatch: number;
  /** Heap per twin held by the gateway's twin cache: a full copy, and a guard copy (bytes). */
  twinCacheBytesPerTwin: number;
  guardCopyBytesPerTwin: number;
  /**
   * Issue 25: the guard tier FULL of portfolio sensors (temperature, humidity, occupied, setpoint, their
   * sourceTimes; the values the deadband needs), `guardTierTwins` of them: bytes per twin, and the heap
   * both tiers hold for `activeTwins` (the full tier at its default size, the rest as guard copies).
   */
  guardTierTwins: number;
  portfolioGuardBytesPerTwin: number;
  activeTwins: number;
  activeTwinsCacheMb: number;
}

/** "... Scavenge 45.6 (48.2) -> 44.9 (49.2) MB, ..." → 45.6 (MB in use before that GC). */
export function heapBeforeGc(line: string): number | undefined {
  const match =
    /(?:Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Sweep|Mark-Compact \(reduce\))[^\d]*?([\d.]+) \([\d.]+\) -> [\d.]+ \([\d.]+\) MB/.exec(
      line,
    );
  return match ? Number(match[1]) : undefined;
}

const startMarker = '@@batch-start';
const endMarker = '@@batch-end';

export function measureGcMemory(options: { twins: number; perTwin: number }): Promise<GcMemoryMetrics> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'gcMemory.js'), ['--child', JSON.stringify(options)], {
      execArgv: ['--trace-gc', '--expose-gc'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let partial: Omit<GcMemoryMetrics, 'peakMb' | 'peakAboveBaselineMb' | 'bytesPerMessage' | 'gcsDuringBatch'> | undefined;
    child.on('message', (message: { result?: typeof partial; error?: string }) => {
      if (message.error) reject(new Error(message.error));
      else partial = message.result;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!partial) return reject(new Error(`gc memory child exited with code ${code} and no figure`));
      const lines = output.split('\n');
      const from = lines.findIndex((l) => l.includes(startMarker));
      const to = lines.findIndex((l) => l.includes(endMarker));
      const during = lines.slice(from + 1, to + 2).flatMap((l) => {
        const mb = heapBeforeGc(l);
        return mb === undefined ? [] : [mb];
      });
      const peakMb = Math.max(partial.baselineMb, ...during);
      const total = partial.messages;
      resolve({
        ...partial,
        peakMb,
        peakAboveBaselineMb: peakMb - partial.baselineMb,
        bytesPerMessage: ((peakMb - partial.baselineMb) * 1024 * 1024) / total,
        gcsDuringBatch: during.length,
      });
    });
  });
}

const collect = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapMb = (): number => process.memoryUsage().heapUsed / 1024 / 1024;

async function child(options: { twins: number; perTwin: number }): Promise<void> {
  // The twin cache alone: N twins of the bench's shape, heap after a full GC either side.
  const cacheTwins = 20_000;
  collect();
  const beforeCache = process.memoryUsage().heapUsed;
  const sensorTwin = (i: number) => {
    // As ADT returns it: 7-digit times, a GUID etag.
    const t = `2024-06-01T12:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(7, '0').slice(-7)}Z`;
    return {
      $dtId: deviceId(i),
      $etag: `W/"${i.toString(16).padStart(8, '0')}-0000-0000-0000-000000000000"`,
      $metadata: {
        $model: 'dtmi:bench:Sensor;1',
        $lastUpdateTime: t,
        temperature: { lastUpdateTime: t, sourceTime: t },
        humidity: { lastUpdateTime: t, sourceTime: t },
      },
      temperature: 21.5 + i,
      humidity: 40 + (i % 20),
    };
  };
  const cache = new TwinCache(cacheTwins, 0);
  for (let i = 0; i < cacheTwins; i++) cache.remember(sensorTwin(i), undefined);
  collect();
  const twinCacheBytesPerTwin = (process.memoryUsage().heapUsed - beforeCache) / cacheTwins;
  if (cache.get(deviceId(0)) === undefined) throw new Error('twin cache lost its entries');
  // Guard copies: a full tier of one, so every other twin is demoted.
  collect();
  const beforeGuards = process.memoryUsage().heapUsed;
  const guards = new TwinCache(1, cacheTwins);
  for (let i = 0; i < cacheTwins; i++) guards.remember(sensorTwin(cacheTwins + i), undefined);
  collect();
  const guardCopyBytesPerTwin = (process.memoryUsage().heapUsed - beforeGuards) / cacheTwins;
  if (guards.forWrite(deviceId(cacheTwins))?.guardOnly !== true) throw new Error('guard tier lost its entries');

  // The guard tier at portfolio scale (issue 25): 100,000 sensors whose values the deadband decides on.
  const guardTierTwins = 100_000;
  const portfolioTwin = (i: number) => {
    const t = `2024-06-01T12:${String(i % 60).padStart(2, '0')}:00.${String(i).padStart(7, '0').slice(-7)}Z`;
    const entry = { lastUpdateTime: t, sourceTime: t };
    return {
      $dtId: `sensor-${i}`,
      $etag: `W/"${i.toString(16).padStart(8, '0')}-0000-0000-0000-000000000000"`,
      $metadata: {
        $model: 'dtmi:bench:BuildingSensor;1',
        $lastUpdateTime: t,
        temperature: entry,
        humidity: { ...entry },
        occupied: { ...entry },
        setpoint: { ...entry },
      },
      temperature: 20 + (i % 300) / 100,
      humidity: 30 + (i % 300) / 10,
      occupied: i % 2 === 0,
      setpoint: 21,
    };
  };
  const fullCopy = (() => {
    collect();
    const before = process.memoryUsage().heapUsed;
    const full = new TwinCache(cacheTwins, 0);
    for (let i = 0; i < cacheTwins; i++) full.remember(portfolioTwin(i), undefined);
    collect();
    const bytes = (process.memoryUsage().heapUsed - before) / cacheTwins;
    if (full.get('sensor-0') === undefined) throw new Error('twin cache lost its entries');
    return bytes;
  })();
  collect();
  const beforeTier = process.memoryUsage().heapUsed;
  const tier = new TwinCache(1, guardTierTwins);
  for (let i = 0; i < guardTierTwins + 1; i++) tier.remember(portfolioTwin(i), undefined);
  collect();
  const portfolioGuardBytesPerTwin = (process.memoryUsage().heapUsed - beforeTier) / guardTierTwins;
  if (tier.forWrite('sensor-0')?.twin.temperature !== 20) throw new Error('guard tier lost the values the deadband needs');
  const activeTwins = 100_000;
  const activeTwinsCacheMb =
    (Math.min(activeTwins, defaultTwinCacheSize) * fullCopy +
      Math.max(0, activeTwins - defaultTwinCacheSize) * portfolioGuardBytesPerTwin) /
    1024 /
    1024;

  const emulator = await startEmulatorProcess({ limits: { enabled: false } }, fleetImport(options.twins));
  const httpClient = new TrustingHttpClient(emulator.ca);
  try {
    const config = compilePipelineConfig({ ingest: { options: { sourceTime: 'ts' } } }, 'bench');
    const gateway = new AdtGateway({
      port: new SdkAdtPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient })),
      limits: { patchesPerSecond: 1e6, readsPerSecond: 1e6, telemetryPerSecond: 1e6 },
    });
    const o = config.ingest.options;
    const runtime = {
      gateway,
      deadLetters: new CountingSink(),
      planner: createIngestPlanner(config.ingest, gateway),
      decodeOptions: {
        deviceIdProperties: o.deviceIdProperties,
        moduleIdProperties: o.moduleIdProperties,
        limits: { maxDecodedBytes: o.maxDecodedBytes, maxDepth: o.maxBodyDepth },
      },
      deadlineMs: 240_000,
      write: { maxParallelTwins: o.maxParallelTwins, emitSourceTime: o.emitSourceTime, maxClockSkewSeconds: o.maxClockSkewSeconds },
      partitionId: '0',
    };
    const base = Date.UTC(2024, 5, 1, 12);
    const event = (twin: number, n: number, sequence: number) => {
      const ts = new Date(base + n * 200 + twin).toISOString();
      return {
        index: sequence,
        body: Buffer.from(JSON.stringify({ temperature: n, humidity: 40 + (n % 20), ts })),
        systemProperties: {
          'iothub-connection-device-id': deviceId(twin),
          'message-id': `${deviceId(twin)}-${n}`,
          'content-type': 'application/json',
          'content-encoding': 'utf-8',
          'iothub-enqueuedtime': ts,
        },
        enqueuedTimeUtc: ts.replace('Z', ''),
        sequenceNumber: sequence,
        offset: String(sequence * 100),
      };
    };
    // Warm the caches (models, twins) the way a running worker has them.
    await processBatch(
      Array.from({ length: options.twins }, (_, t) => event(t, 0, t)),
      runtime,
    );
    const events = [];
    for (let n = 1; n <= options.perTwin; n++)
      for (let t = 0; t < options.twins; t++) events.push(event(t, n, events.length + options.twins));
    collect();
    const baselineMb = heapMb();
    console.log(startMarker);
    await processBatch(events, runtime);
    console.log(endMarker);
    collect();
    process.send?.({
      result: {
        messages: events.length,
        twins: options.twins,
        baselineMb,
        twinCacheBytesPerTwin,
        guardCopyBytesPerTwin,
        guardTierTwins,
        portfolioGuardBytesPerTwin,
        activeTwins,
        activeTwinsCacheMb,
      },
    });
  } finally {
    httpClient.destroy();
    await emulator.close();
  }
}

if (require.main === module && process.argv[2] === '--child') {
  child(JSON.parse(process.argv[3] ?? '{}') as { twins: number; perTwin: number }).then(
    () => process.exit(0),
    (error: unknown) =>
      process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
}
