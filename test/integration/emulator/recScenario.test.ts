// The RealEstateCore scenario (local/scenarios/rec-building): its REC models upload as they are, MATCH
// walks REC's child→parent relationships through the SDK, the runner applies every reading end to end,
// and the pending roll-up rules name only models, relationships and properties the scenario has.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { parseEnvelopes } from '../../../local/runner/envelope';
import { repoRoot, runLocal } from '../../e2e/support/runLocal';
import { createTestClient } from '../../support/emulatorClient';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });
jest.setTimeout(180_000);

const REC = join(repoRoot, 'local', 'scenarios', 'rec-building');
const BRICK_POINT = 'dtmi:org:brickschema:schema:Brick:Point;1';
type Row = Record<string, Record<string, unknown>>;

describe('rec-building in the emulator', () => {
  let emulator: EmulatorHandle;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, scenarioDir: REC });
  });
  afterAll(() => emulator.close());

  test('29 REC/Brick models and 6 extensions upload in one call; 27 twins and 26 relationships import', () => {
    expect(emulator.loaded.models).toMatchObject({ uploaded: 35, calls: 1 });
    expect(emulator.loaded.imports[0]).toMatchObject({ twins: 27, relationships: 26 });
  });

  test("MATCH from the building down REC's incoming isPartOf/isPointOf finds every point, typed by Brick inheritance", async () => {
    const client = createTestClient(emulator);
    const rows: Row[] = [];
    const query = `SELECT r.$dtId AS room, s.$dtId AS sensor FROM DIGITALTWINS MATCH (b)<-[:isPartOf*2]-(r)<-[:isPointOf]-(s)
      WHERE b.$dtId = 'building-rec' AND IS_OF_MODEL(s, 'dtmi:org:brickschema:schema:Brick:Temperature_Sensor;1')`;
    for await (const row of client.queryTwins(query)) rows.push(row as Row);
    expect(rows.map((r) => `${String(r['room'])}:${String(r['sensor'])}`)).toEqual([
      'room-101:temp-101',
      'room-102:temp-102',
      'room-103:temp-103',
      'room-201:temp-201',
      'room-202:temp-202',
      'room-203:temp-203',
    ]);
    let points = 0;
    for await (const _row of client.queryTwins(
      `SELECT s FROM DIGITALTWINS MATCH (b)<-[*3]-(s) WHERE b.$dtId = 'building-rec' AND IS_OF_MODEL(s, '${BRICK_POINT}')`,
    ))
      points++;
    expect(points).toBe(18);
  });
});

test("npm run local --scenario rec-building applies all 54 readings to REC's lastKnownValue and to presentValue", async () => {
  const { summary, dump } = await runLocal({ scenario: REC });
  expect(summary.exitCode).toBe(0);
  expect(summary.stats).toMatchObject({ messagesIn: 54, applied: 54, deadLettered: 0 });
  const path = join(REC, 'telemetry.ndjson');
  const last = new Map<string, unknown>();
  for (const envelope of parseEnvelopes(readFileSync(path, 'utf8'), path))
    last.set(envelope.deviceId, (envelope.body as { value: unknown }).value);
  expect(last.size).toBe(18);
  for (const [device, value] of last) {
    const twin = dump.twins.find((t) => t.$dtId === device) as Record<string, unknown>;
    expect({
      device,
      presentValue: twin['presentValue'],
      lastKnownValue: (twin['lastKnownValue'] as Record<string, unknown>)['value'],
    }).toEqual({ device, presentValue: value, lastKnownValue: value });
  }

  // Derived values up REC's incoming isPointOf / isPartOf, against an independent computation.
  const twins = dump.twins as Array<Record<string, unknown> & { $dtId: string }>;
  const relationships = dump.relationships as Array<{ $relationshipName: string; $sourceId: string; $targetId: string }>;
  const twin = (id: string) => twins.find((t) => t.$dtId === id) as Record<string, unknown>;
  const pointsOf = (room: string, prefix: string) =>
    relationships
      .filter((r) => r.$relationshipName === 'isPointOf' && r.$targetId === room && r.$sourceId.startsWith(prefix))
      .map((r) => last.get(r.$sourceId));
  const partsOf = (parent: string) =>
    relationships.filter((r) => r.$relationshipName === 'isPartOf' && r.$targetId === parent).map((r) => r.$sourceId);
  const avg = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const rooms = twins.filter((t) => t.$dtId.startsWith('room-')).map((t) => t.$dtId);
  expect(rooms).toHaveLength(6);
  for (const room of rooms) {
    expect(twin(room)['temperature']).toBeCloseTo(avg(pointsOf(room, 'temp-') as number[]), 6);
    expect(twin(room)['co2']).toBe(Math.max(...(pointsOf(room, 'co2-') as number[])));
    expect(twin(room)['occupied']).toBe((pointsOf(room, 'occupancy-') as boolean[]).some(Boolean));
  }
  for (const level of ['level-1', 'level-2']) {
    const temps = partsOf(level).map((r) => twin(r)['temperature'] as number);
    expect(twin(level)['avgTemperature']).toBeCloseTo(avg(temps), 6);
    expect(twin(level)['maxTemperature']).toBe(Math.max(...temps));
    expect(twin(level)['occupiedRooms']).toBe(partsOf(level).filter((r) => twin(r)['occupied'] === true).length);
  }
  expect(twin('building-rec')['occupiedRooms']).toBe(
    (twin('level-1')['occupiedRooms'] as number) + (twin('level-2')['occupiedRooms'] as number),
  );
  expect(twin('building-rec')['maxTemperature']).toBe(
    Math.max(twin('level-1')['maxTemperature'] as number, twin('level-2')['maxTemperature'] as number),
  );
});

test('the roll-ups in pipeline.yaml name only models, relationships and properties the scenario defines', () => {
  const models = new Map<string, Record<string, unknown>>();
  for (const file of readdirSync(join(REC, 'models'))) {
    const model = JSON.parse(readFileSync(join(REC, 'models', file), 'utf8')) as Record<string, unknown>;
    models.set(String(model['@id']), model);
  }
  /** Contents of a model and its ancestors, by name. */
  const contents = (id: string): Map<string, Record<string, unknown>> => {
    const model = models.get(id);
    if (!model) throw new Error(`unknown model ${id}`);
    const parents = ([] as unknown[]).concat(model['extends'] ?? []) as string[];
    const own = ((model['contents'] ?? []) as Array<Record<string, unknown>>).map((c) => [String(c['name']), c] as const);
    return new Map([...parents.flatMap((p) => [...contents(p)]), ...own]);
  };
  const { rollups } = parse(readFileSync(join(REC, 'pipeline.yaml'), 'utf8')) as { rollups: { rules: Array<Record<string, unknown>> } };
  expect(rollups.rules).toHaveLength(6);
  for (const rule of rollups.rules) {
    expect({ rule: rule['name'], direction: rule['direction'] }).toEqual({ rule: rule['name'], direction: 'incoming' });
    const child = contents(String(rule['childModel']));
    const parent = contents(String(rule['parentModel']));
    for (const name of rule['relationships'] as string[])
      expect({ rule: rule['name'], relationship: child.get(name)?.['@type'] }).toEqual({
        rule: rule['name'],
        relationship: 'Relationship',
      });
    for (const [target, spec] of Object.entries(rule['properties'] as Record<string, { of?: string }>)) {
      expect({ target, type: parent.get(target)?.['@type'] }).toEqual({ target, type: 'Property' });
      if (spec.of !== undefined) expect({ of: spec.of, type: child.get(spec.of)?.['@type'] }).toEqual({ of: spec.of, type: 'Property' });
    }
  }
});
