// The sweepConditions timer function: registered every minute, not on startup; its handler runs the
// worker's sweep (the propagator's keeper, the one gateway) and logs the sweep's cost. Here through
// a real worker over the emulator, with a twin whose pending duration has elapsed while no message came.
import { join } from 'node:path';

import { startEmulator } from '../../../local/emulator/server';
import { SdkAdtPort } from '../../../shared/adt/sdkPort';
import { parsePipelineConfig } from '../../../shared/config/load';
import { createWorker } from '../../../shared/worker';
import { createTestClient } from '../../support/emulatorClient';
import { manualClock, pipelineYaml, ROOM, roomModel } from './harness';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadFunctionApp } = require('../../support/functionsHost') as typeof import('../../support/functionsHost');

it('registers a one-minute timer; its handler finishes an elapsed duration and reports queries, pending and writes', async () => {
  const registrations = loadFunctionApp([join(__dirname, '../../../functions/sweepConditions.ts')], { hook: false });
  expect(Object.values(registrations.get('sweepConditions')!.metadata.bindings)).toEqual([
    expect.objectContaining({ type: 'timerTrigger', direction: 'in', schedule: '0 */1 * * * *', runOnStartup: false }),
  ]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { sweepConditionsHandler } = require('../../../functions/sweepConditions') as typeof import('../../../functions/sweepConditions');

  const emulator = await startEmulator({});
  try {
    const client = createTestClient(emulator);
    await client.createModels([roomModel]);
    await client.upsertDigitalTwin(
      'r1',
      JSON.stringify({
        $metadata: { $model: ROOM },
        temperature: 27,
        overheated: false,
        heat: 'hot',
        overheatedPending: '2026-01-01T00:00:00.000Z',
      }),
    );
    await client.upsertDigitalTwin('r2', JSON.stringify({ $metadata: { $model: ROOM }, temperature: 27, overheated: false }));
    const clock = manualClock(Date.parse('2026-01-01T00:04:00Z'));
    const worker = createWorker({ config: parsePipelineConfig(pipelineYaml, 'pipeline.yaml'), port: new SdkAdtPort(client), clock });
    const context = { log: jest.fn(), error: jest.fn() };
    const early = await sweepConditionsHandler(() => worker.sweepConditions())({} as never, context as never);
    expect(early).toMatchObject({ queries: 1, pending: 0, written: 0, failures: [] }); // pending for 4 of 5 min: not due, not read
    clock.advance(60_000);
    const due = await sweepConditionsHandler(() => worker.sweepConditions())({} as never, context as never);
    expect(due).toMatchObject({ queries: 1, pages: 1, rows: 1, pending: 1, written: 1, capped: false });
    expect(due.queryUnits).toBeGreaterThanOrEqual(1); // the emulator's query-charge, read from the page
    expect((await client.getDigitalTwin('r1')).body).toMatchObject({ overheated: true, overheatedSince: '2026-01-01T00:05:00.000Z' });
    expect((await client.getDigitalTwin('r2')).body).toMatchObject({ overheated: false }); // no pending: not read, not written
    expect(context.log).toHaveBeenLastCalledWith(
      `Conditions sweep: 1 quer(ies), 1 page(s), 1 row(s), ${due.queryUnits} QU, 1 twin(s) due, 1 written, 0 of 0 found stale marked, 0 failed`,
      due,
    );
    worker.close();
  } finally {
    await emulator.close();
  }
});

it('the worker bounds the sweep by rollups.settings: with sweepMaxRows 1 a run takes one due twin, says capped, and the next run takes the other', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { sweepConditionsHandler } = require('../../../functions/sweepConditions') as typeof import('../../../functions/sweepConditions');
  const emulator = await startEmulator({});
  try {
    const client = createTestClient(emulator);
    await client.createModels([roomModel]);
    for (const id of ['r1', 'r2'])
      await client.upsertDigitalTwin(
        id,
        JSON.stringify({ $metadata: { $model: ROOM }, temperature: 27, overheated: false, overheatedPending: '2026-01-01T00:00:00.000Z' }),
      );
    const clock = manualClock(Date.parse('2026-01-01T00:06:00Z'));
    const config = parsePipelineConfig(pipelineYaml.replace('rollups:\n', 'rollups:\n  settings: { sweepMaxRows: 1 }\n'), 'pipeline.yaml');
    const worker = createWorker({ config, port: new SdkAdtPort(client), clock });
    const context = { log: jest.fn(), error: jest.fn() };
    const first = await sweepConditionsHandler(() => worker.sweepConditions())({} as never, context as never);
    expect(first).toMatchObject({ rows: 1, pending: 1, written: 1, capped: true });
    expect(context.log).toHaveBeenLastCalledWith(expect.stringContaining("(capped: the rest is the next run's), 1 twin(s) due"), first);
    const second = await sweepConditionsHandler(() => worker.sweepConditions())({} as never, context as never);
    expect(second).toMatchObject({ rows: 1, pending: 1, written: 1, capped: false });
    for (const id of ['r1', 'r2']) expect((await client.getDigitalTwin(id)).body).toMatchObject({ overheated: true });
    worker.close();
  } finally {
    await emulator.close();
  }
});
