// The emulator's Jobs API (/jobs/imports, /jobs/deletions) with blobs in Azurite, driven by the
// project's jobs client (shared/adt AdtJobsClient) and the seed's bulk path (local/seed): final
// twin/relationship state, the status lifecycle, the output log, cancel, failures and delete jobs.
import type { ContainerClient } from '@azure/storage-blob';

import { type EmulatorHandle, startEmulator, stubCredential, TrustingHttpClient } from '../../../local/emulator';
import { emulatorAccess } from '../../../local/runner/adtAccess';
import { loadScenario } from '../../../local/scenario';
import { bulkSeed, ImportJobFailedError, parseImportLog } from '../../../local/seed/bulkSeed';
import { generatePortfolio } from '../../../local/seed/portfolio';
import { runBulkSeed } from '../../../local/seed/run';
import { type ImportStorage, importStorage } from '../../../local/seed/storage';
import { AdtJobsClient, AdtRequestError } from '../../../shared/adt';
import { type AzuriteBlob, startAzuriteBlob } from '../../support/azurite';
import { createTestClient, rawRequest } from '../../support/emulatorClient';

const scenario = loadScenario('local/scenarios/building');
const fast = { minRequestIntervalMs: 0 };

let azurite: AzuriteBlob;
beforeAll(async () => {
  azurite = await startAzuriteBlob();
});
afterAll(async () => {
  await azurite.stop();
});

async function withEmulator(
  jobs: NonNullable<Parameters<typeof startEmulator>[0]>['jobs'],
  run: (emulator: EmulatorHandle) => Promise<void>,
): Promise<void> {
  // The Jobs API's 1 request/s is exercised in its own test; elsewhere it would only slow the suite.
  const emulator = await startEmulator({
    jobs: { storageConnectionString: azurite.connectionString, ...jobs },
    limits: { jobRequestsPerSecond: 1000 },
  });
  try {
    await run(emulator);
  } finally {
    await emulator.close();
  }
}

function jobsClient(
  emulator: EmulatorHandle,
  options: Partial<ConstructorParameters<typeof AdtJobsClient>[0]> = {},
): { jobs: AdtJobsClient; close(): void } {
  const httpClient = new TrustingHttpClient(emulator.ca);
  const jobs = new AdtJobsClient({
    url: emulator.url,
    credential: stubCredential,
    httpClient,
    ...fast,
    retry: { baseDelayMs: 20, maxAttempts: 5 },
    ...options,
  });
  return { jobs, close: () => httpClient.destroy() };
}

async function storage(prefix: string): Promise<ImportStorage> {
  return importStorage(azurite.connectionString, { input: `${prefix}-in`, logs: `${prefix}-out` }, () => stubCredential);
}

async function blobText(container: ContainerClient, name: string): Promise<string> {
  return (await container.getBlobClient(name).downloadToBuffer()).toString('utf8');
}

async function upload(store: ImportStorage, name: string, text: string): Promise<{ input: string; output: string }> {
  const blob = store.input.getBlockBlobClient(name);
  await blob.uploadData(Buffer.from(text));
  return { input: blob.url, output: store.logs.getAppendBlobClient(`${name}_output.txt`).url };
}

describe('emulator Jobs API with Azurite', () => {
  it('bulk-seeds a 200-twin portfolio: every twin, relationship and value, the lifecycle and the log', async () => {
    await withEmulator({}, async (emulator) => {
      const created: string[] = [];
      const untap = emulator.events.tap((n) => {
        if (n.type === 'Microsoft.DigitalTwins.Twin.Create') created.push(String(n.subject));
      });
      const client = createTestClient(emulator);
      const access = emulatorAccess(emulator);
      const result = await runBulkSeed(client, access, scenario, {
        storage: azurite.connectionString,
        container: 'seed-in',
        logContainer: 'seed-out',
        portfolio: 200,
        jobId: 'seed-200',
        wait: { pollMs: 20 },
        ...fast,
      });
      untap();
      access.httpClient?.destroy?.();

      const expected = generatePortfolio(200);
      expect(result).toMatchObject({ jobId: 'seed-200', status: 'succeeded', models: 7, twins: 200, relationships: 199 });
      expect(emulator.store.twins.size).toBe(200);
      expect(emulator.store.relationships.size).toBe(199);
      expect(emulator.models.list()).toHaveLength(7);
      for (const twin of [expected.twins[0], expected.twins[57], expected.twins[199]]) {
        const { $dtId, $metadata, ...values } = twin!;
        const stored = await client.getDigitalTwin($dtId);
        expect(stored.body).toMatchObject({ $dtId, $metadata: { $model: $metadata.$model }, ...values });
      }
      const rel = expected.relationships[100]!;
      expect((await client.getRelationship(rel.$dtId, rel.$relationshipId)).body).toMatchObject({
        $targetId: rel.$targetId,
        $relationshipName: rel.$relationshipName,
      });
      // ADT's REST writes notify; so do the job's (the default; docs/BULK.md says why).
      expect(created).toHaveLength(200);

      expect(emulator.jobs.statusHistory('seed-200')).toEqual(['notstarted', 'running', 'succeeded']);
      const log = parseImportLog(await blobText((await storage('seed')).logs, 'seed-200_output.txt'));
      expect(log.map((l) => [l.logType, l.details?.['section'] ?? '-', l.details?.['status']])).toEqual([
        ['Info', '-', 'Started'],
        ['Info', 'Models', 'Started'],
        ['Info', 'Models', 'Succeeded'],
        ['Info', 'Twins', 'Started'],
        ['Info', 'Twins', 'Succeeded'],
        ['Info', 'Relationships', 'Started'],
        ['Info', 'Relationships', 'Succeeded'],
        ['Info', '-', 'Succeeded'],
      ]);
      for (const line of log)
        expect(line).toMatchObject({
          jobId: 'seed-200',
          jobType: 'Import',
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/),
        });

      // The job record as GET returns it.
      const { jobs, close } = jobsClient(emulator);
      const job = await jobs.getImport('seed-200');
      close();
      expect(job).toMatchObject({
        id: 'seed-200',
        status: 'succeeded',
        inputBlobUri: result.inputBlobUri,
        outputBlobUri: result.outputBlobUri,
      });
      expect(job.createdDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/);
      expect(Date.parse(job.purgeDateTime!) - Date.parse(job.createdDateTime!)).toBeGreaterThan(29 * 24 * 3600e3);
      expect(job.finishedDateTime).toBeDefined();
    });
  });

  it('sends no lifecycle notifications for job writes when told so (--job-notifications none)', async () => {
    await withEmulator({ notifications: 'none' }, async (emulator) => {
      let seen = 0;
      emulator.events.tap(() => (seen += 1));
      const access = emulatorAccess(emulator);
      await runBulkSeed(createTestClient(emulator), access, scenario, {
        storage: azurite.connectionString,
        container: 'quiet-in',
        logContainer: 'quiet-out',
        portfolio: 20,
        wait: { pollMs: 20 },
        ...fast,
      });
      access.httpClient?.destroy?.();
      expect(emulator.store.twins.size).toBe(20);
      expect(seen).toBe(0);
    });
  });

  it('answers the REST contract: 201, 404 ImportJobNotFound, duplicate id, JobLimitReached, paged list, delete', async () => {
    await withEmulator({ chunkSize: 10, chunkDelayMs: 30 }, async (emulator) => {
      await emulator.models.add(scenario.models);
      const store = await storage('rest');
      const { input, output } = await upload(store, 'slow.ndjson', portfolioFile(200));
      const created = await rawRequest(emulator, 'PUT', '/jobs/imports/slow?api-version=2023-10-31', {
        body: { inputBlobUri: input, outputBlobUri: output },
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ id: 'slow', status: 'notstarted', inputBlobUri: input, outputBlobUri: output });

      const { jobs, close } = jobsClient(emulator);
      try {
        // One bulk job at a time: a second import or a delete job while it runs is refused.
        await expect(jobs.createImport('second', { inputBlobUri: input, outputBlobUri: output })).rejects.toMatchObject({
          status: 400,
          code: 'JobLimitReached',
        });
        await expect(jobs.startDeletion()).rejects.toMatchObject({ status: 400, code: 'JobLimitReached' });
        expect((await jobs.getImport('slow')).status).toBe('running');
        expect((await jobs.waitForImport('slow', { pollMs: 20 })).status).toBe('succeeded');

        await expect(jobs.createImport('slow', { inputBlobUri: input, outputBlobUri: output })).rejects.toMatchObject({
          status: 400,
          code: 'ValidationFailed',
        });
        await expect(jobs.createImport('no-blobs', { inputBlobUri: 'not a url', outputBlobUri: output })).rejects.toMatchObject({
          status: 400,
          code: 'ValidationFailed',
        });
        await expect(jobs.getImport('nope')).rejects.toMatchObject({ status: 404, code: 'ImportJobNotFound' });

        const second = await upload(store, 'empty.ndjson', '{"Section":"Header"}\n{"fileVersion":"1.0.0"}\n');
        await jobs.createImport('second', { inputBlobUri: second.input, outputBlobUri: second.output });
        await jobs.waitForImport('second', { pollMs: 20 });
        const page = await rawRequest(emulator, 'GET', '/jobs/imports?api-version=2023-10-31', { headers: { 'max-items-per-page': '1' } });
        expect(page.json).toMatchObject({ value: [{ id: 'slow' }], nextLink: expect.stringContaining('/jobs/imports?') });
        expect((await jobs.listImports()).map((j) => j.id)).toEqual(['slow', 'second']);

        // Nothing to cancel on a finished job: it comes back as it is.
        expect((await jobs.cancelImport('slow')).status).toBe('succeeded');
        await jobs.deleteImport('slow');
        await expect(jobs.getImport('slow')).rejects.toMatchObject({ status: 404, code: 'ImportJobNotFound' });
        await expect(jobs.deleteImport('slow')).rejects.toBeInstanceOf(AdtRequestError);
      } finally {
        close();
      }
    });
  });

  it('cancels a running import: cancelling, then cancelled; what was written stays (no rollback)', async () => {
    await withEmulator({ chunkSize: 10, chunkDelayMs: 40 }, async (emulator) => {
      await emulator.models.add(scenario.models);
      const store = await storage('cancel');
      const { input, output } = await upload(store, 'big.ndjson', portfolioFile(300));
      const { jobs, close } = jobsClient(emulator);
      try {
        await jobs.createImport('big', { inputBlobUri: input, outputBlobUri: output });
        await waitUntil(() => emulator.store.twins.size >= 20);
        const cancelling = await jobs.cancelImport('big');
        expect(cancelling.status).toBe('cancelling');
        const final = await jobs.waitForImport('big', { pollMs: 20 });
        expect(final.status).toBe('cancelled');
        expect(final.finishedDateTime).toBeDefined();
      } finally {
        close();
      }
      expect(emulator.jobs.statusHistory('big')).toEqual(['notstarted', 'running', 'cancelling', 'cancelled']);
      const twins = emulator.store.twins.size;
      expect(twins).toBeGreaterThanOrEqual(20);
      expect(twins).toBeLessThan(300);
      expect(emulator.store.relationships.size).toBe(0);
      const log = parseImportLog(await blobText(store.logs, 'big.ndjson_output.txt'));
      expect(log[log.length - 1]?.details).toEqual({ status: 'Cancelled' });

      // /$admin/reset cancels a running import and forgets every job.
      const again = await upload(store, 'again.ndjson', portfolioFile(300));
      const second = jobsClient(emulator);
      try {
        await second.jobs.createImport('again', { inputBlobUri: again.input, outputBlobUri: again.output });
        await waitUntil(() => emulator.store.twins.size > twins);
        expect((await rawRequest(emulator, 'POST', '/$admin/reset')).status).toBe(204);
        expect(emulator.jobs.statusHistory('again')).toEqual([]);
        await expect(second.jobs.getImport('big')).rejects.toMatchObject({ status: 404 });
        expect(emulator.store.twins.size).toBe(0);
        await new Promise((r) => setTimeout(r, 200));
        expect(emulator.store.twins.size).toBe(0);
      } finally {
        second.close();
      }
    });
  });

  it('fails a job with bad lines, applies the good ones, and the seed surfaces the log errors', async () => {
    await withEmulator({}, async (emulator) => {
      await emulator.models.add(scenario.models);
      const graph = generatePortfolio(12);
      graph.twins.push({ $dtId: 'ghost', $metadata: { $model: 'dtmi:example:Nope;1' } });
      graph.relationships.push({ $dtId: 'b1', $relationshipId: 'bad', $targetId: 'missing-floor', $relationshipName: 'hasFloor' });
      const { jobs, close } = jobsClient(emulator);
      const store = await storage('fail');
      let failure: unknown;
      try {
        await bulkSeed(jobs, store, { models: [], ...graph }, { jobId: 'bad-lines', wait: { pollMs: 20 } });
      } catch (error) {
        failure = error;
      } finally {
        close();
      }
      expect(failure).toBeInstanceOf(ImportJobFailedError);
      const error = failure as ImportJobFailedError;
      expect(error.job).toMatchObject({ status: 'failed', error: { code: 'ImportFailed' } });
      expect(error.errors).toEqual([
        expect.stringMatching(/^ValidationFailed: .*line 16, twin 'ghost' \(model dtmi:example:Nope;1\)/),
        expect.stringMatching(/^TargetDigitalTwinNotFound: .*relationship 'bad' b1 -\[hasFloor\]-> missing-floor/),
      ]);
      expect(error.message).toContain('Errors from the job log:');
      expect(emulator.store.twins.size).toBe(12);
      expect(emulator.store.relationships.size).toBe(11);
      const log = parseImportLog(await blobText(store.logs, 'bad-lines_output.txt'));
      expect(
        log.filter((l) => l.logType === 'Info').map((l) => `${String(l.details?.['section'] ?? '')}:${String(l.details?.['status'])}`),
      ).toEqual([':Started', 'Twins:Started', 'Twins:Failed', 'Relationships:Started', 'Relationships:Failed', ':Failed']);
    });
  });

  it('fails the job when the instance identity cannot reach the blob', async () => {
    const emulator = await startEmulator({ limits: { jobRequestsPerSecond: 1000 } });
    const { jobs, close } = jobsClient(emulator);
    try {
      await jobs.createImport('no-storage', {
        inputBlobUri: 'https://acct.blob.core.windows.net/in/g.ndjson',
        outputBlobUri: 'https://acct.blob.core.windows.net/out/log.txt',
      });
      const job = await jobs.waitForImport('no-storage', { pollMs: 20 });
      expect(job).toMatchObject({
        status: 'failed',
        error: { code: 'OutputBlobNotAccessible', message: expect.stringContaining('--storage') },
      });
    } finally {
      close();
      await emulator.close();
    }
    // With storage, a blob on another account is out of the identity's reach; the log says so too.
    await withEmulator({}, async (withStorage) => {
      const store = await storage('reach');
      const output = store.logs.getAppendBlobClient('other.txt').url;
      const client = jobsClient(withStorage);
      try {
        await client.jobs.createImport('other-account', {
          inputBlobUri: 'https://acct.blob.core.windows.net/in/g.ndjson',
          outputBlobUri: output,
        });
        expect(await client.jobs.waitForImport('other-account', { pollMs: 20 })).toMatchObject({
          status: 'failed',
          error: { code: 'InputBlobNotAccessible', message: expect.stringContaining('it has access only to') },
        });
      } finally {
        client.close();
      }
      const log = parseImportLog(await blobText(store.logs, 'other.txt'));
      expect(log.map((l) => l.logType)).toEqual(['Info', 'Error', 'Info']);
      expect(log[1]?.details).toMatchObject({ code: 'InputBlobNotAccessible' });
    });
  });

  it('runs a delete job with its whole-instance semantics: every twin, relationship and model goes', async () => {
    await withEmulator({}, async (emulator) => {
      await emulator.models.add(scenario.models);
      await emulator.importNdjson(portfolioFile(50));
      const deleted: string[] = [];
      emulator.events.tap((n) => deleted.push(n.type));
      const started = await rawRequest(emulator, 'POST', '/jobs/deletions?api-version=2023-10-31&timeoutInMinutes=60', {
        headers: { 'operation-id': 'wipe-1' },
      });
      expect(started.status).toBe(202);
      expect(started.headers['operation-id']).toBe('wipe-1');
      expect(started.headers['operation-location']).toBe(`${emulator.url}/jobs/deletions/wipe-1?api-version=2023-10-31`);
      expect(started.json).toMatchObject({ id: 'wipe-1', status: 'notstarted' });

      const { jobs, close } = jobsClient(emulator);
      try {
        expect(await jobs.waitForDeletion('wipe-1', { pollMs: 20 })).toMatchObject({
          id: 'wipe-1',
          status: 'succeeded',
          finishedDateTime: expect.any(String),
        });
        expect(emulator.store.twins.size).toBe(0);
        expect(emulator.store.relationships.size).toBe(0);
        expect(emulator.models.list()).toHaveLength(0);
        expect(deleted.filter((t) => t === 'Microsoft.DigitalTwins.Twin.Delete')).toHaveLength(50);
        expect(deleted.filter((t) => t === 'Microsoft.DigitalTwins.Relationship.Delete')).toHaveLength(49);
        expect(emulator.jobs.statusHistory('wipe-1')).toEqual(['notstarted', 'running', 'succeeded']);

        const generated = await jobs.startDeletion();
        expect(generated.id).toMatch(/^delete-job-[0-9a-f-]{36}$/);
        await jobs.waitForDeletion(generated.id, { pollMs: 20 });
        expect((await jobs.listDeletions()).map((j) => j.id)).toEqual(['wipe-1', generated.id]);
        await expect(jobs.startDeletion({ timeoutInMinutes: 5 })).rejects.toMatchObject({ status: 400, code: 'ValidationFailed' });
        await expect(jobs.getDeletion('nope')).rejects.toMatchObject({ status: 404, code: 'DeleteJobNotFound' });
      } finally {
        close();
      }
    });
  });

  it('keeps to the Jobs API limit of 1 request/s: a client that asks faster is throttled and waits Retry-After', async () => {
    const emulator = await startEmulator({ jobs: { storageConnectionString: azurite.connectionString } });
    const { jobs, close } = jobsClient(emulator, { minRequestIntervalMs: 0 });
    try {
      await expect(jobs.getImport('a')).rejects.toMatchObject({ code: 'ImportJobNotFound' });
      await expect(jobs.getImport('b')).rejects.toMatchObject({ code: 'ImportJobNotFound' });
      expect(jobs.stats.throttled).toBe(1);
      expect(emulator.counters().operations['job.read']).toMatchObject({ requests: 3, throttled: 1 });
    } finally {
      close();
      await emulator.close();
    }
  });
});

function portfolioFile(twins: number): string {
  const graph = generatePortfolio(twins);
  return [
    '{"Section":"Header"}',
    '{"fileVersion":"1.0.0"}',
    '{"Section":"Twins"}',
    ...graph.twins.map((t) => JSON.stringify(t)),
    '{"Section":"Relationships"}',
    ...graph.relationships.map((r) => JSON.stringify(r)),
  ].join('\n');
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error('condition never held');
}
