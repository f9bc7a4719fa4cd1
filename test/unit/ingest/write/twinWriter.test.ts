import { AdtGateway, type CallContext } from '../../../../shared/adt/gateway';
import { emptyCallStats } from '../../../../shared/adt/retry';
import { isOlder } from '../../../../shared/common';
import type { PropertyUpdate } from '../../../../shared/ingest/message/propertyUpdate';
import type { TwinUpdate } from '../../../../shared/ingest/message/twinUpdate';
import { buildPatch } from '../../../../shared/ingest/write/patchBuilder';
import { writeTwinUpdate } from '../../../../shared/ingest/write/twinWriter';
import { FakeClock, FakePort } from '../../adt/fakes';

const t = (s: number): string => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
const upd = (path: string[], value: unknown, second: number, ids = [`m${second}`], component?: string): PropertyUpdate => ({
  twinId: 'room-1',
  property: path[0] as string,
  ...(path.length > 1 && { subPath: path.slice(1) }),
  value,
  sourceTime: t(second),
  eventKeys: ids,
  rule: 'r',
  ...(component !== undefined && { component }),
});

function setup() {
  const clock = new FakeClock();
  const port = new FakePort();
  const gateway = new AdtGateway({ port, clock });
  const ctx = (): CallContext => ({ deadline: clock.now() + 60_000, stats: emptyCallStats() });
  const apply = (twinId: string, updates: PropertyUpdate[], ifMissing: TwinUpdate['ifMissing'] = { policy: 'deadLetter' }) =>
    writeTwinUpdate({ twinId, updates: updates.map((u) => ({ ...u, twinId })), ifMissing }, gateway, ctx(), {
      emitSourceTime: true,
      maxClockSkewMs: 300_000,
      now: Date.now,
    });
  return { port, gateway, apply };
}

describe('writeTwinUpdate', () => {
  it('sends one add-only patch with sourceTimes and learns the twin with a single read', async () => {
    const { port, apply } = setup();
    port.addTwin('room-1');
    const result = await apply('room-1', [upd(['temperature'], 21.5, 10), upd(['occupied'], true, 11)]);
    expect(result).toMatchObject({ patches: 1, operations: 4, created: false, stale: [], rejected: [] });
    const patch = port.calls.find((c) => c.method === 'updateTwin')?.patch;
    expect(patch).toEqual([
      { op: 'add', path: '/temperature', value: 21.5 },
      { op: 'add', path: '/occupied', value: true },
      { op: 'add', path: '/$metadata/temperature/sourceTime', value: t(10) },
      { op: 'add', path: '/$metadata/occupied/sourceTime', value: t(11) },
    ]);
    // Second batch: the guard uses the cache, no further GET.
    const second = await apply('room-1', [upd(['temperature'], 19, 5), upd(['occupied'], false, 12)]);
    expect(second.stale.map((u) => u.property)).toEqual(['temperature']);
    expect(second.applied.map((u) => u.property)).toEqual(['occupied']);
    expect(port.count('getTwin')).toBe(1);
    expect(port.twins.get('room-1')).toMatchObject({ temperature: 21.5, occupied: false });
  });

  it('does not check values against the model again: mapping did (map/modelFit), ADT has the last word', async () => {
    const { port, apply } = setup();
    port.addTwin('room-1');
    const result = await apply('room-1', [upd(['occupied'], true, 1, ['a']), upd(['label'], 'hall', 1, ['b'])]);
    expect(result).toMatchObject({ patches: 1, rejected: [] });
    expect(result.applied.map((u) => u.property)).toEqual(['occupied', 'label']);
    // An existing twin is written without fetching its model.
    expect(port.count('getModels')).toBe(0);
  });

  it('dead-letters updates for an unknown twin when the policy says so', async () => {
    const { port, apply } = setup();
    const result = await apply('ghost', [upd(['temperature'], 1, 1)]);
    expect(result.rejected).toEqual([expect.objectContaining({ reason: 'unknown-twin' })]);
    expect(port.count('createTwin')).toBe(0);
  });

  it('creates an unknown twin from the configured model (with its components), then patches it', async () => {
    const { port, apply } = setup();
    const result = await apply('new-room', [upd(['battery'], 80, 1, ['m1'], 'sensor')], { policy: 'create', modelId: 'dtmi:test:Room;1' });
    expect(result).toMatchObject({ created: true, patches: 1, rejected: [] });
    expect(port.twins.get('new-room')).toMatchObject({
      $metadata: { $model: 'dtmi:test:Room;1' },
      sensor: { battery: 80, $metadata: { battery: { sourceTime: t(1) } } },
    });
  });

  it('adds a missing component or object parent before the property below it', async () => {
    const { port, apply } = setup();
    port.addTwin('room-1');
    delete port.twins.get('room-1')?.sensor;
    await apply('room-1', [upd(['battery'], 50, 1, ['m1'], 'sensor'), upd(['config', 'mode'], 'eco', 2)]);
    expect(port.twins.get('room-1')).toMatchObject({ sensor: { battery: 50 }, config: { mode: 'eco' } });
  });

  it('re-reads and rebuilds the patch when ADT cannot resolve a path the cache believed in', async () => {
    const { port, gateway, apply } = setup();
    port.addTwin('room-1', { config: { mode: 'auto' } });
    await gateway.getTwin('room-1', { deadline: Date.now() + 1e9, stats: emptyCallStats() });
    delete port.twins.get('room-1')?.config; // someone else removed it
    const result = await apply('room-1', [upd(['config', 'setpoint'], 21, 3)]);
    expect(result.applied).toHaveLength(1);
    expect(port.twins.get('room-1')?.config).toEqual({ setpoint: 21 });
    expect(port.count('updateTwin')).toBe(2);
  });

  it('isolates the culprit when ADT rejects a combined patch the local model accepted', async () => {
    const { port, apply } = setup();
    port.addTwin('room-1');
    port.script.set('updateTwin', [
      { status: 400, code: 'ValidationFailed', message: 'Invalid twin specified' },
      { status: 400, code: 'ValidationFailed', message: 'Invalid twin specified' },
    ]);
    const result = await apply('room-1', [upd(['temperature'], 20, 1, ['a']), upd(['occupied'], true, 1, ['b'])]);
    expect(result.rejected.map((r) => [r.update.eventKeys[0], r.reason])).toEqual([['a', 'adt-rejected']]);
    expect(result.applied.map((u) => u.eventKeys[0])).toEqual(['b']);
  });
});

describe('patch building and time comparison', () => {
  it('writes one sourceTime per property, the latest of its fields', () => {
    const patch = buildPatch(undefined, [upd(['config', 'mode'], 'eco', 5), upd(['config', 'setpoint'], 20, 7)]);
    expect(patch).toEqual([
      { op: 'add', path: '/config', value: {} },
      { op: 'add', path: '/config/mode', value: 'eco' },
      { op: 'add', path: '/config/setpoint', value: 20 },
      { op: 'add', path: '/$metadata/config/sourceTime', value: t(7) },
    ]);
  });

  it('compares sourceTimes below a millisecond', () => {
    expect(isOlder('2024-01-01T00:00:00.0001000Z', '2024-01-01T00:00:00.0002Z')).toBe(true);
    expect(isOlder('2024-01-01T00:00:00.0002Z', '2024-01-01T00:00:00.0002000Z')).toBe(false);
    expect(isOlder('2024-01-01T01:00:00+01:00', '2024-01-01T00:00:00.5Z')).toBe(true);
  });
});
