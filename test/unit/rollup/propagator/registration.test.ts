// What the Functions host receives when the app registers propagateTwinChanges, captured through a
// fake @azure/functions-core (jest has its own module registry, so the core is mocked, not hooked).
import { join } from 'node:path';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../support/functionsHost').fakeFunctionsCore, { virtual: true });

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadFunctionApp } = require('../../../support/functionsHost') as typeof import('../../../support/functionsHost');

describe('propagateTwinChanges registration', () => {
  it('registers one eventGridTrigger input named propagateTwinChanges, and no outputs', () => {
    const registrations = loadFunctionApp([join(__dirname, '../../../../functions/propagateTwinChanges.ts')], { hook: false });
    const registration = registrations.get('propagateTwinChanges');
    expect(registration).toBeDefined();
    expect(Object.values(registration!.metadata.bindings)).toEqual([
      expect.objectContaining({ type: 'eventGridTrigger', direction: 'in' }),
    ]);
  });
});
