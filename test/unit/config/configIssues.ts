// The problems the configuration loader reports for a text it refuses (it must refuse it).
import { ConfigError } from '../../../shared/config/errors';
import { parsePipelineConfig } from '../../../shared/config/load';

export function issuesOf(text: string): readonly string[] {
  try {
    parsePipelineConfig(text, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the config to be rejected');
}
