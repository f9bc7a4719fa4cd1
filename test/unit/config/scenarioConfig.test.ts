import { join } from 'node:path';

import { loadPipelineConfig } from '../../../shared/config/load';

describe('sample building pipeline.yaml', () => {
  it('loads through the PIPELINE_CONFIG_PATH setting relative to the app root', () => {
    const config = loadPipelineConfig({ PIPELINE_CONFIG_PATH: 'local/scenarios/building/pipeline.yaml' }, join(__dirname, '../../..'));
    expect(config.ingest.rules.map((r) => r.name)).toEqual(['thermostat', 'occupancy']);
    expect(config.ingest.options.sourceTime?.text).toBe('ts');
    expect(config.ingest.rules[0]?.properties.map((p) => p.target.property)).toEqual([
      'temperature',
      'humidity',
      'targetTemperature',
      'firmwareVersion',
    ]);
  });
});
