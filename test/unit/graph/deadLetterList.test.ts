// The page's dead letters come from the run's folder: newest first, each with its reason and the
// values refused; a folder that does not exist yet is no dead letters, and past the limit the page says
// where the rest are.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DeadLetterFolder, deadLetterListing } from '../../../local/graph';
import { buildDeadLetterDocument, FileDeadLetterSink } from '../../../shared/deadLetter';

function document(sequence: number, at: string) {
  return buildDeadLetterDocument({
    reason: 'invalid-value',
    detail: `value ${sequence} out of range`,
    event: { body: { temperature: 999 } },
    partitionId: '0',
    sequenceNumber: sequence,
    deviceId: 'thermostat-101',
    rejectedParts: [{ twinId: 'thermostat-101', path: '/temperature', value: 999, reason: 'out-of-range', detail: 'above 85' }],
    at: new Date(at),
  });
}

it('lists the folder newest first with reasons and refused values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-dl-'));
  const sink = new FileDeadLetterSink(dir);
  await sink.write('0/1.json', document(1, '2024-05-01T10:00:00Z'));
  await sink.write('0/2.json', document(2, '2024-05-01T11:00:00Z'));
  const { items, note } = await new DeadLetterFolder(dir).list();
  expect(note).toBeUndefined();
  expect(items.map((d) => d.name)).toEqual(['0/2.json', '0/1.json']);
  expect(items[0]).toMatchObject({
    reason: 'invalid-value',
    detail: 'value 2 out of range',
    deviceId: 'thermostat-101',
    rejectedParts: [{ twinId: 'thermostat-101', path: '/temperature', reason: 'out-of-range', detail: 'above 85' }],
  });
});

it('past the limit it shows the newest and says where the others are', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-dl-'));
  const sink = new FileDeadLetterSink(dir);
  for (let i = 1; i <= 3; i++) await sink.write(`0/${i}.json`, document(i, `2024-05-01T1${i}:00:00Z`));
  const { items, note } = await new DeadLetterFolder(dir, 2).list();
  expect(items.map((d) => d.name)).toEqual(['0/3.json', '0/2.json']);
  expect(note).toBe(`1 older dead letters are not shown; all are in ${dir}.`);
});

it('a folder not written yet has no dead letters; Azurite is named instead of listed', async () => {
  await expect(new DeadLetterFolder(join(tmpdir(), 'graph-dl-missing-folder')).list()).resolves.toEqual({ items: [] });
  await expect(deadLetterListing({ description: 'Azurite http://127.0.0.1:10000 container dead-letters' })()).resolves.toEqual({
    items: [],
    note: 'Dead letters are in Azurite http://127.0.0.1:10000 container dead-letters.',
  });
});
