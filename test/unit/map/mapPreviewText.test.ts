// What `npm run map` prints about rules: a rule that matched and refused every value says so (not
// "none matched"), names the rule by its name and each refused value by its target with the reason;
// an ndjson input with a bad line previews the other lines and reports that one with its number.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describePreview, main, readMessages } from '../../../local/map/cli';
import { ScenarioPreviewer } from '../../../local/map/preview';
import { loadScenario } from '../../../local/scenario';

const building = join(__dirname, '../../../local/scenarios/building');
const envelope = (body: unknown, deviceId = 'thermostat-101'): string =>
  JSON.stringify({ deviceId, enqueuedTime: '2024-05-01T09:00:00Z', body });

async function previewText(body: unknown, deviceId?: string): Promise<string> {
  const previewer = new ScenarioPreviewer(loadScenario(building));
  const [item] = readMessages(envelope(body, deviceId), 'message.json');
  if (!item || !('envelope' in item)) throw new Error('expected an envelope');
  return describePreview(await previewer.preview(item.envelope), 0);
}

it('a rule that matched and refused every value is named, with each value and why', async () => {
  const text = await previewText({ temperature: 200, humidity: 150 });
  expect(text).not.toContain('none matched');
  expect(text).toContain('rule "thermostat" matched, applied nothing — every mapping refused or missing:');
  expect(text).toContain('    temperature: filtered (out-of-range): 200 is above max 85');
  expect(text).toContain('    humidity: filtered (out-of-range): 150 is above max 100');
  expect(text).toContain('    targetTemperature: filtered (missing-value): setpoint is missing');
  // Named by rule and target, not by index, and listed once.
  expect(text).not.toContain('ingest.rules[0]');
});

it('a partly applied rule lists what it applied and what not; dead-lettered values too', async () => {
  const text = await previewText({ temperature: 'warm', humidity: 40, setpoint: 99 });
  expect(text).toContain('rule "thermostat" matched, applied humidity; not applied:');
  expect(text).toContain('    temperature: dead-lettered (transform-failed): round needs a number, got string "warm"');
  expect(text).toContain('    targetTemperature: dead-lettered (out-of-range): 99 is above max 35');
});

it('no rule matching says so, and names the model-driven mapping when it took the message', async () => {
  const text = await previewText({ co2: 600 }, 'airquality-101');
  expect(text).toContain('rules: none matched (mapped by (model))');
  expect(text).toContain('add /co2 600');
});

it('an ndjson file with a bad line previews the rest and reports that line by number (exit code 1)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'map-ndjson-'));
  const file = join(dir, 'messages.ndjson');
  writeFileSync(
    file,
    [envelope({ temperature: 20 }), '{"deviceId": "thermostat-101", "body": {', '', envelope({ temperature: 21 }, 'thermostat-102')].join(
      '\n',
    ),
  );
  const items = readMessages(`${envelope({ temperature: 20 })}\n{"deviceId": 5}\n${envelope({ temperature: 21 })}`, 'm.ndjson');
  expect(items.map((i) => ('envelope' in i ? 'ok' : i.unreadable))).toEqual([
    'ok',
    'm.ndjson:2: field "deviceId" must be a non-empty string.',
    'ok',
  ]);

  const out: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  try {
    await expect(main(['--scenario', building, '--message', file])).resolves.toBe(1);
  } finally {
    log.mockRestore();
  }
  const text = out.join('\n');
  expect(text).toContain(`skipped ${file}:2: not valid JSON`);
  expect(text).toContain('message 1: device thermostat-101');
  expect(text).toContain('message 2: device thermostat-102');
  expect(text).toContain('add /temperature 21');
});
