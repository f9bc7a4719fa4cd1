// View mode (the default): children's values kept current from notification patches, so a child
// change costs no GET per child; topology changes in both directions; the trailing refresh.
import type { DeadLetterDocument, DeadLetterSink } from '../../../../shared/deadLetter';
import type { RollupRule } from '../../../../shared/rollup';
import { compileRollups, Propagator, silentLogger } from '../../../../shared/rollup';
import { relationshipEvent, relationshipUpdate, twinLifecycle, twinUpdate } from '../events';
import { MemoryPort } from '../memoryPort';

const REC = { room: 'dtmi:rec:Room;1', level: 'dtmi:rec:Level;1', building: 'dtmi:rec:Building;1', sensor: 'dtmi:rec:Sensor;1' };

/** RealEstateCore shape: sensor -isPointOf-> room -isPartOf-> level -isPartOf-> building. */
const recRules: RollupRule[] = [
  {
    name: 'room',
    parentModel: REC.room,
    relationships: ['isPointOf'],
    direction: 'incoming',
    childModel: REC.sensor,
    properties: { temperature: { aggregate: 'avg', of: 'temperature' }, co2: { aggregate: 'max', of: 'env/co2' } },
  },
  {
    name: 'level',
    parentModel: REC.level,
    relationships: ['isPartOf'],
    direction: 'incoming',
    childModel: REC.room,
    properties: { rooms: { aggregate: 'count' }, maxTemperature: { aggregate: 'max', of: 'temperature' } },
  },
  {
    name: 'building',
    parentModel: REC.building,
    relationships: ['isPartOf'],
    direction: 'incoming',
    childModel: REC.level,
    properties: { rooms: { aggregate: 'sum', of: 'rooms' }, maxTemperature: { aggregate: 'max', of: 'maxTemperature' } },
  },
];

class MemorySink implements DeadLetterSink {
  readonly target = 'memory';
  readonly documents = new Map<string, DeadLetterDocument>();
  async write(name: string, document: DeadLetterDocument): Promise<void> {
    this.documents.set(name, document);
  }
}

function recWorld(rules: RollupRule[] = recRules, lagSeconds = 60) {
  const port = new MemoryPort();
  for (const model of Object.values(REC)) port.models.set(model, []);
  port.addTwin('bldg', REC.building);
  for (const level of ['L1', 'L2']) {
    port.addTwin(level, REC.level);
    port.relate(level, 'isPartOf', 'bldg');
  }
  port.addTwin('R1', REC.room);
  port.relate('R1', 'isPartOf', 'L1');
  for (const [id, t] of [
    ['s1', 20],
    ['s2', 24],
  ] as const) {
    port.addTwin(id, REC.sensor, { temperature: t });
    port.relate(id, 'isPointOf', 'R1');
  }
  const compiled = compileRollups({ settings: { queryLagSeconds: lagSeconds, gatherMilliseconds: 0 }, rules });
  const deadLetters = new MemorySink();
  const propagator = new Propagator({ compiled, port, deadLetters });
  const handle = (event: unknown) => propagator.handle(event, silentLogger);
  const twin = (id: string) => port.twins.get(id)!.twin;
  /** Writes a sensor value in the port and delivers the notification ADT would send. */
  const setTemp = (id: string, value: number) => {
    port.set(id, 'temperature', value);
    return handle(twinUpdate(id, REC.sensor, [{ op: 'replace', path: '/temperature', value }]));
  };
  /** Delivers the Twin.Update a derived write causes, as ADT would (the chain's next trigger). */
  const echo = async (id: string) => {
    const last = [...port.patches].reverse().find((p) => p.id === id);
    if (last) await handle(twinUpdate(id, port.twins.get(id)!.twin.$metadata.$model, last.ops));
  };
  return { port, propagator, handle, twin, setTemp, echo, deadLetters };
}

describe('view mode', () => {
  afterEach(() => jest.useRealTimers());

  it('after the first load a child change reads only the parent (no GET per child) and one relationship list', async () => {
    const w = recWorld();
    await w.setTemp('s1', 21);
    expect(w.twin('R1').temperature).toBe(22.5);
    const second = await w.setTemp('s2', 25);
    expect(w.twin('R1').temperature).toBe(23);
    // 1 list of the child's parents + 1 GET of the parent + the PATCH: O(1) whatever the room's size.
    expect(second.reads).toMatchObject({ twinReads: 1, relationshipLists: 1, queries: 0 });
    expect(second.writes).toBe(1);
    w.propagator.close();
  });

  it('incoming direction: rooms isPartOf levels isPartOf a building (RealEstateCore shape), counts from topology', async () => {
    const w = recWorld();
    await w.setTemp('s1', 30);
    await w.echo('R1');
    await w.echo('L1');
    expect(w.twin('L1')).toMatchObject({ rooms: 1, maxTemperature: 27 });
    expect(w.twin('bldg')).toMatchObject({ rooms: 1, maxTemperature: 27 });
    // A new room on L2: Relationship.Create from the child to the parent.
    w.port.addTwin('R2', REC.room, { temperature: 40 });
    w.port.relate('R2', 'isPartOf', 'L2');
    await w.handle(relationshipEvent('Create', 'R2', 'isPartOf', 'L2'));
    await w.echo('L2');
    expect(w.twin('L2')).toMatchObject({ rooms: 1, maxTemperature: 40 });
    expect(w.twin('bldg')).toMatchObject({ rooms: 2, maxTemperature: 40 });
    w.propagator.close();
  });

  it('re-pointing a child → parent relationship by PUT (Relationship.Update) recomputes the old and the new parent', async () => {
    const w = recWorld();
    await w.setTemp('s1', 30);
    await w.echo('R1');
    expect(w.twin('L1')).toMatchObject({ rooms: 1, maxTemperature: 27 });
    w.port.repoint('R1', 'R1-isPartOf-L1', 'L2');
    const summary = await w.handle(relationshipUpdate('R1', 'R1-isPartOf-L1', REC.room));
    expect(summary.parents.map((p) => p.parentId).sort()).toEqual(expect.arrayContaining(['L1', 'L2']));
    expect(w.twin('L1')).toMatchObject({ rooms: 0 });
    expect(w.twin('L1')).not.toHaveProperty('maxTemperature');
    expect(w.twin('L2')).toMatchObject({ rooms: 1, maxTemperature: 27 });
    w.propagator.close();
  });

  it('re-pointing a parent → child relationship by PUT recomputes the parent from its new children', async () => {
    const rules: RollupRule[] = [
      {
        name: 'room',
        parentModel: REC.room,
        relationships: ['hasPoint'],
        childModel: REC.sensor,
        properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
      },
    ];
    const w = recWorld(rules);
    w.port.addTwin('s3', REC.sensor, { temperature: 10 });
    w.port.relate('R1', 'hasPoint', 's1');
    w.port.relate('R1', 'hasPoint', 's2');
    await w.setTemp('s1', 20);
    expect(w.twin('R1').temperature).toBe(22);
    w.port.repoint('R1', 'R1-hasPoint-s2', 's3');
    await w.handle(relationshipUpdate('R1', 'R1-hasPoint-s2', REC.room));
    expect(w.twin('R1').temperature).toBe(15);
    w.propagator.close();
  });

  it('deleting a room: a fresh instance (no memory of the graph) still leaves the level exact', async () => {
    const w = recWorld();
    w.port.addTwin('R2', REC.room, { temperature: 50 });
    w.port.relate('R2', 'isPartOf', 'L1');
    await w.handle(relationshipEvent('Create', 'R2', 'isPartOf', 'L1'));
    expect(w.twin('L1')).toMatchObject({ rooms: 2, maxTemperature: 50 });
    // Another instance handles the delete: ADT deletes the relationship first, then the twin.
    const other = new Propagator({ compiled: compileRollups({ settings: { gatherMilliseconds: 0 }, rules: recRules }), port: w.port });
    w.port.unrelate('R2', 'L1');
    w.port.twins.delete('R2');
    await other.handle(twinLifecycle('Delete', 'R2', REC.room), silentLogger);
    await other.handle(relationshipEvent('Delete', 'R2', 'isPartOf', 'L1'), silentLogger);
    expect(w.twin('L1')).toMatchObject({ rooms: 1 });
    expect(w.twin('L1')).not.toHaveProperty('maxTemperature');
    other.close();
    w.propagator.close();
  });

  it('a component property input triggers on its own path and on the whole component, not on a sibling', async () => {
    const w = recWorld();
    const patchEnv = (ops: unknown[]) => w.handle(twinUpdate('s1', REC.sensor, ops));
    w.port.set('s1', 'env', { co2: 700, humidity: 30, $metadata: {} });
    expect((await patchEnv([{ op: 'add', path: '/env', value: { co2: 700, humidity: 30, $metadata: {} } }])).writes).toBe(1);
    expect(w.twin('R1').co2).toBe(700);
    (w.port.twins.get('s1')!.twin.env as Record<string, unknown>).co2 = 900;
    expect((await patchEnv([{ op: 'replace', path: '/env/co2', value: 900 }])).writes).toBe(1);
    expect(w.twin('R1').co2).toBe(900);
    expect((await patchEnv([{ op: 'replace', path: '/env/humidity', value: 31 }])).parentsRecomputed).toBe(0);
    w.propagator.close();
  });

  it('the trailing refresh re-reads the children after the query lag, so a change this instance never heard of still lands', async () => {
    const w = recWorld(recRules, 0.05);
    await w.setTemp('s1', 20);
    expect(w.twin('R1').temperature).toBe(22);
    // Another instance handled s2's notification; this one only sees s1 change again.
    w.port.set('s2', 'temperature', 40);
    await w.setTemp('s1', 20);
    expect(w.twin('R1').temperature).toBe(22); // the view does not know s2 changed yet
    await w.propagator.idle();
    expect(w.twin('R1').temperature).toBe(30);
    expect(w.propagator.stats.trailingRefreshes).toBeGreaterThanOrEqual(1);
    w.propagator.close();
  });
});

describe('failures are dead-lettered and counted', () => {
  it("an expression error dead-letters the event, rule and parent; the parent's other rules are still written", async () => {
    const rules: RollupRule[] = [
      recRules[0]!,
      {
        name: 'room-broken',
        parentModel: REC.room,
        relationships: ['isPointOf'],
        direction: 'incoming',
        childModel: REC.sensor,
        properties: { bad: { expression: '$avg($avg)', inputs: { avg: { aggregate: 'avg', of: 'temperature' } } } },
      },
    ];
    const w = recWorld(rules);
    const summary = await w.setTemp('s1', 30);
    expect(w.twin('R1').temperature).toBe(27);
    expect(summary.failures).toEqual([expect.objectContaining({ parentId: 'R1', rule: 'room-broken', reason: 'expression' })]);
    expect(summary.deadLettered).toBe(1);
    const [doc] = [...w.deadLetters.documents.values()];
    expect(doc).toMatchObject({
      reason: 'propagate-expression',
      properties: { source: 'propagate', rule: 'room-broken', parentId: 'R1', eventType: 'Microsoft.DigitalTwins.Twin.Update' },
    });
    expect(doc!.detail).toMatch(/expression failed: \$avg is not a function/);
    expect(doc!.body).toMatchObject({ encoding: 'json', value: { type: 'Microsoft.DigitalTwins.Twin.Update', subject: 's1' } });
    expect(w.propagator.stats).toMatchObject({ ruleFailures: 1, deadLettered: 1, failuresByReason: { expression: 1 } });
    w.propagator.close();
  });

  it('more children than maxChildren is dead-lettered with reason maxChildren', async () => {
    const w = recWorld();
    const compiled = compileRollups({ settings: { maxChildren: 1, gatherMilliseconds: 0 }, rules: recRules });
    const sink = new MemorySink();
    const p = new Propagator({ compiled, port: w.port, deadLetters: sink });
    const summary = await p.handle(twinUpdate('s1', REC.sensor, [{ op: 'replace', path: '/temperature', value: 1 }]), silentLogger);
    expect(summary.failures[0]).toMatchObject({ reason: 'maxChildren', rule: 'room' });
    expect([...sink.documents.values()][0]).toMatchObject({ reason: 'propagate-maxChildren' });
    p.close();
    w.propagator.close();
  });

  it('a malformed event is dead-lettered as it arrived', async () => {
    const w = recWorld();
    const summary = await w.handle({
      specversion: '1.0',
      id: 'bad-1',
      type: 'Microsoft.DigitalTwins.Twin.Update',
      source: 'x',
      subject: 's1',
      data: { patch: [] },
    });
    expect(summary).toMatchObject({ outcome: 'malformed', deadLettered: 1 });
    expect([...w.deadLetters.documents.entries()][0]).toEqual([
      expect.stringMatching(/^propagate\/bad-1\.json$/),
      expect.objectContaining({ reason: 'propagate-malformed' }),
    ]);
    expect(w.propagator.stats.malformed).toBe(1);
    w.propagator.close();
  });
});
