// Reconcile against the emulator with query lag on: a graph that existed before the pipeline
// (no notification ever fired) gets every derived value, level by level, equal to a computation
// by hand; values that come only from topology (counts, empty values) included; a second run
// writes nothing.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { parseReconcileArgs, runReconcileCli } from '../../../local/reconcile/cli';
import { FileDeadLetterSink } from '../../../shared/deadLetter';
import { reconcileGraph } from '../../../shared/rollup';
import { pipelineRollups } from '../../../shared/worker';
import { createTestClient } from '../../support/emulatorClient';
import { createTwin, relate, withQuantitativeTypes } from './harness';

const scenario = join(__dirname, '../../../local/scenarios/building');
const LAG = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('reconcile', () => {
  let emulator: EmulatorHandle;
  let client: DigitalTwinsClient;
  const models = readdirSync(join(scenario, 'models')).map((f) =>
    withQuantitativeTypes(JSON.parse(readFileSync(join(scenario, 'models', f), 'utf8')) as Record<string, unknown>),
  );
  const run = () =>
    reconcileGraph({
      client,
      ...pipelineRollups(join(scenario, 'pipeline.yaml'), models),
      models,
      deadLetters: new FileDeadLetterSink(mkdtempSync(join(tmpdir(), 'reconcile-dl-'))),
    });
  const twin = async (id: string) => (await client.getDigitalTwin(id)).body as Record<string, unknown>;

  beforeAll(async () => {
    emulator = await startEmulator({ queryLag: { lagMs: LAG } });
    client = createTestClient(emulator);
    await client.createModels(models);
    // building → f1 (2 rooms), f2 (1 room without devices), f3 (no rooms).
    await createTwin(client, 'bldg', 'Building');
    for (const f of ['f1', 'f2', 'f3']) {
      await createTwin(client, f, 'Floor');
      await relate(client, 'bldg', 'hasFloor', f);
    }
    for (const [room, floor] of [
      ['f1r1', 'f1'],
      ['f1r2', 'f1'],
      ['f2r1', 'f2'],
    ] as const) {
      await createTwin(client, room, 'Room');
      await relate(client, floor, 'hasRoom', room);
    }
    const devices: [string, string, string, Record<string, unknown>][] = [
      ['t1', 'Thermostat', 'f1r1', { temperature: 20 }],
      ['t2', 'Thermostat', 'f1r1', { temperature: 24 }],
      ['o1', 'OccupancySensor', 'f1r1', { occupied: true, peopleCount: 3 }],
      ['t3', 'Thermostat', 'f1r2', {}],
      ['o2', 'OccupancySensor', 'f1r2', { occupied: false, peopleCount: 0 }],
    ];
    for (const [id, model, room, props] of devices) {
      await createTwin(client, id, model, props);
      await relate(client, room, 'hasDevice', id);
    }
    // A real instance's query index needs the lag to see the new graph; so does reconcile.
    await sleep(LAG + 100);
  }, 60_000);
  afterAll(() => emulator.close());

  it('computes every derived value from the graph, level by level, despite the query lag', async () => {
    const summary = await run();
    expect(summary).toMatchObject({ levels: 3, failures: [] });
    // Worked by hand from the graph above and the scenario's rules:
    expect(await twin('f1r1')).toMatchObject({ temperature: 22, occupied: true, peopleCount: 3 });
    expect(await twin('f1r2')).toMatchObject({ occupied: false, peopleCount: 0 });
    expect(await twin('f1r2')).not.toHaveProperty('temperature');
    expect(await twin('f1')).toMatchObject({ avgTemperature: 22, maxTemperature: 22, peopleCount: 3, occupiedRooms: 1 });
    // Floors whose rooms never report: only topology gives them a value (count → 0).
    expect(await twin('f2')).toMatchObject({ occupiedRooms: 0 });
    expect(await twin('f3')).toMatchObject({ occupiedRooms: 0 });
    expect(await twin('f2')).not.toHaveProperty('peopleCount');
    // The building reads floor values this same run wrote, which the lagging index cannot show yet.
    expect(await twin('bldg')).toMatchObject({ avgTemperature: 22, maxTemperature: 22, peopleCount: 3, occupiedRooms: 1 });
    expect(summary.written).toBe(6); // f1r1, f1r2, f1, f2, f3, bldg
  });

  it('a second run (after the lag) finds everything right and writes nothing', async () => {
    await sleep(LAG + 100);
    const summary = await run();
    expect(summary).toMatchObject({ written: 0, failures: [] });
    expect(summary.unchanged).toBe(summary.parents);
  });

  it('the CLI seeds a scenario offline and reconciles it, level by level with progress', async () => {
    const lines: string[] = [];
    const summary = await runReconcileCli(
      parseReconcileArgs(['--scenario', scenario, '--dead-letters', mkdtempSync(join(tmpdir(), 'reconcile-cli-'))]),
      (l) => lines.push(l),
    );
    expect(summary).toMatchObject({ levels: 3, failures: [] });
    expect(summary.written).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^Seeded building into an in-process emulator/);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^level 3\/3 building: 1\/1$/)]));
    expect(() => parseReconcileArgs(['--nope'])).toThrow();
  });
});
