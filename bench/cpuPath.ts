// The CPU path of ingest on one core, against the floor of merely reading the same bodies
// (Buffer.toString + JSON.parse): decode (system properties, body, limits) + map (rule or model
// mapper, model checks) + coalesce, with every ADT look-up answered from memory. No I/O: this is
// what one core can plan per second; the ratio to the floor says how much the pipeline adds.

import { fork } from 'node:child_process';

import { compilePipelineConfig } from '../shared/config';
import { buildModelIndex, validateValue } from '../shared/dtdl';
import { decodeEvent, type DeviceMessage, planIngest, type RawEvent } from '../shared/ingest';
import { roomModelId, testModels } from './fixtures/testModels';

export interface CpuPathMetrics {
  messages: number;
  mapping: CpuPathMapping;
  floorNsPerMessage: number;
  pipelineNsPerMessage: number;
  /** pipeline / floor. */
  ratio: number;
  messagesPerSecondPerCore: number;
}

/** IoT Hub-shaped events: 2,000 devices, bodies with a device time, system properties as the host sends them. */
export function fleetEvents(count: number, devices = 2000): RawEvent[] {
  const start = Date.UTC(2024, 5, 1, 12, 0, 0);
  return Array.from({ length: count }, (_, i) => {
    const device = `room-${i % devices}`;
    const ts = new Date(start + i * 10).toISOString();
    return {
      body: Buffer.from(JSON.stringify({ temperature: 20 + (i % 50) / 10, humidity: 40 + (i % 7), occupied: i % 3 === 0, co2: 400 + (i % 90), ts })),
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

export async function runCpuPath(options: { messages?: number; batchSize?: number; rounds?: number; mapping?: CpuPathMapping } = {}): Promise<CpuPathMetrics> {
  const messages = options.messages ?? 100_000;
  const batchSize = options.batchSize ?? 100;
  const rounds = options.rounds ?? 3;
  const events = fleetEvents(messages);
  const rules = [{ name: 'room', properties: [{ target: 'temperature' }, { target: 'humidity' }, { target: 'occupied' }], telemetry: [{ fields: ['co2'] }] }];
  const config = compilePipelineConfig({ ingest: { options: { sourceTime: 'ts' }, ...(options.mapping !== 'model' && { rules }) } }, 'bench');
  const index = buildModelIndex(testModels);
  const context = { models: (id: string) => index.interface(id), twinModel: () => roomModelId, validateValue };
  const decodeOptions = { deviceIdProperties: ['deviceId'], moduleIdProperties: ['moduleId'], limits: { maxDecodedBytes: 1024 * 1024, maxDepth: 32 } };

  const pipeline = async (): Promise<number> => {
    let planned = 0;
    for (let i = 0; i < events.length; i += batchSize) {
      const batch: DeviceMessage[] = [];
      for (const raw of events.slice(i, i + batchSize)) {
        const decoded = decodeEvent(raw, decodeOptions);
        if (decoded.ok) batch.push(decoded.message);
      }
      const plan = await planIngest(batch, config, context);
      for (const twin of plan.twinUpdates) planned += twin.updates.length;
    }
    return planned;
  };

  // Warm both paths up, then take the best of `rounds` (least disturbed by the rest of the machine).
  floor(events);
  // A path that refused or dropped values would look fast: every message must plan its three values.
  const planned = await pipeline();
  if (planned !== events.length * 3) throw new Error(`CPU path (${options.mapping ?? 'rules'}): planned ${planned} property values for ${events.length} messages, expected ${events.length * 3}.`);
  let floorNs = Number.POSITIVE_INFINITY;
  let pipelineNs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    let t = process.hrtime.bigint();
    floor(events);
    floorNs = Math.min(floorNs, Number(process.hrtime.bigint() - t));
    t = process.hrtime.bigint();
    await pipeline();
    pipelineNs = Math.min(pipelineNs, Number(process.hrtime.bigint() - t));
  }
  return {
    messages,
    mapping: options.mapping ?? 'rules',
    floorNsPerMessage: floorNs / messages,
    pipelineNsPerMessage: pipelineNs / messages,
    ratio: pipelineNs / floorNs,
    messagesPerSecondPerCore: Math.round(1e9 / (pipelineNs / messages)),
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
    child.once('exit', (code) => (answer ? resolve(answer) : reject(new Error(`CPU path child (${options.mapping}) exited with code ${code} and no figure`))));
  });
}

if (require.main === module && process.argv[2] === '--child') {
  const options = JSON.parse(process.argv[3] ?? '{}') as { messages: number; mapping: CpuPathMapping };
  runCpuPath(options).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
} else if (require.main === module) {
  void runCpuPath({ messages: Number(process.argv[2] ?? 100_000), mapping: process.argv[3] === 'model' ? 'model' : 'rules' }).then((m) => {
    console.log(`CPU path (${m.mapping} mapping), ${m.messages} messages: floor ${(m.floorNsPerMessage / 1000).toFixed(2)} µs/msg, pipeline ${(m.pipelineNsPerMessage / 1000).toFixed(2)} µs/msg (${m.ratio.toFixed(1)}× the floor), ${m.messagesPerSecondPerCore} msg/s per core`);
  });
}
