// `npm run map --twin <stored twin>`: stateful transforms preview against a stored twin document, folded
// as the writer folds them (the total and its input in the patch; a skipped reading named with its reason).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { main, parseMapArgs } from '../../../local/map/cli';

const scenario = join(__dirname, '../../../local/scenarios/energy-meter');

async function mapText(args: string[]): Promise<{ code: number; text: string }> {
  const out: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  try {
    const code = await main(['--scenario', scenario, ...args]);
    return { code, text: out.join('\n') };
  } finally {
    log.mockRestore();
  }
}

it('folds the reading over the stored twin given with --twin: energy by the trapezoid rule, a counter reset', async () => {
  const { code, text } = await mapText(['--message', join(scenario, 'reading.json'), '--twin', join(scenario, 'stored-meter.json')]);
  expect(code).toBe(0);
  // Stored 2 kW at 08:00:00, reading 4 kW at 08:01:00: (2 + 4) / 2 × 60 s = 0.05 kWh onto 10.
  expect(text).toContain('add /energy 10.05');
  expect(text).toContain('add /power 4');
  // 30 pulses after a stored 900: the device reset, the total continues from 5000.
  expect(text).toContain('add /pulseTotal 5030');
  expect(text).toContain('add /pulseCount 30');
  expect(text).toContain('add /$metadata/power/sourceTime "2024-05-01T08:01:00.000Z"');
});

it('names a reading older than the stored state, and writes nothing for it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'map-stateful-'));
  const message = join(dir, 'old.json');
  writeFileSync(
    message,
    JSON.stringify({
      deviceId: 'meter-1',
      enqueuedTime: '2024-05-01T08:00:01.000Z',
      body: { power: 9000, ts: '2024-05-01T07:59:00.000Z' },
    }),
  );
  const { text } = await mapText(['--message', message, '--twin', join(scenario, 'stored-meter.json')]);
  expect(text).toContain('skipped reading of energy at 2024-05-01T07:59:00.000Z (reading-out-of-order)');
  expect(text).not.toContain('add /energy');
});

it('without --twin previews against the scenario twin (no stored reading: the first reading starts the total)', async () => {
  const { text } = await mapText(['--message', join(scenario, 'reading.json')]);
  expect(text).toContain('add /energy 0');
  expect(text).toContain('add /pulseTotal 30');
});

it('refuses --twin without a file, and a document that is not a twin', async () => {
  expect(parseMapArgs(['--message', 'm.json', '--twin'])).toEqual({ error: '--twin needs a twin document (JSON file).' });
  const dir = mkdtempSync(join(tmpdir(), 'map-stateful-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ power: 1 }));
  await expect(main(['--scenario', scenario, '--message', join(scenario, 'reading.json'), '--twin', bad])).rejects.toThrow(
    /--twin needs a twin document with "\$dtId"/,
  );
});
