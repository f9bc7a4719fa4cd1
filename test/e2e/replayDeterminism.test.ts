// Same scenario, same telemetry → byte-identical dumps (volatile etags/lastUpdateTimes stripped), and
// the Event Grid schema of the propagate deliveries does not change the outcome.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

it('two replays write identical dumps; an EventGrid-schema replay ends in the same twins', async () => {
  const dir = tempDir('dumps');
  const first = await runLocal({ dump: join(dir, 'first.json') });
  const second = await runLocal({ dump: join(dir, 'second.json') });
  const eventGrid = await runLocal({ dump: join(dir, 'eventgrid.json'), schema: 'EventGrid' });

  const text = (name: string): string => readFileSync(join(dir, name), 'utf8');
  expect(text('second.json')).toBe(text('first.json'));
  expect(text('eventgrid.json')).toBe(text('first.json'));
  expect(first.summary.exitCode).toBe(0);
  expect(eventGrid.summary.schema).toBe('EventGrid');
  expect(eventGrid.summary.stats.propagationWrites).toBeGreaterThan(0);

  const dump = JSON.parse(text('first.json')) as { twins: Record<string, unknown>[]; relationships: unknown[] };
  expect(dump.twins).toHaveLength(46);
  expect(dump.relationships).toHaveLength(second.dump.relationships.length);
  // Nothing volatile survives (see local/runner/snapshot.ts for why sourceTime is among them).
  expect(text('first.json')).not.toMatch(/"\$etag"|lastUpdateTime|sourceTime/);
  expect(dump.twins.find((t) => t.$dtId === 'building-hq')).toMatchObject({
    $metadata: { $model: 'dtmi:example:building:Building;1' },
    peopleCount: expect.any(Number),
  });
}, 240_000);
