// The files of a new scenario: the smallest one that exercises the whole loop — two temperature
// sensors in one room, an ingest rule, a roll-up (avg, max and count), a few messages — so a user
// starts from something that runs and changes it piece by piece. The README says what to edit.

/** A DTMI segment from the folder name (`My Site` → `mysite`); DTMI segments start with a letter. */
export function modelNamespace(folderName: string): string {
  const slug = folderName.toLowerCase().replace(/[^a-z0-9]/g, '');
  return /^[a-z]/.test(slug) ? slug : `s${slug}`;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export function scenarioFiles(name: string): Record<string, string> {
  const ns = modelNamespace(name);
  const room = `dtmi:example:${ns}:Room;1`;
  const sensor = `dtmi:example:${ns}:TemperatureSensor;1`;
  const readings: Array<[string, number, string]> = [
    ['sensor-1', 20.5, '2024-05-01T08:00:00.000Z'],
    ['sensor-2', 22.5, '2024-05-01T08:00:01.000Z'],
    ['sensor-1', 21.5, '2024-05-01T08:01:00.000Z'],
    ['sensor-2', 23.5, '2024-05-01T08:01:01.000Z'],
  ];
  const telemetry = readings
    .map(([deviceId, temperature, at], i) =>
      JSON.stringify({ deviceId, enqueuedTime: at, messageId: `${deviceId}-${i + 1}`, body: { temperature, ts: at } }),
    )
    .join('\n');
  const graph = [
    { Section: 'Header' },
    { fileVersion: '1.0.0', author: 'npm run new-scenario', organization: name },
    { Section: 'Twins' },
    { $dtId: 'room-1', $metadata: { $model: room }, name: 'Room 1' },
    { $dtId: 'sensor-1', $metadata: { $model: sensor } },
    { $dtId: 'sensor-2', $metadata: { $model: sensor } },
    { Section: 'Relationships' },
    { $dtId: 'room-1', $relationshipId: 'room-1-sensor-1', $targetId: 'sensor-1', $relationshipName: 'hasSensor' },
    { $dtId: 'room-1', $relationshipId: 'room-1-sensor-2', $targetId: 'sensor-2', $relationshipName: 'hasSensor' },
  ];
  return {
    'models/Room.json': json({
      '@context': 'dtmi:dtdl:context;3',
      '@id': room,
      '@type': 'Interface',
      displayName: 'Room',
      contents: [
        { '@type': 'Property', name: 'name', schema: 'string' },
        { '@type': 'Property', name: 'temperature', schema: 'double' },
        { '@type': 'Property', name: 'maxTemperature', schema: 'double' },
        { '@type': 'Property', name: 'sensors', schema: 'integer' },
        { '@type': 'Relationship', name: 'hasSensor', target: sensor },
      ],
    }),
    'models/TemperatureSensor.json': json({
      '@context': 'dtmi:dtdl:context;3',
      '@id': sensor,
      '@type': 'Interface',
      displayName: 'Temperature sensor',
      contents: [{ '@type': 'Property', name: 'temperature', schema: 'double' }],
    }),
    'graph.ndjson': `${graph.map((line) => JSON.stringify(line)).join('\n')}\n`,
    'telemetry.ndjson': `${telemetry}\n`,
    'pipeline.yaml': `# How device messages become twin values (ingest) and how parents derive values from their
# children (rollups). Reference: shared/config/CONFIGURATION.md and shared/rollup/ROLLUPS.md.
ingest:
  options:
    sourceTime: ts            # the device's reading time in the body (else the enqueued time)
  twinId: "{deviceId}"        # device sensor-1 writes twin sensor-1
  unknownTwin:
    action: dead-letter       # a device without a twin is dead-lettered, not created
  rules:
    - name: temperature-sensors
      match: { deviceId: "sensor-*" }
      properties:
        - target: temperature   # body field of the same name (use source: to read another one)
          range: { min: -40, max: 85 }

rollups:
  rules:
    - name: room-temperature
      parentModel: ${room}
      relationships: [hasSensor]
      childModel: ${sensor}
      properties:
        temperature: { aggregate: avg, of: temperature }
        maxTemperature: { aggregate: max, of: temperature }
        sensors: { aggregate: count }
`,
    'README.md': `# Scenario ${name}

Made by \`npm run new-scenario\`: one room (\`room-1\`) with two temperature sensors. Run it as it is
first, then change it one file at a time; every command below checks the scenario when it loads it
and names the file, line or rule of each problem.

| file | what to edit |
|---|---|
| \`models/*.json\` | your DTDL interfaces (one per file, or an array). Keep the DTMIs consistent with the rest. |
| \`graph.ndjson\` | your twins and relationships (ADT import-job format: Header, Twins, Relationships). Each \`$model\` must be one of \`models/\`; each relationship name must be declared on its source twin's model. |
| \`pipeline.yaml\` | \`ingest\`: which device writes which twin and property; \`rollups\`: derived values on parents (avg, max, count, …). Delete the file to run on the defaults (twin id = device id, body fields mapped by the model). |
| \`telemetry.ndjson\` | device messages to replay, one envelope a line (\`deviceId\`, \`enqueuedTime\`, \`body\`, optional \`messageId\`, \`properties\`). |

From the repository root:

\`\`\`sh
npm run map -- --scenario <this folder> --message <this folder>/telemetry.ndjson   # what each message would write (no ADT)
npm run local -- --scenario <this folder>                            # the whole loop offline; prints the twin tree
npm run reconcile -- --scenario <this folder>                        # every derived value from the graph
\`\`\`

After \`npm run local\`, \`room-1\` has \`temperature\` 22.5 (the average of the sensors' last readings,
21.5 and 23.5), \`maxTemperature\` 23.5 and \`sensors\` 2.
`,
  };
}
