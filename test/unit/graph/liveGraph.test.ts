// The live graph sends only what changed between two polls: twins by $etag, relationships as a set,
// models, counters and dead letters by value; a quiet graph yields an empty update.
import { LiveGraph, type WireDocument } from '../../../local/graph';

function world() {
  const twins = new Map<string, WireDocument>([
    ['a', { $dtId: 'a', $etag: '1', $metadata: { $model: 'dtmi:x:A;1' }, v: 1 }],
    ['b', { $dtId: 'b', $etag: '1', $metadata: { $model: 'dtmi:x:A;1' }, v: 2 }],
  ]);
  const relationships: WireDocument[] = [{ $relationshipId: 'r', $sourceId: 'a', $targetId: 'b', $relationshipName: 'has' }];
  const counters = { applied: 0 };
  const dead = { items: [] as Array<{ name: string; reason: string; detail: string; rejectedParts: [] }> };
  const live = new LiveGraph({
    source: { read: () => Promise.resolve({ twins: twins.values(), relationships }) },
    derivations: { 'dtmi:x:A;1': { v: { rule: 'r1', how: 'sum of v over has' } } },
    knownModels: ['dtmi:x:A;1', 'dtmi:x:B;1'],
    counters: () => counters,
    deadLetters: () => Promise.resolve(dead),
  });
  return { twins, relationships, counters, dead, live };
}

it('first poll has everything; a quiet second poll has nothing', async () => {
  const { live } = world();
  const first = await live.poll();
  expect(first.twins?.map((t) => t.id)).toEqual(['a', 'b']);
  expect(first.twins?.[0]?.properties[0]?.derived?.rule).toBe('r1');
  expect(first.relationships).toEqual([{ id: 'a/r', source: 'a', target: 'b', name: 'has' }]);
  expect(first.counters).toEqual({ applied: 0 });
  expect(await live.poll()).toEqual({});
});

it('sends a twin again only when its $etag changed, and names the removed ones', async () => {
  const { live, twins } = world();
  await live.poll();
  twins.set('b', { $dtId: 'b', $etag: '2', $metadata: { $model: 'dtmi:x:A;1' }, v: 5 });
  twins.delete('a');
  const update = await live.poll();
  expect(update.twins?.map((t) => [t.id, t.properties[0]?.value])).toEqual([['b', 5]]);
  expect(update.removed).toEqual(['a']);
  expect(live.view().twins.map((t) => t.id)).toEqual(['b']);
});

it('sends relationships, counters and dead letters when they change', async () => {
  const { live, relationships, counters, dead } = world();
  await live.poll();
  relationships.push({ $relationshipId: 'r2', $sourceId: 'b', $targetId: 'a', $relationshipName: 'back' });
  counters.applied = 3;
  dead.items = [{ name: '0/1.json', reason: 'invalid-json', detail: 'not JSON', rejectedParts: [] }];
  const update = await live.poll();
  expect(update.relationships?.map((r) => r.name)).toEqual(['has', 'back']);
  expect(update.counters).toEqual({ applied: 3 });
  expect(update.deadLetters?.map((d) => d.reason)).toEqual(['invalid-json']);
  // Dead letters are not read on a poll that skips them (the server reads them once a second).
  dead.items = [];
  expect(await live.poll({ deadLetters: false })).toEqual({});
});

it('a twin of a model not seen before sends the new legend', async () => {
  const { live, twins } = world();
  await live.poll();
  twins.set('c', { $dtId: 'c', $etag: '1', $metadata: { $model: 'dtmi:x:B;1' } });
  const update = await live.poll();
  expect(update.models?.map((m) => m.name)).toEqual(['A', 'B']);
  expect(update.twins?.map((t) => t.id)).toContain('c');
});

it('the snapshot a new client gets is the whole graph, marked full', async () => {
  const { live } = world();
  await live.poll();
  const snapshot = live.snapshot();
  expect(snapshot.full).toBe(true);
  expect(snapshot.twins?.map((t) => t.id)).toEqual(['a', 'b']);
  expect(snapshot.relationships).toHaveLength(1);
});

it('a relationship removed or rewritten sends the new set', async () => {
  const { live, relationships } = world();
  await live.poll();
  relationships[0] = { ...relationships[0], $etag: '2', $targetId: 'a' };
  expect((await live.poll()).relationships).toEqual([{ id: 'a/r', source: 'a', target: 'a', name: 'has' }]);
  relationships.pop();
  expect((await live.poll()).relationships).toEqual([]);
});

describe('the Changes list', () => {
  const sensor = 'dtmi:x:Sensor;1';
  function devices() {
    const twins = new Map<string, WireDocument>([
      ['room', { $dtId: 'room', $etag: '1', $metadata: { $model: 'dtmi:x:Room;1' }, overheated: false }],
      ['s1', { $dtId: 's1', $etag: '1', $metadata: { $model: sensor }, connectionState: 'Connected' }],
    ]);
    const relationships: WireDocument[] = [{ $relationshipId: 'r1', $sourceId: 'room', $targetId: 's1', $relationshipName: 'hasDevice' }];
    let clock = Date.parse('2024-05-01T08:00:00.000Z');
    const live = new LiveGraph({
      source: { read: () => Promise.resolve({ twins: twins.values(), relationships }) },
      derivations: {},
      knownModels: [],
      counters: () => ({}),
      deadLetters: () => Promise.resolve({ items: [] }),
      statusRules: {
        connection: { property: 'connectionState' },
        conditions: [{ name: 'overheated', model: 'dtmi:x:Room;1', property: 'overheated', raised: true, cleared: false }],
        staleness: [{ model: sensor, property: 'stale', maxAgeSeconds: 900 }],
      },
      now: () => new Date((clock += 1000)),
    });
    return { twins, relationships, live };
  }

  it('nothing on the first poll; then twins appearing and going away, with the relationships they took', async () => {
    const { live, twins, relationships } = devices();
    const first = await live.poll();
    expect(first.events).toBeUndefined();
    expect(first.twins?.find((t) => t.id === 's1')?.status?.classes).toEqual(['connected']);
    twins.set('s2', { $dtId: 's2', $etag: '1', $metadata: { $model: sensor } });
    const created = await live.poll();
    expect(created.events).toEqual([{ at: '2024-05-01T08:00:02.000Z', twinId: 's2', kind: 'appeared', text: 's2 appeared (Sensor)' }]);
    // Retired: the twin and its relationship go in the same poll (as a lifecycle delete leaves them).
    twins.delete('s1');
    relationships.pop();
    const gone = await live.poll();
    expect(gone.removed).toEqual(['s1']);
    expect(gone.relationships).toEqual([]);
    expect(gone.events?.map((e) => e.text)).toEqual(['s1 removed with 1 relationship']);
    expect(await live.poll()).toEqual({});
    // A page connecting now gets the recent lines with the whole graph.
    expect(live.snapshot().events?.map((e) => e.kind)).toEqual(['appeared', 'removed']);
  });

  it('connection, condition and staleness changes; a value change alone is not listed', async () => {
    const { live, twins } = devices();
    await live.poll();
    twins.set('s1', { $dtId: 's1', $etag: '2', $metadata: { $model: sensor }, connectionState: 'Disconnected' });
    twins.set('room', { $dtId: 'room', $etag: '2', $metadata: { $model: 'dtmi:x:Room;1' }, overheated: true });
    const update = await live.poll();
    expect(update.twins?.find((t) => t.id === 's1')?.status?.badges).toEqual(['○ Disconnected']);
    expect(update.events?.map((e) => [e.twinId, e.kind, e.text])).toEqual([
      ['room', 'condition', 'room condition overheated raised'],
      ['s1', 'connection', 's1 Disconnected'],
    ]);
    twins.set('s1', { $dtId: 's1', $etag: '3', $metadata: { $model: sensor }, connectionState: 'Disconnected', stale: true });
    twins.set('room', { $dtId: 'room', $etag: '3', $metadata: { $model: 'dtmi:x:Room;1' }, overheated: true, temperature: 30 });
    expect((await live.poll()).events?.map((e) => e.text)).toEqual(['s1 stale (nothing written for 900 s)']);
    twins.set('s1', { $dtId: 's1', $etag: '4', $metadata: { $model: sensor }, connectionState: 'Connected', stale: false });
    twins.set('room', { $dtId: 'room', $etag: '4', $metadata: { $model: 'dtmi:x:Room;1' }, overheated: false });
    expect((await live.poll()).events?.map((e) => e.text)).toEqual(['room condition overheated cleared', 's1 Connected', 's1 fresh again']);
  });
});
