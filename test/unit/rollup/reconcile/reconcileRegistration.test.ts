// What the Functions host receives when the app registers reconcileTwins (fake functions-core).
import { join } from 'node:path';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../support/functionsHost').fakeFunctionsCore, { virtual: true });

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadFunctionApp } = require('../../../support/functionsHost') as typeof import('../../../support/functionsHost');

describe('reconcileTwins registration', () => {
  it('registers one timerTrigger, daily, not on startup, and the handler runs the reconciler with the invocation log', async () => {
    const registrations = loadFunctionApp([join(__dirname, '../../../../functions/reconcileTwins.ts')], { hook: false });
    const registration = registrations.get('reconcileTwins');
    expect(Object.values(registration!.metadata.bindings)).toEqual([
      expect.objectContaining({ type: 'timerTrigger', direction: 'in', schedule: '0 30 3 * * *', runOnStartup: false }),
    ]);
    const { reconcileTwinsHandler } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../../../functions/reconcileTwins') as typeof import('../../../../functions/reconcileTwins');
    const run = jest.fn(async () => ({
      levels: 1,
      parents: 2,
      written: 1,
      unchanged: 1,
      viaApi: 0,
      failures: [],
      queries: 3,
      durationMs: 5,
    }));
    const context = { info: jest.fn() };
    const summary = await reconcileTwinsHandler(() => ({ run }) as never)({} as never, context as never);
    expect(run).toHaveBeenCalledWith(context);
    expect(summary.written).toBe(1);
  });
});
