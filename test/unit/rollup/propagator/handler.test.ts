import { InvocationContext } from '@azure/functions';

import { propagateTwinChangesHandler } from '../../../../functions/propagateTwinChanges';
import { compileRollups, Propagator } from '../../../../shared/rollup';
import { buildingRules } from '../fixtures';
import { MemoryPort } from '../memoryPort';

describe('propagateTwinChanges handler', () => {
  it('the handler logs a malformed event with its reason and resolves (no retry)', async () => {
    const logs: unknown[][] = [];
    const ctx = new InvocationContext({
      functionName: 'propagateTwinChanges',
      logHandler: (level, ...args) => logs.push([level, ...args]),
    });
    const propagator = new Propagator({ compiled: compileRollups(buildingRules), port: new MemoryPort() });
    const summary = await propagateTwinChangesHandler(() => propagator)(
      { specversion: '1.0', id: 'x', type: 'Microsoft.DigitalTwins.Twin.Update' },
      ctx,
    );
    expect(summary).toMatchObject({ outcome: 'malformed', writes: 0 });
    expect(logs).toEqual([
      [
        'warning',
        "Malformed event x dropped, not retried: invalid CloudEvents 1.0 envelope: event is missing required property 'source'",
        summary,
      ],
    ]);
  });
});
