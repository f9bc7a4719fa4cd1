// Replay order and batching: partition by partition, in sequence order (numeric, not by text), batches
// that never mix partitions or repeat a sequence number, and documents without one replayed alone.
import { matchesReasons, replayBatches, replayChunks } from '../../../local/replay/order';
import { type DeadLetterDocument, deadLetterSchema, type StoredDeadLetter } from '../../../shared/deadLetter';

function stored(name: string, fields: Partial<DeadLetterDocument>): StoredDeadLetter {
  const document: DeadLetterDocument = {
    schema: deadLetterSchema,
    reason: 'invalid-json',
    detail: '',
    deadLetteredAt: '2024-01-01T00:00:00.000Z',
    body: { encoding: 'none', value: null },
    properties: {},
    systemProperties: {},
    rejectedParts: [],
    ...fields,
  };
  return { name, document, version: name };
}

it('orders names by partition, then by sequence number as a number; chunks never span partitions', () => {
  const names = ['1/10.json', '0/9.json', '1/9.json', '0/100.json', '0/10.json', '0/m-1.json', '1/11.json'];
  expect(replayChunks(names, 100)).toEqual([
    ['0/9.json', '0/10.json', '0/100.json', '0/m-1.json'],
    ['1/9.json', '1/10.json', '1/11.json'],
  ]);
  expect(replayChunks(names, 2)).toEqual([
    ['0/9.json', '0/10.json'],
    ['0/100.json', '0/m-1.json'],
    ['1/9.json', '1/10.json'],
    ['1/11.json'],
  ]);
  expect(replayChunks([], 5)).toEqual([]);
});

it('splits batches on a partition change or a repeated sequence number, and replays a document without one alone', () => {
  const a = stored('0/1.json', { partitionId: '0', sequenceNumber: 1 });
  const b = stored('0/2.json', { partitionId: '0', sequenceNumber: 2 });
  const c = stored('x/2.json', { partitionId: '0', sequenceNumber: 2 });
  const d = stored('0/m.json', { partitionId: '0' });
  const e = stored('1/3.json', { partitionId: '1', sequenceNumber: 3 });
  const f = stored('1/4.json', { partitionId: '1', sequenceNumber: 4 });
  expect(replayBatches([a, b, c, d, e, f]).map((batch) => batch.map((s) => s.name))).toEqual([
    ['0/1.json', '0/2.json'],
    ['x/2.json'],
    ['0/m.json'],
    ['1/3.json', '1/4.json'],
  ]);
});

it('--reason matches the document reason code; no codes match everything', () => {
  const doc = stored('0/1.json', { reason: 'unknown-twin' });
  expect([matchesReasons(doc, []), matchesReasons(doc, ['unknown-twin', 'x']), matchesReasons(doc, ['invalid-json'])]).toEqual([
    true,
    true,
    false,
  ]);
});
