// The corpus of bad and tricky inputs (test/fixtures/hostile-inputs.json), each sent through the
// registered ingest function in a batch between two good messages (a case with `via: "http"` is posted
// as one request of three envelopes to the registered HTTP ingest function instead). For every case: the invocation
// succeeds (the batch is not redelivered), both good messages are applied, the case ends exactly as
// the fixture says (applied / filtered / dead-lettered with its reason), and the batch's ledger adds up.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import { createHttpIngestHandler } from '../../../functions/ingestHttp';
import type { TelemetryEnvelope } from '../../../local/runner/envelope';
import { invokeRegistration, triggerBindingOf } from '../../../local/runner/invoke';
import type { RpcInvocationRequest } from '../../../local/runner/rpcTypes';
import type { BatchSummary } from '../../../shared/ingest';
import { capturedProgrammingModel, loadFunctionApp } from '../../support/functionsHost';
import { gzipBomb } from '../../support/gzipBomb';
import { createRoom, events, type IngestApp, ingestApp, type IngestWorld, message, sourceTime, startWorld, twin } from './harness';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

interface Case {
  name: string;
  /** `http`: posted to the HTTP ingest function (the fixture's body is sent inside the envelope's JSON). */
  via?: 'eventHub' | 'http';
  deviceId?: string;
  body?: unknown;
  generate?: Record<string, unknown> & { kind: string };
  messageId?: string;
  properties?: Record<string, string>;
  systemProperties?: Record<string, string>;
  noTwin?: boolean;
  noDevice?: boolean;
  zone?: boolean;
  seedSourceTime?: string;
  /** The two good neighbours come from a custom producer that sets a partition key (their twin ids). */
  neighbourPartitionKeys?: boolean;
  expect: {
    outcome: 'applied' | 'filtered' | 'dead-lettered';
    reason?: string;
    twin?: Record<string, unknown>;
    /** Paths (`property` or `component/property`) the twin must not hold afterwards. */
    absent?: string[];
    twinLength?: Record<string, number>;
    zoneKeys?: Record<string, number>;
    sourceTime?: string;
    telemetry?: number;
    summary?: Record<string, number>;
    bodyKept?: boolean;
    filteredAlso?: boolean;
  };
}

const corpus = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'hostile-inputs.json'), 'utf8')) as Case[];

const zoneModel = {
  '@id': 'dtmi:ingest:Zone;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    {
      '@type': 'Property',
      name: 'setpoints',
      schema: { '@type': 'Map', mapKey: { name: 'zone', schema: 'string' }, mapValue: { name: 'celsius', schema: 'double' } },
    },
  ],
};

function textBytes(encoding: string, json: unknown): Buffer {
  const text = JSON.stringify(json);
  const le = Buffer.from(text, 'utf16le');
  switch (encoding) {
    case 'utf8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
    case 'utf16be-bom':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
    case 'utf16le':
      return le;
    case 'utf16be':
      return Buffer.from(le).swap16();
    case 'base64':
      return Buffer.from(Buffer.from(text, 'utf8').toString('base64'), 'utf8');
    default:
      throw new Error(`unknown encoding ${encoding}`);
  }
}

async function bodyOf(item: Case): Promise<Pick<TelemetryEnvelope, 'body' | 'bodyBase64'>> {
  const g = item.generate;
  if (!g) return { body: item.body };
  const raw = (bytes: Buffer) => ({ bodyBase64: bytes.toString('base64') });
  switch (g.kind) {
    case 'text':
      return raw(textBytes(g.encoding as string, g.json));
    case 'hex':
      return raw(Buffer.from(g.hex as string, 'hex'));
    case 'raw':
      return raw(Buffer.from(g.text as string, 'utf8'));
    case 'compress': {
      const bytes = Buffer.from(JSON.stringify(g.json), 'utf8');
      return raw(g.method === 'gzip' ? gzipSync(bytes) : g.method === 'deflate' ? deflateSync(bytes) : brotliCompressSync(bytes));
    }
    case 'bomb':
      return raw(await gzipBomb(g.mebibytes as number));
    case 'repeat':
      return raw(Buffer.from(JSON.stringify(g.json).replace('{', `{${(g.char as string).repeat(g.count as number)}`), 'utf8'));
    case 'deep':
      return raw(Buffer.from(`${'{"a":'.repeat(g.depth as number)}1${'}'.repeat(g.depth as number)}`, 'utf8'));
    case 'longString':
      return { body: { [g.property as string]: (g.char as string).repeat(g.count as number) } };
    case 'mapKeys':
      return { body: { setpoints: Object.fromEntries(Array.from({ length: g.count as number }, (_, i) => [`k${i}`, i])) } };
    default:
      throw new Error(`unknown generator ${g.kind}`);
  }
}

/** POST /api/telemetry through the registered HTTP function; resolves the batch summary it answers with. */
async function post(envelopes: TelemetryEnvelope[]): Promise<BatchSummary> {
  const registered = loadFunctionApp([join(__dirname, '..', '..', '..', 'functions', 'ingestHttp.ts')], { hook: false }).get('ingestHttp');
  if (!registered) throw new Error('functions/ingestHttp.ts did not register');
  const body = Buffer.from(JSON.stringify(envelopes), 'utf8');
  const request = {
    inputData: [
      {
        name: triggerBindingOf(registered).name,
        data: {
          http: {
            method: 'POST',
            url: 'http://127.0.0.1:7071/api/telemetry',
            headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
            body: { bytes: body },
          },
        },
      },
    ],
    triggerMetadata: {},
  } as unknown as RpcInvocationRequest;
  const handler = createHttpIngestHandler(() => app.runtime, 'functionKey');
  const answer = (await invokeRegistration(
    capturedProgrammingModel() as never,
    { metadata: registered.metadata, callback: handler },
    request,
  )) as { status: number; jsonBody: { summary: BatchSummary } };
  expect(answer.status).toBe(200);
  return answer.jsonBody.summary;
}

let world: IngestWorld;
let app: IngestApp;
const T = '2024-06-01T12:00:00.000Z';

beforeAll(async () => {
  world = await startWorld();
  await world.admin.createModels([zoneModel]);
  await createRoom(world, 'good-a');
  await createRoom(world, 'good-b');
  app = await ingestApp(world, {
    ingest: {
      options: { sourceTime: 'ts' },
      // Makes the partition key each event decodes with visible on its twin (cases with deviceId pk-*).
      rules: [{ name: 'partition-key', match: { deviceId: 'pk-*' }, properties: [{ target: 'label', source: '$partitionKey' }] }],
    },
  });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

it('holds at least 40 cases', () => {
  expect(corpus.length).toBeGreaterThanOrEqual(40);
});

describe.each(corpus.map((item, index) => [item.name, item, index] as const))('%s', (_name, item, index) => {
  it(`ends ${item.expect.outcome}${item.expect.reason ? ` (${item.expect.reason})` : ''}, next to two good messages that are applied`, async () => {
    const deviceId = item.deviceId ?? `case-${index}`;
    if (item.zone) await world.admin.upsertDigitalTwin(deviceId, JSON.stringify({ $metadata: { $model: zoneModel['@id'] } }));
    else if (!item.noTwin && !item.noDevice) await createRoom(world, deviceId);
    if (item.seedSourceTime) {
      await world.admin.updateDigitalTwin(deviceId, [
        { op: 'add', path: '/temperature', value: -1 },
        { op: 'add', path: '/$metadata/temperature/sourceTime', value: item.seedSourceTime },
      ]);
    }
    const good = (twinId: string, value: number) =>
      message(
        twinId,
        { temperature: value, ts: T },
        { messageId: `${twinId}-${index}`, ...(item.neighbourPartitionKeys && { systemProperties: { 'x-opt-partition-key': twinId } }) },
      );
    const poison: TelemetryEnvelope = {
      deviceId,
      enqueuedTime: T,
      ...(await bodyOf(item)),
      ...(item.messageId !== undefined && { messageId: item.messageId }),
      ...(item.properties && { properties: item.properties }),
      systemProperties: { ...item.systemProperties, ...(item.noDevice && { 'iothub-connection-device-id': '' }) },
    };

    // Resolving (not throwing) is what keeps the host from redelivering the batch.
    const batch = [good('good-a', index), poison, good('good-b', index + 0.5)];
    const summary = item.via === 'http' ? await post(batch) : await app.invoke(events(1000 + index * 10, batch), { dataType: 'binary' });

    expect(summary.received).toBe(3);
    expect(summary.applied + summary.filtered + summary.deadLettered).toBe(3);
    expect((await twin(world, 'good-a')).temperature).toBe(index);
    expect((await twin(world, 'good-b')).temperature).toBe(index + 0.5);
    const expected = item.expect;
    const counts = { applied: 2, filtered: 0, deadLettered: 0 };
    if (expected.outcome === 'applied') counts.applied += 1;
    if (expected.outcome === 'filtered') counts.filtered += 1;
    if (expected.outcome === 'dead-lettered') counts.deadLettered += 1;
    expect({ applied: summary.applied, filtered: summary.filtered, deadLettered: summary.deadLettered }).toEqual(counts);

    const letters = (await app.deadLetters()).filter((d) => d.document.sequenceNumber === 1000 + index * 10 + 1);
    if (expected.outcome === 'dead-lettered') {
      expect(summary.deadLetteredByReason).toEqual({ [expected.reason as string]: 1 });
      expect(letters).toHaveLength(1);
      expect(letters[0]?.document.reason).toBe(expected.reason);
      if (expected.bodyKept) expect(letters[0]?.document.body).toEqual({ encoding: 'base64', value: poison.bodyBase64 });
    } else {
      expect(letters).toHaveLength(0);
    }
    if (expected.outcome === 'filtered' && expected.reason === 'stale-source-time') expect(summary.staleValuesSkipped).toBe(1);
    const stored =
      expected.twin || expected.twinLength || expected.sourceTime || expected.zoneKeys || expected.absent
        ? await twin(world, deviceId)
        : undefined;
    for (const [property, value] of Object.entries(expected.twin ?? {})) expect(stored?.[property]).toEqual(value);
    for (const path of expected.absent ?? [])
      expect(path.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], stored)).toBeUndefined();
    for (const [property, length] of Object.entries(expected.twinLength ?? {})) expect((stored?.[property] as string).length).toBe(length);
    for (const [key, value] of Object.entries(expected.zoneKeys ?? {}))
      expect((stored?.setpoints as Record<string, number>)[key]).toBe(value);
    if (expected.sourceTime) expect(stored && sourceTime(stored, 'temperature')).toBe(expected.sourceTime);
    if (expected.telemetry) expect(summary.telemetrySent).toBe(expected.telemetry);
    for (const [field, value] of Object.entries(expected.summary ?? {})) expect(summary[field as keyof typeof summary]).toBe(value);
    // Nothing hostile reached the prototype of plain objects.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).label).toBeUndefined();
  });
});

it('patches Map keys one by one: two devices updating different keys of one twin keep both', async () => {
  await world.admin.upsertDigitalTwin('zone-shared', JSON.stringify({ $metadata: { $model: zoneModel['@id'] } }));
  await app.invoke(events(5000, [message('zone-shared', { setpoints: { north: 18 }, ts: T })]), { dataType: 'binary' });
  await app.invoke(events(5001, [message('zone-shared', { setpoints: { south: 22 }, ts: '2024-06-01T12:00:01.000Z' })]), {
    dataType: 'binary',
  });
  expect((await twin(world, 'zone-shared')).setpoints).toEqual({ north: 18, south: 22 });
});
