// The sample building with a sustained condition on rooms (warm: above 15 °C for 5 minutes) and
// staleness on thermostats (15 minutes, and the rooms' average leaves stale ones out): the scenario
// the runner tests drive with an advancing clock, in one process and with instances.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { buildingScenario, tempDir } from '../../e2e/support/runLocal';

const M = 'dtmi:example:building:';

/** A copy of the sample building with the condition and the staleness entry; returns its folder. */
export function conditionScenario(): string {
  const dir = tempDir('conditions-run');
  cpSync(buildingScenario, dir, { recursive: true });
  const addProperties = (file: string, properties: Array<[string, string]>): void => {
    const path = join(dir, 'models', file);
    const model = JSON.parse(readFileSync(path, 'utf8')) as { contents: unknown[] };
    model.contents.push(...properties.map(([name, schema]) => ({ '@type': 'Property', name, schema })));
    writeFileSync(path, JSON.stringify(model));
  };
  addProperties('Room.json', [
    ['overheated', 'boolean'],
    ['overheatedSince', 'dateTime'],
    ['overheatedPending', 'dateTime'],
  ]);
  addProperties('Thermostat.json', [['stale', 'boolean']]);
  const pipeline = readFileSync(join(dir, 'pipeline.yaml'), 'utf8')
    .replace(
      '      childModel: dtmi:example:building:Thermostat;1\n',
      '      childModel: dtmi:example:building:Thermostat;1\n      where: "$not(stale = true)"\n',
    )
    .replace(
      '\ningest:\n',
      `
  conditions:
    - { name: warm, model: "${M}Room;1", when: "temperature > 15", raiseAfter: 300, write: { property: overheated, since: overheatedSince, pending: overheatedPending } }
  staleness:
    - { model: "${M}Thermostat;1", maxAge: 900 }

ingest:
`,
    );
  writeFileSync(join(dir, 'pipeline.yaml'), pipeline);
  return dir;
}
