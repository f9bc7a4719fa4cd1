// The writer's guard for IoT Hub's own order (a connection event's sequence number): the twin keeps
// the last applied key in a companion property, so a redelivered or older event is skipped whatever
// its sourceTime, and a second writer (another instance) that got there first shows up as a 412
// after which the fresh twin decides.
import { AdtGateway, type CallContext } from '../../../../shared/adt/gateway';
import { emptyCallStats } from '../../../../shared/adt/retry';
import type { PropertyUpdate } from '../../../../shared/ingest/message/propertyUpdate';
import { writeTwinUpdate } from '../../../../shared/ingest/write/twinWriter';
import { FakeClock, FakePort } from '../../adt/fakes';

const key = (n: number) => n.toString(16).toUpperCase().padStart(64, '0');
const stored = { property: 'connectionStateSequence' };
/** The two updates one connection event makes; `second` is its sourceTime (operationTimestamp). */
const event = (state: string, n: number, second: number, id: string): PropertyUpdate[] => {
  const sourceTime = new Date(Date.UTC(2024, 0, 1, 0, 0, second)).toISOString();
  const order = { key: key(n), stored };
  return [
    { twinId: 'dev-1', property: 'connectionState', value: state, sourceTime, eventKeys: [id], rule: '(connection state)', order },
    { twinId: 'dev-1', property: 'connectionStateSequence', value: key(n), sourceTime, eventKeys: [id], rule: '(connection state)', order },
  ];
};

function setup() {
  const clock = new FakeClock();
  const port = new FakePort();
  const gateway = new AdtGateway({ port, clock });
  const ctx = (): CallContext => ({ deadline: clock.now() + 60_000, stats: emptyCallStats() });
  const apply = (updates: PropertyUpdate[]) =>
    writeTwinUpdate({ twinId: 'dev-1', updates, ifMissing: { policy: 'deadLetter' } }, gateway, ctx(), {
      emitSourceTime: true,
      maxClockSkewMs: 300_000,
      now: Date.now,
    });
  port.addTwin('dev-1');
  return { port, apply };
}

it('skips an event whose sequence number is not higher than the one the twin keeps, whatever its sourceTime', async () => {
  const { port, apply } = setup();
  expect((await apply(event('Disconnected', 2, 30, 'a'))).applied).toHaveLength(2);
  // Higher number, earlier operationTimestamp: applied (sourceTime alone would call it stale).
  expect((await apply(event('Connected', 4, 20, 'b'))).applied).toHaveLength(2);
  // The same event redelivered, and an older one arriving late with a later time: both skipped.
  expect((await apply(event('Connected', 4, 20, 'b'))).stale).toHaveLength(2);
  expect((await apply(event('Disconnected', 3, 59, 'c'))).stale).toHaveLength(2);
  expect(port.twins.get('dev-1')).toMatchObject({ connectionState: 'Connected', connectionStateSequence: key(4) });
  expect(port.count('updateTwin')).toBe(2);
});

it('re-decides on the fresh twin when another writer applied a higher number first (412)', async () => {
  const { port, apply } = setup();
  await apply(event('Connected', 2, 10, 'a'));
  // Another instance wrote sequence 5 since our copy was taken; ADT answers our If-Match with 412.
  const twin = port.twins.get('dev-1') as Record<string, unknown>;
  port.twins.set('dev-1', { ...twin, connectionState: 'Disconnected', connectionStateSequence: key(5) } as never);
  port.script.set('updateTwin', [{ status: 412, code: 'PreconditionFailed', message: 'etag mismatch' }]);
  const result = await apply(event('Connected', 4, 40, 'b'));
  expect(result.stale).toHaveLength(2);
  expect(result.applied).toHaveLength(0);
  expect(port.twins.get('dev-1')).toMatchObject({ connectionState: 'Disconnected', connectionStateSequence: key(5) });
});

it('after a 412, a value suppressed as unchanged against the old copy is decided again on the fresh twin and written', async () => {
  const { port, apply } = setup();
  await apply(event('Connected', 2, 10, 'a'));
  // Another instance wrote Disconnected (sequence 3) since our copy was taken; our copy still says
  // Connected, so our newer Connected (sequence 4) looks unchanged until the 412 shows the truth.
  const twin = port.twins.get('dev-1') as Record<string, unknown>;
  port.twins.set('dev-1', { ...twin, connectionState: 'Disconnected', connectionStateSequence: key(3) } as never);
  port.script.set('updateTwin', [{ status: 412, code: 'PreconditionFailed', message: 'etag mismatch' }]);
  const result = await apply(event('Connected', 4, 40, 'b'));
  expect(result.applied).toHaveLength(2);
  expect(result.suppressed ?? []).toEqual([]);
  expect(port.twins.get('dev-1')).toMatchObject({ connectionState: 'Connected', connectionStateSequence: key(4) });
});

it('falls back to sourceTime while the twin keeps no sequence number', async () => {
  const { apply } = setup();
  const [state] = event('Connected', 9, 30, 'a');
  expect((await apply([state as PropertyUpdate])).applied).toHaveLength(1);
  const [older] = event('Disconnected', 10, 20, 'b');
  expect((await apply([{ ...(older as PropertyUpdate), order: { key: key(10) } }])).stale).toHaveLength(1);
});
