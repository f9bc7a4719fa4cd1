// --follow tells, as it starts, where its embedded emulator is and which CA certificate it has, and
// with those `npm run reconcile` and `npm run replay-dead-letters` work on the running loop's ADT.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { createEmulatorClient } from '../../local/emulator/trust';
import { parseReconcileArgs, runReconcileCli } from '../../local/reconcile/cli';
import { runReplayCli } from '../../local/replay/runReplay';
import { loadScenario } from '../../local/scenario';
import { httpSink } from '../../local/simulator/sinks';
import { buildingScenario, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const until = async (condition: () => boolean | Promise<boolean>): Promise<void> => {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 50));
};

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
    : [];

it('prints the emulator URL and CA file when --follow starts; reconcile and replay reach the running loop with them', async () => {
  const scenario = loadScenario(buildingScenario);
  const deadLetterDirectory = tempDir('follow-access-dl');
  const abort = new AbortController();
  let emulatorReady!: (info: { url: string; caFile: string }) => void;
  const emulatorInfo = new Promise<{ url: string; caFile: string }>((resolve) => (emulatorReady = resolve));
  let ingressReady!: (url: string) => void;
  const ingress = new Promise<string>((resolve) => (ingressReady = resolve));
  const finished = runLocal({
    follow: true,
    ingressPort: 0,
    signal: abort.signal,
    deadLetterDirectory,
    onEmulator: emulatorReady,
    onIngress: ingressReady,
  });

  const { url, caFile } = await emulatorInfo;
  const ingressUrl = await ingress;
  expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(readFileSync(caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
  const { client, httpClient } = createEmulatorClient({ url, ca: readFileSync(caFile, 'utf8') });
  try {
    // The loop's own telemetry file is applied first.
    await until(async () => typeof ((await client.getDigitalTwin('room-101')).body as Record<string, unknown>).temperature === 'number');

    // reconcile --adt-url --emulator-ca: a wrong derived value on the running loop's ADT is put right.
    const expected = ((await client.getDigitalTwin('thermostat-101')).body as Record<string, unknown>).temperature;
    await client.updateDigitalTwin('room-101', [{ op: 'replace', path: '/temperature', value: 999 }]);
    const summary = await runReconcileCli(
      parseReconcileArgs([
        '--scenario',
        buildingScenario,
        '--adt-url',
        url,
        '--emulator-ca',
        caFile,
        '--dead-letters',
        tempDir('follow-access-rec'),
        '--quiet',
      ]),
      () => undefined,
    );
    expect(summary.failures).toEqual([]);
    expect(summary.written).toBeGreaterThan(0);
    expect(((await client.getDigitalTwin('room-101')).body as Record<string, unknown>).temperature).toBe(expected);

    // replay-dead-letters --adt-url --emulator-ca: a message for a twin that did not exist yet is applied once it does.
    await httpSink(ingressUrl).send([
      {
        deviceId: 'thermostat-999',
        enqueuedTime: '2024-05-01T09:00:00.000Z',
        messageId: 'late-1',
        body: { temperature: 21.5, ts: '2024-05-01T09:00:00.000Z' },
      },
    ]);
    await until(() => filesUnder(deadLetterDirectory).length === 1);
    await client.upsertDigitalTwin('thermostat-999', JSON.stringify({ $metadata: { $model: 'dtmi:example:building:Thermostat;1' } }));
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const output: string[] = [];
    stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const code = await runReplayCli(
      ['--from', deadLetterDirectory, '--adt-url', url, '--emulator-ca', caFile, '--config', scenario.pipelineConfigPath, '--quiet'],
      { env: {}, cwd: process.cwd(), stdout, stderr },
    );
    expect({ code, output: code === 0 ? '' : output.join('') }).toEqual({ code: 0, output: '' });
    expect(((await client.getDigitalTwin('thermostat-999')).body as Record<string, unknown>).temperature).toBe(21.5);
    expect(filesUnder(deadLetterDirectory)).toEqual([]);
  } finally {
    httpClient.destroy();
    abort.abort();
  }
  const result = await finished;
  expect(result.summary.propagationFailures).toEqual([]);
  // The CA file was the run's own and is gone with it.
  expect(existsSync(caFile)).toBe(false);
}, 180_000);

it('reconcile refuses --emulator-ca without the URL of the emulator it belongs to', () => {
  expect(() => parseReconcileArgs(['--emulator-ca', 'ca.pem'])).toThrow('give its URL with --adt-url too');
});
