// Import-job ndjson and the JSON snapshot round-trip.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator } from '../../../local/emulator/server';
import { createTestClient, rawRequest } from '../../support/emulatorClient';
import { FLOOR, models, restError, ROOM } from './fixtures';

const ndjson = [
  { Section: 'Header' },
  { fileVersion: '1.0.0', author: 'tests', organization: 'example' },
  { Section: 'Models' },
  ...models,
  { Section: 'Twins' },
  { $dtId: 'floor-1', $metadata: { $model: FLOOR }, level: 1 },
  { $dtId: 'room-1', $metadata: { $model: ROOM }, temperature: 19, thermostat: { $metadata: {} } },
  { Section: 'Relationships' },
  { $dtId: 'floor-1', $relationshipId: 'r1', $targetId: 'room-1', $relationshipName: 'contains', since: '2020' },
]
  .map((line) => JSON.stringify(line))
  .join('\n');

describe('import job ndjson', () => {
  it('loads models, twins and relationships at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adt-import-'));
    const file = join(dir, 'import.ndjson');
    writeFileSync(file, ndjson);
    const emulator = await startEmulator({ importFile: file });
    try {
      const client = createTestClient(emulator);
      expect((await client.getDigitalTwin('room-1')).body).toMatchObject({ temperature: 19, $metadata: { $model: ROOM } });
      expect((await client.getRelationship('floor-1', 'r1')).body).toMatchObject({ $targetId: 'room-1', since: '2020' });
      expect((await client.getModel(ROOM)).id).toBe(ROOM);
    } finally {
      await emulator.close();
    }
  });

  it('validates imported twins like the API and names the failing line', async () => {
    const emulator = await startEmulator();
    try {
      const bad = ndjson.replace('"temperature":19', '"temperature":"warm"');
      const res = await rawRequest(emulator, 'POST', '/$admin/import', { auth: false, body: bad });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { code: 'ValidationFailed' } });
      expect((res.json as { error: { message: string } }).error.message).toBe(
        'Import line 10, twin \'room-1\' (model dtmi:test:Room;1): Invalid twin specified (/temperature: expected double but got string "warm").',
      );
      // Nothing from the failed import's twins section before line 10 was rolled back (ADT import jobs are not atomic either).
      expect(emulator.store.twins.has('floor-1')).toBe(true);
      const more = [
        { Section: 'Twins' },
        { $dtId: 'room-2', $metadata: { $model: ROOM }, thermostat: { $metadata: {} } },
        { Section: 'Relationships' },
        { $dtId: 'floor-1', $relationshipId: 'r2', $targetId: 'room-2', $relationshipName: 'contains' },
      ];
      const ok = await rawRequest(emulator, 'POST', '/$admin/import', { auth: false, body: more.map((l) => JSON.stringify(l)).join('\n') });
      expect(ok.json).toEqual({ models: 0, twins: 1, relationships: 1 });
      expect(emulator.store.relationships.get('floor-1', 'r2')?.$targetId).toBe('room-2');
    } finally {
      await emulator.close();
    }
  });
});

describe('persistence', () => {
  it('writes the instance on close and restores it at the next start', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'adt-persist-')), 'state.json');
    const first = await startEmulator({ persistFile: file, importNdjson: ndjson });
    const client = createTestClient(first);
    await client.updateDigitalTwin('room-1', [{ op: 'replace', path: '/temperature', value: 22 }]);
    const before = (await client.getDigitalTwin('room-1')).body as { $etag: string };
    await first.close();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1 });

    const second = await startEmulator({ persistFile: file });
    try {
      const again = createTestClient(second);
      expect((await again.getDigitalTwin('room-1')).body).toEqual(before);
      expect((await again.getRelationship('floor-1', 'r1')).body).toMatchObject({ $targetId: 'room-1' });
      expect((await again.getModel(FLOOR)).id).toBe(FLOOR);
      const error = await restError(again.deleteDigitalTwin('room-1'));
      expect(error.code).toBe('RelationshipsNotDeleted');
    } finally {
      await second.close();
    }
  });
});
