// The trigger registrations and infra agree: connection prefixes in identity form, %settings% set.

import { ingestTelemetryOptions } from '../../functions/ingestTelemetry';
import { loadCompiled, moduleOf } from './support/compiledTemplates';

function routedSettings(): Record<string, unknown> {
  const variables = moduleOf(loadCompiled('main.json'), 'app-settings').template.variables as Record<string, Record<string, unknown>>;
  return { ...variables.common, ...variables.routedEventHub };
}

describe('trigger bindings vs infra', () => {
  it('the ingest trigger connection resolves with the managed identity', () => {
    const applied = routedSettings();
    expect(applied[`${ingestTelemetryOptions.connection}__fullyQualifiedNamespace`]).toBeDefined();
    expect(applied[`${ingestTelemetryOptions.connection}__credential`]).toBe('managedidentity');
    expect(applied).not.toHaveProperty([ingestTelemetryOptions.connection]);
  });

  it('every %setting% the ingest trigger names is set', () => {
    const applied = routedSettings();
    const referenced = [ingestTelemetryOptions.eventHubName, ingestTelemetryOptions.consumerGroup ?? ''].map(
      (v) => /^%(.+)%$/.exec(v)?.[1],
    );
    expect(referenced).not.toContain(undefined);
    for (const name of referenced) expect(applied).toHaveProperty([name as string]);
  });
});
