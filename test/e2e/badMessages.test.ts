// A replay with broken messages (invalid JSON, unknown device, wrong type) still completes with exit
// code 0, counts them in the summary and leaves one dead letter per broken message.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { BlobServiceClient } from '@azure/storage-blob';

import { azuriteConnectionString, defaultContainer, startAzurite } from '../../local/runner/deadLetters';
import { buildingScenario, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const badTelemetry = join(buildingScenario, 'bad-telemetry.ndjson');
const goodCount =
  readFileSync(badTelemetry, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '').length - 3;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

interface DeadLetterDoc {
  reason: string;
  messageId?: string;
  deviceId?: string;
  body: { encoding: string; value: unknown };
}

it('counts each broken message and writes its dead letter to the folder sink', async () => {
  const folder = tempDir('dead-letters');
  const { summary } = await runLocal({ telemetry: badTelemetry, deadLetterDirectory: folder });

  expect(summary.exitCode).toBe(0);
  expect(summary.stats.messagesIn).toBe(goodCount + 3);
  expect(summary.stats.applied).toBe(goodCount);
  expect(summary.stats.deadLettered).toBe(3);
  expect(summary.stats.deadLetteredByReason).toEqual({ 'invalid-json': 1, 'unknown-twin': 1, 'transform-failed': 1 });
  expect(summary.deadLetters).toBe(`folder ${folder}`);

  const docs = filesUnder(folder).map((f) => JSON.parse(readFileSync(f, 'utf8')) as DeadLetterDoc);
  const byMessage = Object.fromEntries(docs.map((d) => [d.messageId, d.reason]));
  expect(byMessage).toEqual({
    'bad-invalid-json': 'invalid-json',
    'bad-unknown-device': 'unknown-twin',
    'bad-wrong-type': 'transform-failed',
  });
  // The undecodable body is kept verbatim so it can be inspected and replayed.
  const invalid = docs.find((d) => d.messageId === 'bad-invalid-json');
  expect(invalid?.body.encoding).not.toBe('json');
}, 120_000);

it('writes dead letters to a running Azurite instead of the folder', async () => {
  const azurite = await startAzurite();
  try {
    const { summary } = await runLocal({ telemetry: badTelemetry, azuriteEndpoint: azurite.blobEndpoint });
    expect(summary.exitCode).toBe(0);
    expect(summary.deadLetters).toBe(`Azurite ${azurite.blobEndpoint} container ${defaultContainer}`);
    const container = BlobServiceClient.fromConnectionString(azuriteConnectionString(azurite.blobEndpoint)).getContainerClient(
      defaultContainer,
    );
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat()) names.push(blob.name);
    expect(names).toHaveLength(3);
    const reasons = await Promise.all(
      names.map(async (name) => {
        const text = (await container.getBlobClient(name).downloadToBuffer()).toString('utf8');
        return (JSON.parse(text) as DeadLetterDoc).reason;
      }),
    );
    expect(reasons.sort()).toEqual(['invalid-json', 'transform-failed', 'unknown-twin']);
  } finally {
    await azurite.stop();
  }
}, 120_000);
