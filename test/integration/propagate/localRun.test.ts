// `npm run local` in-process on the sample building plus a floor no device ever reports under
// (one room without devices, one with a silent occupancy sensor), with query lag on and 16
// concurrent Event Grid deliveries: every derived value exists, topology-only ones included, and
// equals the independent computation from the telemetry file.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseEnvelopes } from '../../../local/runner/envelope';
import type { RunResult } from '../../../local/runner/runScenario';
import { expectedFromTelemetry } from '../../e2e/support/expectedValues';
import { buildingScenario, runLocal, tempDir } from '../../e2e/support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const M = 'dtmi:example:building:';

/** The building scenario with floor-4: room-401 (no devices) and room-402 (a silent occupancy sensor). */
function scenarioWithQuietFloor(): string {
  const dir = tempDir('quiet-floor');
  cpSync(buildingScenario, dir, { recursive: true });
  const lines = readFileSync(join(dir, 'graph.ndjson'), 'utf8').trimEnd().split('\n');
  const at = lines.indexOf('{"Section":"Relationships"}');
  const twins = [
    { $dtId: 'floor-4', $metadata: { $model: `${M}Floor;1` }, name: 'Floor 4', level: 4 },
    { $dtId: 'room-401', $metadata: { $model: `${M}Room;1` }, name: 'Room 401' },
    { $dtId: 'room-402', $metadata: { $model: `${M}Room;1` }, name: 'Room 402' },
    { $dtId: 'occupancy-402', $metadata: { $model: `${M}OccupancySensor;1` } },
  ];
  const rels = [
    ['building-hq', 'hasFloor', 'floor-4'],
    ['floor-4', 'hasRoom', 'room-401'],
    ['floor-4', 'hasRoom', 'room-402'],
    ['room-402', 'hasDevice', 'occupancy-402'],
  ].map(([s, n, t]) => ({ $dtId: s, $relationshipId: `${n}-${t}`, $targetId: t, $relationshipName: n }));
  lines.splice(at, 0, ...twins.map((t) => JSON.stringify(t)));
  lines.push(...rels.map((r) => JSON.stringify(r)));
  writeFileSync(join(dir, 'graph.ndjson'), `${lines.join('\n')}\n`);
  return dir;
}

const telemetryPath = join(buildingScenario, 'telemetry.ndjson');
const expected = expectedFromTelemetry(parseEnvelopes(readFileSync(telemetryPath, 'utf8'), telemetryPath));
let result: RunResult;
const twin = (id: string): Record<string, unknown> => {
  const found = result.dump.twins.find((t) => t.$dtId === id);
  if (!found) throw new Error(`twin ${id} missing from the dump`);
  return found;
};

beforeAll(async () => {
  result = await runLocal({
    scenario: scenarioWithQuietFloor(),
    telemetry: telemetryPath,
    deliveries: 16,
    queryLag: { lagMs: 200, jitterMs: 100 },
  });
}, 180_000);

it('ends quiet with exit code 0 after reconciling the seeded graph', () => {
  expect(result.summary.exitCode).toBe(0);
  expect(result.summary.propagationFailures).toEqual([]);
  expect(result.summary.reconcile).toMatchObject({ levels: 3, failures: [] });
  expect(result.summary.reconcile!.written).toBeGreaterThan(0);
});

it('parents whose values come only from topology have them: counts 0, nothing averaged', () => {
  expect(twin('floor-4')).toMatchObject({ occupiedRooms: 0 });
  expect(twin('floor-4')).not.toHaveProperty('avgTemperature');
  expect(twin('room-401')).not.toHaveProperty('temperature');
  expect(twin('building-hq').occupiedRooms).toBe(expected.twins.get('building-hq')?.occupiedRooms);
});

it('every other derived value equals the independent computation from the telemetry', () => {
  for (const [id, values] of expected.twins) {
    const t = twin(id);
    for (const [property, value] of Object.entries(values)) {
      if (typeof value === 'boolean') expect({ id, property, value: t[property] }).toEqual({ id, property, value });
      else expect({ id, property, close: Math.abs((t[property] as number) - value) < 1e-6 }).toEqual({ id, property, close: true });
    }
  }
});
