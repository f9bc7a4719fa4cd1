// What the Functions host receives when the app registers drainDeferredValues (fake functions-core),
// and the thin adapter: no store = no work; with one, a drain run logged as one JSON line.
import { join } from 'node:path';

import { compilePipelineConfig } from '../../../shared/config';
import { FolderDeferredValuesStore } from '../../../shared/ingest';
import { createWorker } from '../../../shared/worker';
import { MemorySink } from '../../support/memorySink';
import { FakePort } from '../adt/fakes';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadFunctionApp } = require('../../support/functionsHost') as typeof import('../../support/functionsHost');

it('registers one timerTrigger every 30 s, not on startup; the handler drains the runtime store and logs the run', async () => {
  const registration = loadFunctionApp([join(__dirname, '../../../functions/drainDeferredValues.ts')], { hook: false }).get(
    'drainDeferredValues',
  );
  expect(Object.values(registration!.metadata.bindings)).toEqual([
    expect.objectContaining({ type: 'timerTrigger', direction: 'in', schedule: '*/30 * * * * *', runOnStartup: false }),
  ]);
  const { drainDeferredValuesHandler } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../../../functions/drainDeferredValues') as typeof import('../../../functions/drainDeferredValues');
  const config = compilePipelineConfig({}, 'test.yaml');
  const without = createWorker({ env: {}, config, port: new FakePort(), deadLetters: new MemorySink(), deferredValues: null });
  const context = { info: jest.fn() };
  expect(await drainDeferredValuesHandler(() => without.ingest)({} as never, context as never)).toBeUndefined();
  const withStore = createWorker({
    env: {},
    config,
    port: new FakePort(),
    deadLetters: new MemorySink(),
    deferredValues: new FolderDeferredValuesStore(join(__dirname, 'no-such-folder')),
  });
  const summary = await drainDeferredValuesHandler(() => withStore.ingest)({} as never, context as never);
  expect(summary).toMatchObject({ event: 'ingest.drain', passes: 1, bucketsHoldingValues: 0, twinsWritten: 0 });
  expect(context.info).toHaveBeenCalledWith(JSON.stringify(summary));
});
