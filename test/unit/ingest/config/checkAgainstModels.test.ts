// Rule typos are found at load time against the models, with suggestions, instead of showing up as
// refused values message after message.
import { parsePipelineConfig } from '../../../../shared/config';
import { buildModelIndex } from '../../../../shared/dtdl';
import { checkIngestAgainstModels } from '../../../../shared/ingest';

const thermostat = {
  '@id': 'dtmi:test:Thermostat;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double' },
    { '@type': 'Property', name: 'targetTemperature', schema: 'double' },
    { '@type': 'Component', name: 'sensor', schema: 'dtmi:test:Sensor;1' },
  ],
};
const sensor = {
  '@id': 'dtmi:test:Sensor;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [{ '@type': 'Property', name: 'battery', schema: 'integer' }],
};
const index = buildModelIndex([thermostat, sensor]);

it('names each misspelt target, component and model with the closest real names', () => {
  const config = parsePipelineConfig(
    `ingest:
  rules:
    - { name: a, properties: [{ target: temprature }, { target: targetTemperature }] }
    - { name: b, properties: [{ target: sensr/battery }, { target: sensor/batery }] }
    - { name: c, match: { modelId: "dtmi:test:Thermostatt;1" }, properties: [{ target: temperature }] }
`,
    't.yaml',
  );
  expect(checkIngestAgainstModels(config.ingest, index)).toEqual([
    'ingest.rules[0].properties[0].target: "temprature" is not a property of any model (did you mean "temperature"?)',
    'ingest.rules[1].properties[0].target: no model has a component "sensr" (did you mean "sensor"?)',
    'ingest.rules[1].properties[1].target: "sensor/batery" is not a property of any model (did you mean "battery"?)',
    'ingest.rules[2].match.modelId: no model matches it (models: dtmi:test:Thermostat;1, dtmi:test:Sensor;1)',
  ]);
});

it('finds nothing wrong with rules that fit the models', () => {
  const config = parsePipelineConfig(
    'ingest:\n  rules:\n    - { name: a, match: { modelId: "dtmi:test:*" }, properties: [{ target: temperature }, { target: sensor/battery }] }\n',
    't.yaml',
  );
  expect(checkIngestAgainstModels(config.ingest, index)).toEqual([]);
});
