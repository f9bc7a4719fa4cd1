// `npm run emulator` with a scenario propagates roll-ups: a twin written into the standalone
// emulator (a replayed dead letter, a script) updates its parents, as in Azure; --no-propagate and
// --pipeline choose otherwise. Without it, replayed dead letters never got their roll-ups.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { propagationPipeline } from '../../../local/emulator/cli';
import { HELP, parseCliArgs } from '../../../local/emulator/cliArgs';
import { startPropagation } from '../../../local/emulator/propagation';
import { startEmulator } from '../../../local/emulator/server';
import { parseReconcileArgs, runReconcileCli } from '../../../local/reconcile/cli';
import { silentLogger } from '../../../shared/rollup';
import { createTestClient } from '../../support/emulatorClient';

jest.setTimeout(60_000);

const BUILDING = join(__dirname, '..', '..', '..', 'local', 'scenarios', 'building');

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const value = async (client: DigitalTwinsClient, twinId: string, property: string): Promise<unknown> =>
  ((await client.getDigitalTwin(twinId)).body as Record<string, unknown>)[property];

it("propagates by default with the scenario's pipeline file; --pipeline names another, --no-propagate turns it off", () => {
  expect(propagationPipeline(parseCliArgs(['--scenario', BUILDING]))).toBe(join(BUILDING, 'pipeline.yaml'));
  expect(propagationPipeline(parseCliArgs(['--scenario', BUILDING, '--no-propagate']))).toBeUndefined();
  expect(propagationPipeline(parseCliArgs(['--scenario', BUILDING, '--pipeline', 'other.yaml']))).toBe('other.yaml');
  expect(propagationPipeline(parseCliArgs([]))).toBeUndefined();
  expect(() => parseCliArgs(['--pipeline', 'x.yaml', '--no-propagate'])).toThrow(/contradict/);
  expect(HELP).toContain('--pipeline <file>');
  expect(HELP).toContain('--no-propagate');
});

it('a thermostat written into the emulator updates its room, floor and building', async () => {
  const emulator = await startEmulator({ port: 0, scenarioDir: BUILDING });
  const cli = parseCliArgs(['--scenario', BUILDING]);
  const propagation = await startPropagation(emulator, {
    pipelineFile: propagationPipeline(cli) as string,
    deadLetterDirectory: mkdtempSync(join(tmpdir(), 'emulator-propagation-dl-')),
    log: silentLogger,
  });
  const client = createTestClient(emulator);
  try {
    expect(propagation.rules).toBeGreaterThan(0);
    // As a dead-letter replay writes it: a plain PATCH of the device twin, nothing else.
    await client.updateDigitalTwin('thermostat-101', [{ op: 'add', path: '/temperature', value: 41.5 }]);
    await until('room-101 to roll up the thermostat', async () => (await value(client, 'room-101', 'temperature')) === 41.5);
    await until('floor-1 to roll up its rooms', async () => (await value(client, 'floor-1', 'maxTemperature')) === 41.5);
    await until('the building to roll up its floors', async () => (await value(client, 'building-hq', 'maxTemperature')) === 41.5);
  } finally {
    propagation.close();
    await emulator.close();
  }
});

it('reconcile reaches a running emulator with --emulator-ca (its CA trusted, any token) and writes what propagation missed', async () => {
  const emulator = await startEmulator({ port: 0, scenarioDir: BUILDING });
  const client = createTestClient(emulator);
  try {
    // Started with --no-propagate: the write reaches the thermostat only.
    await client.updateDigitalTwin('thermostat-101', [{ op: 'add', path: '/temperature', value: 37.25 }]);
    expect(await value(client, 'room-101', 'temperature')).not.toBe(37.25);
    const caFile = join(mkdtempSync(join(tmpdir(), 'emulator-ca-')), 'cert.pem');
    writeFileSync(caFile, emulator.ca);
    const options = parseReconcileArgs([
      '--scenario',
      BUILDING,
      '--adt-url',
      emulator.url,
      '--emulator-ca',
      caFile,
      '--quiet',
      '--dead-letters',
      mkdtempSync(join(tmpdir(), 'reconcile-dl-')),
    ]);
    expect(options.emulatorCa).toBe(caFile);
    const summary = await runReconcileCli(options, () => undefined);
    expect(summary.failures).toEqual([]);
    expect(await value(client, 'room-101', 'temperature')).toBe(37.25);
    await expect(runReconcileCli({ ...options, emulatorCa: join(tmpdir(), 'no-such-ca.pem') }, () => undefined)).rejects.toThrow(
      /--emulator-ca .*no-such-ca\.pem/,
    );
  } finally {
    await emulator.close();
  }
});
