// DRAIN_DEFERRED_SCHEDULE and SWEEP_CONDITIONS_SCHEDULE replace the timers' schedules at registration
// (what the Functions host indexes); unset, the defaults stay (drainDeferredValuesRegistration and
// sweepFunction tests). Set before the function files load, as the host's environment is.
import { join } from 'node:path';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

process.env.DRAIN_DEFERRED_SCHEDULE = ' 0 */5 * * * * ';
process.env.SWEEP_CONDITIONS_SCHEDULE = '00:10:00';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadFunctionApp } = require('../../support/functionsHost') as typeof import('../../support/functionsHost');

afterAll(() => {
  delete process.env.DRAIN_DEFERRED_SCHEDULE;
  delete process.env.SWEEP_CONDITIONS_SCHEDULE;
});

it('registers each timer with the schedule its app setting names', () => {
  const functions = join(__dirname, '../../../functions');
  const registrations = loadFunctionApp([join(functions, 'drainDeferredValues.ts'), join(functions, 'sweepConditions.ts')], {
    hook: false,
  });
  const schedule = (name: string) => Object.values(registrations.get(name)?.metadata.bindings ?? {}).map((b) => b.schedule);
  expect(schedule('drainDeferredValues')).toEqual(['0 */5 * * * *']);
  expect(schedule('sweepConditions')).toEqual(['00:10:00']);
});
