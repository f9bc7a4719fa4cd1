// Mermaid and DOT text of a tiny graph, exactly: docs paste it as it is.
import { buildGraphView, derivationsOf, toDot, toMermaid } from '../../../local/graph';

const room = 'dtmi:example:Room;1';
const sensor = 'dtmi:example:Sensor;1';
const rules = [
  {
    name: 'room-climate',
    parentModel: room,
    relationships: ['hasDevice'],
    childModel: sensor,
    properties: { temperature: { aggregate: 'avg' as const, of: 'temperature' } },
  },
];
const twins = [
  { $dtId: 'room-1', $metadata: { $model: room }, name: 'Room "A" <1>', temperature: 21.456 },
  { $dtId: 'sensor-1', $metadata: { $model: sensor }, temperature: 21.456 },
];
const relationships = [{ $relationshipId: 'r1', $sourceId: 'room-1', $targetId: 'sensor-1', $relationshipName: 'hasDevice' }];
const graph = buildGraphView(twins, relationships, derivationsOf(rules));

it('writes Mermaid: one node per twin with its values, derived ones followed by [rule], edges labelled, colours per model', () => {
  expect(toMermaid(graph)).toBe(
    [
      'flowchart TD',
      '  n1["room-1 (Room)<br/>name: Room #34;A#34; #60;1#62;<br/>temperature: 21.46 [room-climate]"]',
      '  n2["sensor-1 (Sensor)<br/>temperature: 21.46"]',
      '  n1 -->|hasDevice| n2',
      '  classDef m1 fill:#4e79a7,stroke:#333,color:#fff',
      '  class n1 m1',
      '  classDef m2 fill:#f28e2b,stroke:#333,color:#fff',
      '  class n2 m2',
      '',
    ].join('\n'),
  );
});

it('writes Graphviz DOT with quoted ids and labels', () => {
  expect(toDot(graph)).toBe(
    [
      'digraph twins {',
      '  rankdir=TB;',
      '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontcolor="white"];',
      '  edge [fontname="Helvetica", fontsize=10];',
      '  "room-1" [label="room-1 (Room)\\nname: Room \\"A\\" <1>\\ntemperature: 21.46 [room-climate]", fillcolor="#4e79a7"];',
      '  "sensor-1" [label="sensor-1 (Sensor)\\ntemperature: 21.46", fillcolor="#f28e2b"];',
      '  "room-1" -> "sensor-1" [label="hasDevice"];',
      '}',
      '',
    ].join('\n'),
  );
});

it('leaves out a Mermaid edge to a twin that is not in the graph (Mermaid would invent a node)', () => {
  const dangling = buildGraphView(twins.slice(0, 1), relationships, {});
  expect(toMermaid(dangling)).not.toContain('-->');
  expect(toDot(dangling)).toContain('"room-1" -> "sensor-1"');
});

it("puts a twin's state badges under its name: connection, raised condition, stale", () => {
  const withStates = buildGraphView(
    [{ $dtId: 'sensor-1', $metadata: { $model: sensor }, connectionState: 'Disconnected', hot: true, stale: true }],
    [],
    {},
    [],
    {
      connection: { property: 'connectionState' },
      conditions: [{ name: 'hot', model: sensor, property: 'hot', raised: true, cleared: false }],
      staleness: [{ model: sensor, property: 'stale', maxAgeSeconds: 60 }],
    },
  );
  expect(toMermaid(withStates)).toContain(
    'n1["sensor-1 (Sensor)<br/>○ Disconnected  ▲ hot  ◌ stale<br/>connectionState: Disconnected<br/>hot: true<br/>stale: true"]',
  );
  expect(toDot(withStates)).toContain('label="sensor-1 (Sensor)\\n○ Disconnected  ▲ hot  ◌ stale\\nconnectionState: Disconnected');
});
