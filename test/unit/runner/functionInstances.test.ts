// The instance pool's routing and failure handling, with small stand-in instances (eval'd worker
// threads speaking the same protocol) instead of the function app, so each behaviour can be forced.
import { Worker } from 'node:worker_threads';

import type { TelemetryEnvelope } from '../../../local/runner/envelope';
import { ingestInvoker } from '../../../local/runner/ingestInvoker';
import type { InstanceStart } from '../../../local/runner/instanceProtocol';
import { FunctionInstances } from '../../../local/runner/instances';
import type { FunctionLogLine } from '../../../local/runner/invoke';
import { MessageLedger } from '../../../local/runner/messageAccounting';
import type { RpcInvocationRequest } from '../../../local/runner/rpcTypes';
import { emptyStats } from '../../../local/runner/runStats';

/**
 * A stand-in instance. `behaviour` (run inside the thread) gets the request's marker and answers
 * { delayMs, crash, fail, pending }. Every answer logs "instance <i>" so a test sees who ran it.
 */
function standIn(
  behaviour: string,
  onLoad = "parentPort.postMessage({ type: 'ready', ingest: { name: 'ingestTelemetry', bindings: {} }, propagate: { name: 'propagateTwinChanges', bindings: {} }, http: { name: 'ingestHttp', bindings: {} } });",
) {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const behave = ${behaviour};
    let refreshes = workerData.index === 1 ? 1 : 0;
    ${onLoad}
    parentPort.on('message', async (m) => {
      if (m.type === 'idle') { const had = refreshes > 0; refreshes = 0; parentPort.postMessage({ type: 'idled', id: m.id, hadPending: had }); return; }
      const marker = m.request.inputData[0].name;
      const b = behave(workerData.index, marker) || {};
      if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
      if (b.crash) throw new Error('boom in ' + workerData.index);
      const logs = [{ level: 'information', category: 'test', message: 'instance ' + workerData.index + ' ran ' + marker }];
      if (b.fail) parentPort.postMessage({ type: 'invoked', id: m.id, ok: false, error: { message: 'handler failed' }, logs });
      else parentPort.postMessage({ type: 'invoked', id: m.id, ok: true, result: { by: workerData.index }, logs });
    });`;
  return (start: InstanceStart) => new Worker(code, { eval: true, workerData: start });
}

const request = (marker: string): RpcInvocationRequest => ({ inputData: [{ name: marker, data: { json: '{}' } }], triggerMetadata: {} });
const adt = { kind: 'azure' as const, url: 'https://unused.example' };
let pool: FunctionInstances | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

it('a batch runs on its partition owner; after a move mid-batch the new owner runs it again and the first complete run counts', async () => {
  pool = await FunctionInstances.start({ count: 2, appSettings: {}, adt, spawn: standIn('(index) => ({ delayMs: 150 })') });
  const owner = pool.ownership.ownerOf('0');
  const logs: FunctionLogLine[] = [];
  const running = pool.invokeIngest('0', request('batch-a'), (line) => logs.push(line));
  await new Promise((r) => setTimeout(r, 30));
  pool.ownership.rebalance();
  const newOwner = pool.ownership.ownerOf('0');
  expect(newOwner).not.toBe(owner);
  await expect(running).resolves.toEqual({ by: newOwner });
  // The re-run finds the values written and would call them stale: the events are accounted by the run that applied them.
  expect(logs.map((l) => l.message)).toEqual([`instance ${owner} ran batch-a`]);
  const report = pool.report();
  expect(report.perInstance[owner]).toMatchObject({ ingestInvocations: 1, uncheckpointedBatches: 1 });
  expect(report.perInstance[newOwner]).toMatchObject({ ingestInvocations: 1, uncheckpointedBatches: 0 });
  expect(report).toMatchObject({ count: 2, rebalances: 1, partitionMoves: 1 });
});

it('a batch whose re-run after a move fails and is redelivered is still accounted by its first complete run', async () => {
  // The marker names the first owner; any other instance fails the batch the first time it runs it (a transient ADT failure).
  pool = await FunctionInstances.start({
    count: 2,
    appSettings: {},
    adt,
    spawn: standIn(
      "(() => { let failed = false; return (index, marker) => (index !== Number(marker.split('@')[1]) && !failed ? ((failed = true), { delayMs: 10, fail: true }) : { delayMs: 150 }); })()",
    ),
  });
  const first = pool.ownership.ownerOf('1');
  const marker = `batch-b@${first}`;
  const logs: FunctionLogLine[] = [];
  const running = pool.invokeIngest('1', request(marker), (line) => logs.push(line));
  await new Promise((r) => setTimeout(r, 30));
  pool.ownership.rebalance();
  const second = pool.ownership.ownerOf('1');
  expect(second).not.toBe(first);
  await expect(running).rejects.toThrow('handler failed');
  expect(logs.map((l) => l.message)).toEqual([`instance ${second} ran ${marker}`]);
  logs.length = 0;
  // The feeder redelivers the same batch; it succeeds on the new owner and counts as the first owner's complete run.
  await expect(pool.invokeIngest('1', request(marker), (line) => logs.push(line))).resolves.toEqual({ by: second });
  expect(logs.map((l) => l.message)).toEqual([`instance ${first} ran ${marker}`]);
});

/**
 * Stand-in instances that answer like the ingest function: a batch's first run applies its events,
 * any later run (another instance re-running it after a move) finds them written and reports them
 * filtered, as the stale guard would. What was written is shared by the threads, as ADT is.
 */
function ingestStandIn(written: SharedArrayBuffer) {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const written = new Int32Array(workerData.written);
    parentPort.postMessage({ type: 'ready', ingest: { name: 'ingestTelemetry', bindings: { t: { type: 'eventHubTrigger', direction: 'in', dataType: 'binary' } } }, propagate: { name: 'p', bindings: {} }, http: { name: 'h', bindings: {} } });
    parentPort.on('message', async (m) => {
      if (m.type === 'idle') return parentPort.postMessage({ type: 'idled', id: m.id, hadPending: false });
      const sequence = m.request.triggerMetadata.SequenceNumberArray.collectionSint64.sint64;
      const partition = Number(JSON.parse(m.request.triggerMetadata.PartitionContext.json).PartitionId);
      const first = Atomics.add(written, partition * 100 + sequence[0].low, 1) === 0;
      await new Promise((r) => setTimeout(r, 100));
      const n = sequence.length;
      const summary = { event: 'ingest.batch', received: n, applied: first ? n : 0, filtered: first ? 0 : n, deadLettered: 0 };
      parentPort.postMessage({ type: 'invoked', id: m.id, ok: true, result: null, logs: [{ level: 'information', category: 'f', message: JSON.stringify(summary) }] });
    });`;
  return (start: InstanceStart) => new Worker(code, { eval: true, workerData: { ...start, written } });
}

it('rebalancing does not change the accounting: a batch re-run by a new owner counts once, by the run that applied it', async () => {
  const account = async (rebalance: boolean) => {
    pool = await FunctionInstances.start({ count: 2, appSettings: {}, adt, spawn: ingestStandIn(new SharedArrayBuffer(4 * 1000)) });
    const ledger = new MessageLedger();
    const stats = emptyStats();
    const invoke = ingestInvoker({
      app: pool,
      partitionInfo: (partitionId) => ({ fullyQualifiedNamespace: 'ns', eventHubName: 'hub', consumerGroup: '$Default', partitionId }),
      stats,
      ledger,
      log: () => undefined,
    });
    const envelope = (i: number): TelemetryEnvelope => ({
      deviceId: `d${i % 4}`,
      enqueuedTime: '2024-05-01T08:00:00Z',
      messageId: `m${i}`,
      body: {},
    });
    const batches = [0, 1, 2].flatMap((b) =>
      ['0', '1'].map((partitionId) => ({
        partitionId,
        events: [1, 2, 3].map((k) => ({ envelope: envelope(b * 10 + k), sequenceNumber: b * 3 + k, offset: 0 })),
      })),
    );
    ledger.fed(batches.flatMap((batch) => batch.events.map((e) => e.envelope)));
    for (const { partitionId, events } of batches) {
      const running = invoke(partitionId, events, 0, 0);
      if (rebalance) {
        await new Promise((r) => setTimeout(r, 30));
        pool.ownership.rebalance();
      }
      await running;
    }
    const moved = pool.report().perInstance.reduce((n, i) => n + i.uncheckpointedBatches, 0);
    await pool.close();
    pool = undefined;
    return { report: ledger.report(), stats: { applied: stats.applied, filtered: stats.filtered }, moved };
  };
  const steady = await account(false);
  const moving = await account(true);
  expect(steady.moved).toBe(0);
  expect(moving.moved).toBe(6);
  expect(steady.report).toMatchObject({ fed: 18, received: 18, applied: 18, filtered: 0, balanced: true });
  expect(moving.report).toEqual(steady.report);
  expect(moving.stats).toEqual(steady.stats);
});

it('Event Grid deliveries run on every instance at once', async () => {
  pool = await FunctionInstances.start({ count: 3, appSettings: {}, adt, spawn: standIn('() => ({ delayMs: 50 })') });
  const results = (await Promise.all(
    Array.from({ length: 9 }, (_, i) => pool!.invokePropagate(request(`event-${i}`), () => undefined)),
  )) as { by: number }[];
  expect(new Set(results.map((r) => r.by))).toEqual(new Set([0, 1, 2]));
  expect(pool.report().perInstance.map((i) => i.propagateInvocations)).toEqual([3, 3, 3]);
});

it("a handler's failure rejects with its message and is counted on that instance", async () => {
  pool = await FunctionInstances.start({ count: 1, appSettings: {}, adt, spawn: standIn('() => ({ fail: true })') });
  await expect(pool.invokeIngest('0', request('batch'), () => undefined)).rejects.toThrow('handler failed');
  await expect(pool.invokePropagate(request('event'), () => undefined)).rejects.toThrow('handler failed');
  expect(pool.report().perInstance[0]).toMatchObject({ ingestFailures: 1, propagateFailures: 1 });
});

it('an instance that crashes fails what it held instead of hanging, and its partitions move to the others', async () => {
  pool = await FunctionInstances.start({
    count: 2,
    appSettings: {},
    adt,
    spawn: standIn("(index, marker) => (marker === 'poison' ? { crash: true } : {})"),
  });
  const victim = pool.ownership.ownerOf('0');
  await expect(pool.invokeIngest('0', request('poison'), () => undefined)).rejects.toThrow(
    new RegExp(`Function instance ${victim} crashed: uncaught Error: boom in ${victim}`),
  );
  expect(pool.crashes()).toEqual([expect.stringContaining(`instance ${victim}: uncaught Error: boom in ${victim}`)]);
  // The redelivery lands on the survivor.
  expect(pool.ownership.ownerOf('0')).toBe(1 - victim);
  await expect(pool.invokeIngest('0', request('batch'), () => undefined)).resolves.toEqual({ by: 1 - victim });
  await expect(pool.invokePropagate(request('event'), () => undefined)).resolves.toEqual({ by: 1 - victim });
  expect(pool.report().perInstance[victim]?.crashed).toMatch(/boom/);
});

it('when every instance has crashed a delivery says so', async () => {
  pool = await FunctionInstances.start({ count: 1, appSettings: {}, adt, spawn: standIn('() => ({ crash: true })') });
  await expect(pool.invokePropagate(request('event'), () => undefined)).rejects.toThrow(/crashed/);
  await expect(pool.invokePropagate(request('event'), () => undefined)).rejects.toThrow(/Every function instance has crashed: instance 0/);
});

it('an instance that cannot load the app fails the start with its reason', async () => {
  const failing = standIn(
    '() => ({})',
    "parentPort.postMessage({ type: 'load-failed', error: { message: 'PIPELINE_CONFIG_PATH is not set' } }); process.exit(1);",
  );
  await expect(FunctionInstances.start({ count: 2, appSettings: {}, adt, spawn: failing })).rejects.toThrow(
    /^Function instance [01] could not load the function app: PIPELINE_CONFIG_PATH is not set$/,
  );
});

it('trailing refreshes are awaited on every instance; true when any had some', async () => {
  pool = await FunctionInstances.start({ count: 2, appSettings: {}, adt, spawn: standIn('() => ({})') });
  await expect(pool.trailingRefreshes()).resolves.toBe(true);
  await expect(pool.trailingRefreshes()).resolves.toBe(false);
});

it('from the TypeScript sources there is no compiled worker to start, and the error says how to get one', async () => {
  await expect(FunctionInstances.start({ count: 1, appSettings: {}, adt })).rejects.toThrow(/npm run build/);
});

it('an HTTP ingest request (--follow) runs on a live instance and is counted there', async () => {
  pool = await FunctionInstances.start({ count: 2, appSettings: {}, adt, spawn: standIn('() => ({})') });
  const results = (await Promise.all([
    pool.invokeHttp(request('post-1'), () => undefined),
    pool.invokeHttp(request('post-2'), () => undefined),
  ])) as { by: number }[];
  expect(results.map((r) => r.by).sort()).toEqual([0, 1]);
  expect(pool.report().perInstance.map((i) => i.httpInvocations)).toEqual([1, 1]);
  expect(pool.http.metadata.name).toBe('ingestHttp');
});

it('the sweep timer runs on the instance holding its lease, one at a time; the lease moves when the holder dies or is lost', async () => {
  pool = await FunctionInstances.start({
    count: 3,
    appSettings: {},
    adt,
    spawn: standIn("(index, marker) => (marker === 'poison' ? { crash: true } : { delayMs: 20 })"),
  });
  const ran = async () => ((await pool!.invokeSweep(request('timer'), () => undefined)) as { by: number }).by;
  expect([await ran(), await ran()]).toEqual([0, 0]);
  // Lost under its holder: the old and the new holder run at once, then the new one alone.
  const both = (await pool.invokeSweepAfterLostLease(request('timer'), () => undefined)) as { by: number }[];
  expect(both.map((r) => r.by)).toEqual([0, 1]);
  expect(await ran()).toBe(1);
  // The holder dies: the next live instance takes the lease.
  await expect(pool.invokeSweep(request('poison'), () => undefined)).rejects.toThrow(/crashed/);
  expect(await ran()).toBe(0);
  expect(pool.report()).toMatchObject({ timerLeaseChanges: 2 });
  expect(pool.report().perInstance.map((i) => i.sweepInvocations)).toEqual([4, 3, 0]);
});
