// A mixed batch through processBatch with an in-memory ADT and a file dead-letter sink: every
// message ends applied, filtered or dead-lettered, and the counts add up to the input.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AdtGateway } from '../../../../shared/adt/gateway';
import type { DeadLetterDocument } from '../../../../shared/deadLetter/document';
import { FileDeadLetterSink } from '../../../../shared/deadLetter/fileSink';
import { processBatch } from '../../../../shared/ingest/batch/processBatch';
import type { DeviceMessage, RawEvent } from '../../../../shared/ingest/message/deviceMessage';
import type { IngestPlan } from '../../../../shared/ingest/plan/planner';
import { FakeClock, FakePort } from '../../adt/fakes';

const event = (index: number, body: unknown, deviceId: string, extra: Record<string, unknown> = {}): RawEvent => ({
  body,
  index,
  sequenceNumber: 100 + index,
  offset: String(1000 + index),
  enqueuedTimeUtc: `2024-05-01T10:00:0${index}`,
  systemProperties: { 'iothub-connection-device-id': deviceId, ...extra },
  properties: {},
});

/** Test planner: device id = twin id, `t` → temperature (coalesced), `o` → occupied, `co2` → telemetry, `skip` → filtered. */
function planner(messages: DeviceMessage[]): IngestPlan {
  const plan: IngestPlan = { twinUpdates: [], telemetry: [], filtered: [], rejected: [], coalescedValues: 0 };
  for (const m of messages) {
    if (m.body.skip) plan.filtered.push({ eventKey: m.eventKey, reason: 'no-mapping' });
    if (m.body.t !== undefined) {
      let twin = plan.twinUpdates.find((u) => u.twinId === m.deviceId);
      if (!twin) plan.twinUpdates.push((twin = { twinId: m.deviceId, updates: [], ifMissing: { policy: 'deadLetter' } }));
      const existing = twin.updates.find((u) => u.property === 'temperature');
      if (existing) {
        existing.value = m.body.t;
        existing.sourceTime = m.enqueuedTime;
        existing.eventKeys.push(m.eventKey);
        plan.coalescedValues += 1;
      } else
        twin.updates.push({
          twinId: m.deviceId,
          property: 'temperature',
          value: m.body.t,
          sourceTime: m.enqueuedTime,
          eventKeys: [m.eventKey],
          rule: 'test',
        });
    }
    // As mapping's model check (map/modelFit) would: `occupied` is a boolean.
    if (m.body.o !== undefined && typeof m.body.o !== 'boolean') {
      plan.rejected.push({
        eventKey: m.eventKey,
        reason: 'schema-mismatch',
        detail: '/occupied: expected boolean',
        where: 'ingest.rules[0].properties[1]',
        twinId: m.deviceId,
      });
    } else if (m.body.o !== undefined) {
      plan.twinUpdates.push({
        twinId: m.deviceId,
        updates: [
          { twinId: m.deviceId, property: 'occupied', value: m.body.o, sourceTime: m.enqueuedTime, eventKeys: [m.eventKey], rule: 'test' },
        ],
        ifMissing: { policy: 'deadLetter' },
      });
    }
    if (m.body.co2 !== undefined)
      plan.telemetry.push({ eventKey: m.eventKey, twinId: m.deviceId, payload: { co2: m.body.co2 }, sourceTime: m.enqueuedTime });
  }
  return plan;
}

it('accounts for every message of a mixed batch and writes one dead letter per rejected message', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dl-'));
  try {
    const clock = new FakeClock();
    const port = new FakePort();
    port.addTwin('room-1');
    const gateway = new AdtGateway({ port, clock });
    const batch = [
      event(0, { t: 20 }, 'room-1'),
      event(1, { t: 21 }, 'room-1'),
      event(2, 'not json at all', 'room-1'),
      event(3, { o: 'yes' }, 'room-1', { 'message-id': 'bad-type' }),
      event(4, { t: 5 }, 'ghost'),
      event(5, { skip: true }, 'room-1'),
      event(6, { co2: 410 }, 'room-1', { 'message-id': 'tele-6' }),
    ];
    const logs: unknown[] = [];
    const { summary, ledger } = await processBatch(batch, {
      gateway,
      deadLetters: new FileDeadLetterSink(dir),
      planner,
      deadlineMs: 60_000,
      partitionId: '3',
      clock,
      log: (line) => logs.push(line),
    });

    expect(Object.fromEntries(ledger.map((e) => [e.eventKey, e.outcome]))).toEqual({
      'seq:100': 'applied',
      'seq:101': 'applied',
      'seq:102': 'dead-lettered',
      'seq:103': 'dead-lettered',
      'seq:104': 'dead-lettered',
      'seq:105': 'filtered',
      'seq:106': 'applied',
    });
    expect(summary).toMatchObject({
      received: 7,
      applied: 3,
      filtered: 1,
      deadLettered: 3,
      twinsPatched: 1,
      patches: 1,
      messagesCoalesced: 1,
      telemetrySent: 1,
    });
    expect(summary.applied + summary.filtered + summary.deadLettered).toBe(summary.received);
    expect(summary.deadLetteredByReason).toEqual({ 'invalid-json': 1, 'schema-mismatch': 1, 'unknown-twin': 1 });
    expect(logs).toEqual([summary]);
    // 20 and 21 were coalesced into one value; the invalid boolean was rejected on its own.
    expect(port.twins.get('room-1')?.temperature).toBe(21);
    expect(port.twins.get('room-1')?.occupied).toBeUndefined();
    expect(port.calls.find((c) => c.method === 'publishTelemetry')?.telemetry).toMatchObject({
      messageId: 'tele-6',
      sourceTime: '2024-05-01T10:00:06.000Z',
    });

    expect((await readdir(join(dir, '3'))).sort()).toEqual(['102.json', '103.json', '104.json']);
    const notJson = JSON.parse(await readFile(join(dir, '3', '102.json'), 'utf8')) as DeadLetterDocument;
    expect(notJson).toMatchObject({
      schema: 'adt-ingest-dead-letter/1',
      reason: 'invalid-json',
      partitionId: '3',
      body: { encoding: 'utf8', value: 'not json at all' },
    });
    const ghost = JSON.parse(await readFile(join(dir, '3', '104.json'), 'utf8')) as DeadLetterDocument;
    expect(ghost).toMatchObject({
      reason: 'unknown-twin',
      sequenceNumber: 104,
      offset: '1004',
      deviceId: 'ghost',
      rejectedParts: [{ twinId: 'ghost', path: '/temperature', value: 5 }],
    });
    // A mapping refusal reaches the document in the same shape as a write refusal: its step and twin kept.
    const badType = JSON.parse(await readFile(join(dir, '3', '103.json'), 'utf8')) as DeadLetterDocument;
    expect(badType).toMatchObject({
      reason: 'schema-mismatch',
      messageId: 'bad-type',
      rejectedParts: [
        { twinId: 'room-1', path: '', reason: 'schema-mismatch', detail: 'ingest.rules[0].properties[1]: /occupied: expected boolean' },
      ],
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('fails the invocation when a dead letter cannot be written', async () => {
  const port = new FakePort();
  const gateway = new AdtGateway({ port, clock: new FakeClock() });
  const failing = { target: 'broken', write: () => Promise.reject(new Error('disk full')) };
  await expect(processBatch([event(0, 'garbage', 'room-1')], { gateway, deadLetters: failing, planner, deadlineMs: 1000 })).rejects.toThrow(
    /Dead-letter write to broken failed: disk full/,
  );
});
