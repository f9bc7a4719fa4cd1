// The CPU path of ingest on one core, against the floor of merely reading the same bodies
// (Buffer.toString + JSON.parse). The figure is the REGISTERED function's path: the handler of
// functions/ingestTelemetry.ts on IoT Hub trigger batches (splitTriggerBatch, decode, createWorker's
// planner, validation, coalescing, the write path through the gateway — stale guard, patch, budgets'
// bookkeeping — telemetry, ledger, summary), with every look-up warm and an in-memory ADT port that
// answers at once; budget waits are skipped (they are ADT's pace, not CPU). No I/O: this is what one
// core can ingest per second; the ratio to the floor says how much the pipeline adds. The mapping
// alone (planIngest with a fixed context: decode + map + validate + coalesce, no gateway, no writes)
// is reported beside it, labelled as that part.

import { fork } from 'node:child_process';

import type { InvocationContext } from '@azure/functions';

import type { AdtPort, JsonPatchOperation, Twin } from '../shared/adt';
import type { Clock } from '../shared/common';
import { compilePipelineConfig } from '../shared/config';
import type { DeadLetterDocument, DeadLetterSink } from '../shared/deadLetter';
import { buildModelIndex, validateValue } from '../shared/dtdl';
import { decodeEvent, type DeviceMessage, planIngest, type RawEvent } from '../shared/ingest';
import { createWorker } from '../shared/worker';
import { roomModelId, testModels } from './fixtures/testModels';

export interface CpuPathMetrics {
  messages: number;
  mapping: CpuPathMapping;
  /** Messages per invocation. */
  batchSize: number;
  floorNsPerMessage: number;
  /** The registered function's handler, per message. */
  pipelineNsPerMessage: number;
  /** pipeline / floor. */
  ratio: number;
  messagesPerSecondPerCore: number;
  /** The mapping-only part (planIngest with a fixed context: no trigger split, gateway, writes, telemetry or ledger). */
  mappingOnlyNsPerMessage: number;
  mappingOnlyRatio: number;
}

/** IoT Hub-shaped events: 2,000 devices, bodies with a device time, system properties as the host sends them. */
export function fleetEvents(count: number, devices = 2000, start = Date.UTC(2024, 5, 1, 12, 0, 0)): RawEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const device = `room-${i % devices}`;
    const ts = new Date(start + i * 10).toISOString();
    return {
      body: Buffer.from(
        JSON.stringify({ temperature: 20 + (i % 50) / 10, humidity: 40 + (i % 7), occupied: i % 3 === 0, co2: 400 + (i % 90), ts }),
      ),
      index: i % 100,
      sequenceNumber: i,
      offset: String(i * 120),
      enqueuedTimeUtc: new Date(start + i * 10 + 5).toISOString().replace('Z', ''),
      systemProperties: {
        'iothub-connection-device-id': device,
        'iothub-connection-auth-method': '{"scope":"device","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}',
        'iothub-connection-auth-generation-id': '638000000000000000',
        'iothub-enqueuedtime': new Date(start + i * 10 + 5).toISOString(),
        'iothub-message-source': 'Telemetry',
        'content-type': 'application/json',
        'content-encoding': 'utf-8',
        'message-id': `m-${i}`,
      },
      properties: {},
    };
  });
}

function floor(events: RawEvent[]): number {
  let sum = 0;
  for (const event of events) sum += Object.keys(JSON.parse((event.body as Buffer).toString('utf8')) as object).length;
  return sum;
}

/** `rules`: one configured rule (3 properties, 1 telemetry field); `model`: the zero-config mapping by the twin's DTDL model. */
export type CpuPathMapping = 'rules' | 'model';

/** An IoT Hub batch as @azure/functions hands it to the handler: binary bodies and the metadata arrays. */
export function triggerInput(events: readonly RawEvent[]): { messages: unknown[]; triggerMetadata: Record<string, unknown> } {
  return {
    messages: events.map((e) => e.body),
    triggerMetadata: {
      partitionContext: { partitionId: '0' },
      systemPropertiesArray: events.map((e) => e.systemProperties),
      propertiesArray: events.map((e) => e.properties),
      enqueuedTimeUtcArray: events.map((e) => e.enqueuedTimeUtc),
      sequenceNumberArray: events.map((e) => e.sequenceNumber),
      offsetArray: events.map((e) => e.offset),
    },
  };
}

/** ADT that answers at once: the twins (one model), every PATCH and telemetry accepted. */
class InstantAdt implements AdtPort {
  patches = 0;
  telemetry = 0;
  private etag = 0;
  constructor(
    private readonly twinIds: ReadonlySet<string>,
    private readonly models: readonly unknown[],
  ) {}
  async getTwin(twinId: string): Promise<{ twin: Twin; etag: string | undefined }> {
    if (!this.twinIds.has(twinId)) throw new Error(`No twin ${twinId} in the CPU-path world.`);
    const etag = `W/"${++this.etag}"`;
    return {
      twin: {
        $dtId: twinId,
        $etag: etag,
        $metadata: { $model: roomModelId },
        sensor: { $metadata: {} },
        temperature: 0,
        humidity: 0,
        occupied: false,
      } as Twin,
      etag,
    };
  }
  async createTwin(): Promise<{ twin: Twin; etag: string | undefined }> {
    throw new Error('The CPU-path world creates no twins.');
  }
  async updateTwin(_twinId: string, _patch: JsonPatchOperation[]): Promise<{ etag: string | undefined }> {
    this.patches++;
    return { etag: `W/"${++this.etag}"` };
  }
  async publishTelemetry(): Promise<void> {
    this.telemetry++;
  }
  async listRelationships(): Promise<never[]> {
    return [];
  }
  async listIncomingRelationships(): Promise<never[]> {
    return [];
  }
  async query(): Promise<unknown[]> {
    return [];
  }
  async getModelsWithDependencies(): Promise<unknown[]> {
    return [...this.models];
  }
}

/** Real time, no waiting: the gateway's budgets keep their books, their waits cost no CPU and are skipped. */
const noWaitClock: Clock = { now: () => Date.now(), sleep: () => Promise.resolve() };

class NoDeadLetters implements DeadLetterSink {
  readonly target = 'none';
  async write(name: string, document: DeadLetterDocument): Promise<void> {
    throw new Error(`CPU path: unexpected dead letter ${name} (${JSON.stringify(document).slice(0, 200)})`);
  }
}

export async function runCpuPath(
  options: { messages?: number; batchSize?: number; rounds?: number; mapping?: CpuPathMapping } = {},
): Promise<CpuPathMetrics> {
  const messages = options.messages ?? 100_000;
  // ≈ the fleet's mean batch at its full shape (2.5 messages per twin).
  const batchSize = options.batchSize ?? 5000;
  const rounds = options.rounds ?? 3;
  const devices = 2000;
  const mapping = options.mapping ?? 'rules';
  const rules = [
    {
      name: 'room',
      properties: [{ target: 'temperature' }, { target: 'humidity' }, { target: 'occupied' }],
      telemetry: [{ fields: ['co2'] }],
    },
  ];
  const config = compilePipelineConfig({ ingest: { options: { sourceTime: 'ts' }, ...(mapping !== 'model' && { rules }) } }, 'bench');
  // Each pass gets readings an hour newer than the last, so the stale guard lets every one through.
  const hour = 3_600_000;
  const eventsAt = (pass: number): RawEvent[] => fleetEvents(messages, devices, Date.UTC(2024, 5, 1, 12, 0, 0) + pass * hour);

  // The registered function: its handler over a worker on instant ADT (loaded here, not at import:
  // the function module registers itself with the host when required).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, see above
  const { createIngestHandler } = require('../functions/ingestTelemetry') as typeof import('../functions/ingestTelemetry');
  const adt = new InstantAdt(new Set(Array.from({ length: devices }, (_, i) => `room-${i}`)), testModels);
  const worker = createWorker({ config, port: adt, deadLetters: new NoDeadLetters(), clock: noWaitClock, env: {} });
  const handler = createIngestHandler(() => worker.ingest);
  let applied = 0;
  const context = { triggerMetadata: {}, info: (line: string) => void (applied += (JSON.parse(line) as { applied: number }).applied) };
  const functionPass = async (events: RawEvent[]): Promise<void> => {
    for (let i = 0; i < events.length; i += batchSize) {
      const { messages: bodies, triggerMetadata } = triggerInput(events.slice(i, i + batchSize));
      context.triggerMetadata = triggerMetadata;
      await handler(bodies, context as unknown as InvocationContext);
    }
  };

  // The mapping-only part, as this bench measured before: planIngest with every look-up a constant.
  const index = buildModelIndex(testModels);
  const fixedContext = { models: (id: string) => index.interface(id), twinModel: () => roomModelId, validateValue };
  const decodeOptions = {
    deviceIdProperties: ['deviceId'],
    moduleIdProperties: ['moduleId'],
    limits: { maxDecodedBytes: 1024 * 1024, maxDepth: 32 },
  };
  const mappingPass = async (events: RawEvent[]): Promise<number> => {
    let planned = 0;
    for (let i = 0; i < events.length; i += batchSize) {
      const batch: DeviceMessage[] = [];
      for (const raw of events.slice(i, i + batchSize)) {
        const decoded = decodeEvent(raw, decodeOptions);
        if (decoded.ok) batch.push(decoded.message);
      }
      const plan = await planIngest(batch, config, fixedContext);
      // Values written plus those a newer value of the batch superseded: every value was planned.
      planned += plan.coalescedValues;
      for (const twin of plan.twinUpdates) planned += twin.updates.length;
    }
    return planned;
  };

  // Warm up (every twin read once, the model loaded, the JIT), and check: a path that refused or
  // dropped values would look fast, so every message must be applied, every twin written, and the
  // mapping must plan every message's three values.
  const warm = eventsAt(0);
  floor(warm);
  await functionPass(warm);
  const expectedPatches = Math.ceil(messages / batchSize) * Math.min(devices, batchSize);
  if (applied !== messages || adt.patches !== expectedPatches)
    throw new Error(
      `CPU path (${mapping}): the function applied ${applied} of ${messages} messages with ${adt.patches} PATCHes (expected ${expectedPatches}).`,
    );
  if (mapping === 'rules' && adt.telemetry !== messages)
    throw new Error(`CPU path (rules): ${adt.telemetry} telemetry messages sent for ${messages} messages.`);
  const planned = await mappingPass(warm);
  if (planned !== messages * 3)
    throw new Error(`CPU path (${mapping}): planned ${planned} property values for ${messages} messages, expected ${messages * 3}.`);

  // Best of `rounds` (least disturbed by the rest of the machine), each on fresh readings.
  let floorNs = Number.POSITIVE_INFINITY;
  let pipelineNs = Number.POSITIVE_INFINITY;
  let mappingNs = Number.POSITIVE_INFINITY;
  for (let round = 1; round <= rounds; round++) {
    const events = eventsAt(round);
    let t = process.hrtime.bigint();
    floor(events);
    floorNs = Math.min(floorNs, Number(process.hrtime.bigint() - t));
    applied = 0;
    t = process.hrtime.bigint();
    await functionPass(events);
    pipelineNs = Math.min(pipelineNs, Number(process.hrtime.bigint() - t));
    if (applied !== messages) throw new Error(`CPU path (${mapping}): round ${round} applied ${applied} of ${messages} messages.`);
    t = process.hrtime.bigint();
    await mappingPass(events);
    mappingNs = Math.min(mappingNs, Number(process.hrtime.bigint() - t));
  }
  return {
    messages,
    mapping,
    batchSize,
    floorNsPerMessage: floorNs / messages,
    pipelineNsPerMessage: pipelineNs / messages,
    ratio: pipelineNs / floorNs,
    messagesPerSecondPerCore: Math.round(1e9 / (pipelineNs / messages)),
    mappingOnlyNsPerMessage: mappingNs / messages,
    mappingOnlyRatio: mappingNs / floorNs,
  };
}
/**
 * The CPU path in a fresh process (the floor measured there too): what a worker's core does, not
 * the heap and JIT state the benchmark's earlier rows left in this process.
 */
export function runCpuPathInFreshProcess(options: { messages: number; mapping: CpuPathMapping }): Promise<CpuPathMetrics> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child', JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let answer: CpuPathMetrics | undefined;
    child.on('message', (message: { result?: CpuPathMetrics; error?: string }) => {
      if (message.error) reject(new Error(message.error));
      else answer = message.result;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      answer ? resolve(answer) : reject(new Error(`CPU path child (${options.mapping}) exited with code ${code} and no figure`)),
    );
  });
}

if (require.main === module && process.argv[2] === '--child') {
  const options = JSON.parse(process.argv[3] ?? '{}') as { messages: number; mapping: CpuPathMapping };
  runCpuPath(options).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
} else if (require.main === module) {
  void runCpuPath({ messages: Number(process.argv[2] ?? 100_000), mapping: process.argv[3] === 'model' ? 'model' : 'rules' }).then((m) => {
    console.log(
      `CPU path (${m.mapping} mapping), ${m.messages} messages in batches of ${m.batchSize}: floor ${(m.floorNsPerMessage / 1000).toFixed(2)} µs/msg, the registered function ${(m.pipelineNsPerMessage / 1000).toFixed(2)} µs/msg (${m.ratio.toFixed(1)}× the floor), ${m.messagesPerSecondPerCore} msg/s per core; mapping only ${(m.mappingOnlyNsPerMessage / 1000).toFixed(2)} µs/msg (${m.mappingOnlyRatio.toFixed(1)}×)`,
    );
  });
}
