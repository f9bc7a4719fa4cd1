// What each timer costs when there is nothing to do (docs/OPERATIONS.md, "Timers when idle"): one run
// of each handler, as the Functions host invokes it, against empty stores, counting the requests it
// makes. drainDeferredValues: the deferred-values store in Azurite (never created, then created and
// emptied) — one List Blobs, nothing else, no ADT request. sweepConditions: no ADT request without
// conditions with a duration or staleness (the default building pipeline), else one query per
// staleness entry and per distinct pending property, nothing else.
import { join } from 'node:path';

import { drainDeferredValuesHandler } from '../../../functions/drainDeferredValues';
import { sweepConditionsHandler } from '../../../functions/sweepConditions';
import { compilePipelineConfig } from '../../../shared/config';
import { loadPipelineConfigFile, parsePipelineConfig } from '../../../shared/config/load';
import { BlobDeferredValuesStore, type DeferredValuesStore } from '../../../shared/ingest';
import { createWorker } from '../../../shared/worker';
import { type AzuriteBlob, startAzuriteBlob } from '../../support/azurite';
import { MemorySink } from '../../support/memorySink';
import { FakePort } from '../../unit/adt/fakes';
import { pipelineYaml } from '../conditions/harness';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

/** A store that counts each call; every call of the blob store is one Blob REST request for a container this small. */
class CountingStore implements DeferredValuesStore {
  readonly calls: string[] = [];
  constructor(private readonly inner: DeferredValuesStore) {}
  get target(): string {
    return this.inner.target;
  }
  list() {
    this.calls.push('list');
    return this.inner.list();
  }
  read(name: string) {
    this.calls.push('read');
    return this.inner.read(name);
  }
  write(name: string, text: string, version: string | undefined) {
    this.calls.push('write');
    return this.inner.write(name, text, version);
  }
  remove(name: string, version: string) {
    this.calls.push('remove');
    return this.inner.remove(name, version);
  }
}

const context = () => ({ info: jest.fn(), log: jest.fn(), error: jest.fn() });

describe('drainDeferredValues when nothing is deferred', () => {
  let azurite: AzuriteBlob;
  beforeAll(async () => {
    azurite = await startAzuriteBlob();
  }, 60_000);
  afterAll(async () => {
    await azurite?.stop();
  });

  it('lists the container once and sends nothing to ADT — before the container exists and once it was emptied', async () => {
    const blobs = new BlobDeferredValuesStore({ connectionString: azurite.connectionString }, 'deferred-values');
    const store = new CountingStore(blobs);
    const port = new FakePort();
    const worker = createWorker({
      env: {},
      config: compilePipelineConfig({}, 'idle.yaml'),
      port,
      deadLetters: new MemorySink(),
      deferredValues: store,
    });
    const drain = drainDeferredValuesHandler(() => worker.ingest);

    const neverUsed = await drain({} as never, context() as never);
    expect(neverUsed).toMatchObject({ passes: 1, bucketsHoldingValues: 0, adtRequests: 0 });
    expect(store.calls).toEqual(['list']);

    // A bucket written and drained away: the container exists, empty (an emptied bucket is deleted).
    expect(await blobs.write('bucket-00.json', '{"twins":[]}', undefined)).toBe(true);
    const { version } = await blobs.read('bucket-00.json');
    expect(await blobs.remove('bucket-00.json', version as string)).toBe(true);
    store.calls.length = 0;
    const emptied = await drain({} as never, context() as never);
    expect(emptied).toMatchObject({ passes: 1, bucketsHoldingValues: 0, adtRequests: 0 });
    expect(store.calls).toEqual(['list']);
    expect(port.calls).toEqual([]);
    worker.close();
  });
});

describe('sweepConditions when nothing is pending', () => {
  const sweepOnce = async (config: ReturnType<typeof compilePipelineConfig>) => {
    const port = new FakePort();
    const worker = createWorker({ env: {}, config, port, deadLetters: new MemorySink() });
    const summary = await sweepConditionsHandler(() => worker.sweepConditions())({} as never, context() as never);
    worker.close();
    return { summary, calls: port.calls.map((c) => c.method) };
  };

  it('sends nothing to ADT without conditions with a duration or staleness (the default building pipeline)', async () => {
    const building = loadPipelineConfigFile(join(__dirname, '..', '..', '..', 'local', 'scenarios', 'building', 'pipeline.yaml'));
    expect(await sweepOnce(building)).toEqual({
      summary: expect.objectContaining({ queries: 0, pending: 0, written: 0, foundStale: 0 }),
      calls: [],
    });
  });

  it('one query per staleness entry and per distinct pending property, nothing else', async () => {
    // One condition with a duration (overheatedPending), one without; plus one staleness entry.
    const withStaleness = pipelineYaml.replace(
      'rollups:\n',
      'rollups:\n  staleness:\n    - { model: "dtmi:test:cond:Room;1", maxAge: 900 }\n',
    );
    expect(await sweepOnce(parsePipelineConfig(pipelineYaml, 'p.yaml'))).toEqual({
      summary: expect.objectContaining({ queries: 1, pending: 0, written: 0 }),
      calls: ['query'],
    });
    expect(await sweepOnce(parsePipelineConfig(withStaleness, 'p.yaml'))).toEqual({
      summary: expect.objectContaining({ queries: 2, pending: 0, foundStale: 0, written: 0 }),
      calls: ['query', 'query'],
    });
  });
});
