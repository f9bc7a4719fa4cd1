// The real command: `npm run local` builds the app and runs the compiled runner in a child process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { repoRoot, tempDir } from './support/runLocal';

it('npm run local exits 0 and prints the summary and the twin tree', () => {
  const deadLetters = tempDir('cli-dead-letters');
  const dump = join(tempDir('cli-dump'), 'out.json');
  const run = spawnSync('npm', ['run', '--silent', 'local', '--', '--quiet', '--dead-letters', deadLetters, '--dump', dump], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 240_000,
    // Keep a developer's Azurite (if any) out of it: this test wants the folder sink it names.
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
  const out = run.stdout;
  expect(out).toMatch(/^Messages {5}in 300, applied 300, filtered 0, dead-lettered 0$/m);
  expect(out).toMatch(/^Propagation {2}\d+ Event Grid deliveries \(CloudEvents\), [1-9]\d* derived write\(s\)/m);
  expect(out).toMatch(/^Dead letters (folder .*cli-dead-letters|Azurite )/m);
  const tree = out
    .slice(out.indexOf('\nTwins\n') + '\nTwins\n'.length)
    .trimEnd()
    .split('\n');
  expect(tree[0]).toMatch(
    /^building-hq \(Building\) avgTemperature=[\d.]+ maxTemperature=[\d.]+ name="HQ" occupiedRooms=\d+ peopleCount=\d+$/,
  );
  expect(tree).toContainEqual(expect.stringMatching(/^│ {2}│ {2}└─ thermostat-101 \(Thermostat\) .*temperature=[\d.]+$/));
  expect(tree.filter((l) => /(├─|└─) room-\d{3} \(Room\) .*temperature=/.test(l))).toHaveLength(12);
}, 300_000);
