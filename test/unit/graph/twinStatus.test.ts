// What a twin's node says about its state, decided from the twin document and the scenario's rules:
// connection state (IoT Hub's words, a configured boolean and change time), conditions (raised,
// pending, clearing; boolean or state strings), staleness, decommission; each as a class and a
// text badge. And the rules as the page lists them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ancestorsOf, derivationsWithStates, ruleListOf, statusRulesOf } from '../../../local/graph/scenarioRules';
import { defaultStatusRules, type StatusRules, twinStatus } from '../../../local/graph/twinStatus';
import { loadPipelineConfigFile } from '../../../shared/config';

const room = 'dtmi:x:Room;1';
const office = 'dtmi:x:Office;1';
const sensor = 'dtmi:x:Sensor;1';

const rules: StatusRules = {
  connection: { property: 'connectionState', connectedProperty: 'online', lastChangeProperty: 'connectionChanged' },
  conditions: [
    {
      name: 'overheated',
      model: room,
      property: 'overheated',
      raised: true,
      cleared: false,
      since: 'overheatedSince',
      pending: 'overheatedPending',
    },
    { name: 'air', model: room, property: 'airQuality', raised: 'poor', cleared: 'good' },
  ],
  staleness: [{ model: sensor, property: 'stale', maxAgeSeconds: 900 }],
  decommission: { status: 'retired' },
  ancestors: { [office]: [room] },
};

const twin = (model: string, values: Record<string, unknown>) => ({ $dtId: 't', $metadata: { $model: model }, ...values });

it('IoT Hub words on the connectionState property: connected or disconnected, with a badge either way', () => {
  expect(twinStatus(twin(sensor, { connectionState: 'Connected' }), defaultStatusRules)).toEqual({
    connection: { connected: true, text: 'Connected' },
    classes: ['connected'],
    badges: ['● Connected'],
  });
  expect(twinStatus(twin(sensor, { connectionState: 'Disconnected' }), defaultStatusRules)).toMatchObject({
    connection: { connected: false, text: 'Disconnected' },
    classes: ['disconnected'],
    badges: ['○ Disconnected'],
  });
  // Another word is shown as it is, marked as neither.
  expect(twinStatus(twin(sensor, { connectionState: 'Flapping' }), defaultStatusRules)).toMatchObject({
    classes: ['connection-unknown'],
    badges: ['? Flapping'],
  });
  // Nothing to show: no status at all (the node is drawn as before).
  expect(twinStatus(twin(sensor, { temperature: 21 }), defaultStatusRules)).toBeUndefined();
  // A property of that name elsewhere in the configuration is not read by default.
  expect(twinStatus(twin(sensor, { online: true }), defaultStatusRules)).toBeUndefined();
});

it('a configured boolean alone decides it; the change time is shown with it', () => {
  expect(twinStatus(twin(sensor, { online: false, connectionChanged: '2024-05-01T08:00:30.000Z' }), rules)).toMatchObject({
    connection: { connected: false, text: 'Disconnected', since: '2024-05-01T08:00:30.000Z' },
    classes: ['disconnected'],
  });
  // The string property, when written, is IoT Hub's own word and wins.
  expect(twinStatus(twin(sensor, { online: false, connectionState: 'Connected' }), rules)?.classes).toEqual(['connected']);
});

it('conditions: raised (boolean or state string), pending while a duration runs, clearing, and cleared without a badge', () => {
  const raised = twinStatus(twin(room, { overheated: true, overheatedSince: '2024-05-01T08:05:00.000Z' }), rules);
  expect(raised).toEqual({
    conditions: [{ name: 'overheated', state: 'raised', value: true, since: '2024-05-01T08:05:00.000Z' }],
    classes: ['condition-raised'],
    badges: ['▲ overheated'],
  });
  const pending = twinStatus(twin(room, { overheated: false, overheatedPending: '2024-05-01T08:00:00.000Z' }), rules);
  expect(pending).toMatchObject({ classes: ['condition-pending'], badges: ['△ overheated (pending)'] });
  expect(pending?.conditions).toEqual([{ name: 'overheated', state: 'raising', value: false, pendingSince: '2024-05-01T08:00:00.000Z' }]);
  const clearing = twinStatus(twin(room, { overheated: true, overheatedPending: '2024-05-01T08:09:00.000Z' }), rules);
  expect(clearing).toMatchObject({ classes: ['condition-raised'], badges: ['▲ overheated (clearing)'] });
  const cleared = twinStatus(twin(room, { overheated: false, airQuality: 'good' }), rules);
  expect(cleared).toMatchObject({ classes: [], badges: [] });
  expect(cleared?.conditions?.map((c) => [c.name, c.state])).toEqual([
    ['overheated', 'cleared'],
    ['air', 'cleared'],
  ]);
  // State strings: the raised word is the badge.
  expect(twinStatus(twin(room, { airQuality: 'poor' }), rules)?.badges).toEqual(['▲ air: poor']);
  // A twin whose state has not been written yet shows no condition; a twin of another model neither.
  expect(twinStatus(twin(room, { temperature: 30 }), rules)).toBeUndefined();
  expect(twinStatus(twin(sensor, { overheated: true }), rules)).toBeUndefined();
});

it('a rule on a base model applies to twins of models that extend it', () => {
  expect(twinStatus(twin(office, { overheated: true }), rules)?.classes).toEqual(['condition-raised']);
  expect(twinStatus(twin(office, { overheated: true }), { ...rules, ancestors: {} })).toBeUndefined();
  expect(
    ancestorsOf([
      { '@id': 'dtmi:x:A;1' },
      { '@id': 'dtmi:x:B;1', extends: 'dtmi:x:A;1' },
      { '@id': 'dtmi:x:C;1', extends: ['dtmi:x:B;1'] },
    ]),
  ).toEqual({ 'dtmi:x:B;1': ['dtmi:x:A;1'], 'dtmi:x:C;1': ['dtmi:x:A;1', 'dtmi:x:B;1'] });
});

it('stale, decommissioned, and every state at once in a fixed order', () => {
  expect(twinStatus(twin(sensor, { stale: true }), rules)).toEqual({
    stale: { property: 'stale', maxAgeSeconds: 900 },
    classes: ['stale'],
    badges: ['◌ stale'],
  });
  expect(twinStatus(twin(sensor, { stale: false }), rules)).toBeUndefined();
  expect(twinStatus(twin(sensor, { status: 'retired' }), rules)).toMatchObject({ decommissioned: true, classes: ['decommissioned'] });
  expect(twinStatus(twin(sensor, { status: 'active' }), rules)).toBeUndefined();
  const all = twinStatus(twin(sensor, { connectionState: 'Disconnected', stale: true, status: 'retired' }), {
    ...rules,
    conditions: [{ name: 'hot', model: sensor, property: 'hot', raised: true, cleared: false }],
  });
  expect(all?.classes).toEqual(['disconnected', 'stale', 'decommissioned']);
  const withHot = twinStatus(twin(sensor, { connectionState: 'Connected', hot: true, stale: true }), {
    ...rules,
    conditions: [{ name: 'hot', model: sensor, property: 'hot', raised: true, cleared: false }],
  });
  expect(withHot?.classes).toEqual(['connected', 'condition-raised', 'stale']);
  expect(withHot?.badges).toEqual(['● Connected', '▲ hot', '◌ stale']);
});

it('a property named __proto__ or inherited from Object is never read as a state', () => {
  const hostile = JSON.parse('{"$dtId":"t","$metadata":{"$model":"dtmi:x:Sensor;1"}}') as Record<string, unknown>;
  expect(twinStatus(hostile, { ...defaultStatusRules, connection: { property: 'toString' } })).toBeUndefined();
});

it('reads the rules from a pipeline file: connection names, conditions, staleness, decommission', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-rules-'));
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `ingest:
  connectionState: { property: link, connectedProperty: online, lastChangeProperty: linkChanged }
  lifecycle: { onDelete: decommission, decommission: { status: retired } }
rollups:
  rules:
    - name: room-climate
      parentModel: ${room}
      relationships: [hasDevice]
      childModel: ${sensor}
      properties: { temperature: { aggregate: avg, of: temperature } }
  conditions:
    - name: overheated
      model: ${room}
      when: temperature > 26
      clear: temperature < 25
      raiseAfter: 300
      write: { property: overheated, states: { raised: hot, cleared: ok }, since: overheatedSince, pending: overheatedPending }
  staleness:
    - { model: ${sensor}, maxAge: 900 }
`,
  );
  const config = loadPipelineConfigFile(file);
  expect(statusRulesOf(config)).toEqual({
    connection: { property: 'link', connectedProperty: 'online', lastChangeProperty: 'linkChanged' },
    conditions: [
      {
        name: 'overheated',
        model: room,
        property: 'overheated',
        raised: 'hot',
        cleared: 'ok',
        since: 'overheatedSince',
        pending: 'overheatedPending',
      },
    ],
    staleness: [{ model: sensor, property: 'stale', maxAgeSeconds: 900 }],
    decommission: { status: 'retired' },
    ancestors: {},
  });
  expect(statusRulesOf(undefined)).toEqual(defaultStatusRules);
  expect(ruleListOf(config.rollups)).toEqual([
    { kind: 'rollup', name: 'room-climate', model: 'Room', how: 'temperature = avg of temperature over hasDevice → Sensor' },
    {
      kind: 'condition',
      name: 'overheated',
      model: 'Room',
      how: 'raised when temperature > 26 for 300 s; cleared when temperature < 25; writes overheated = "hot" / "ok", overheatedSince = when it changed',
    },
    {
      kind: 'staleness',
      name: 'stale Sensor',
      model: 'Sensor',
      how: 'no write for 900 s → stale = true (false again on the next write)',
    },
  ]);
  expect(ruleListOf(undefined)).toEqual([]);
});

it('marks the properties a condition or staleness entry writes with its rule, on extending models too, beside the roll-ups', () => {
  const rollups = {
    rules: [
      {
        name: 'room-climate',
        parentModel: room,
        relationships: ['hasDevice'],
        properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
      },
    ],
    conditions: [
      {
        name: 'overheated',
        model: room,
        when: 'temperature > 26',
        write: { property: 'overheated', since: 'overheatedSince', pending: 'overheatedPending' },
      },
    ],
    staleness: [{ model: sensor, maxAge: 900 }],
  };
  const marks = derivationsWithStates(rollups, [{ '@id': room }, { '@id': office, extends: room }, { '@id': sensor }]);
  expect(marks[room]?.temperature?.rule).toBe('room-climate');
  expect(marks[room]?.overheated).toEqual({
    rule: 'overheated',
    how: 'condition: raised when temperature > 26; cleared when not (temperature > 26); writes overheated = true / false, overheatedSince = when it changed',
  });
  expect(marks[room]?.overheatedSince?.how).toBe('condition overheated: when its state last changed');
  expect(marks[room]?.overheatedPending?.rule).toBe('overheated');
  expect(Object.keys(marks[office] ?? {}).sort()).toEqual(['overheated', 'overheatedPending', 'overheatedSince']);
  expect(marks[sensor]?.stale).toEqual({ rule: 'stale Sensor', how: 'staleness: true after 900 s without a write' });
  expect(derivationsWithStates(undefined)).toEqual({});
});
