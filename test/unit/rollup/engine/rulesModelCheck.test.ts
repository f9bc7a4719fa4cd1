// The deployed function checks its roll-up rules against the instance's models on the first
// propagate invocation (it never lists all models at start): logged as an error, dead-lettered once.
import { compilePipelineConfig } from '../../../../shared/config';
import { RULES_MODELS_REASON, silentLogger } from '../../../../shared/rollup';
import { createWorker } from '../../../../shared/worker';
import { MemorySink } from '../../../support/memorySink';
import { FakeClock, FakePort } from '../../adt/fakes';

const ctx = 'dtmi:dtdl:context;3';
const models = [
  {
    '@context': ctx,
    '@id': 'dtmi:t:Room;1',
    '@type': 'Interface',
    contents: [
      { '@type': 'Property', name: 'temperature', schema: 'double' },
      { '@type': 'Relationship', name: 'hasDevice' },
    ],
  },
  {
    '@context': ctx,
    '@id': 'dtmi:t:Sensor;1',
    '@type': 'Interface',
    contents: [{ '@type': 'Property', name: 'temperature', schema: 'double' }],
  },
];

function setup(relationship: string) {
  const port = new FakePort(models);
  const sink = new MemorySink();
  const clock = new FakeClock();
  const config = compilePipelineConfig(
    {
      rollups: {
        rules: [
          {
            name: 'room-climate',
            parentModel: 'dtmi:t:Room;1',
            relationships: [relationship],
            childModel: 'dtmi:t:Sensor;1',
            properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
          },
        ],
      },
    },
    'test.yaml',
  );
  const w = createWorker({ env: {}, config, port, deadLetters: sink, clock });
  const errors: string[] = [];
  const log = { ...silentLogger, error: (m: unknown) => errors.push(String(m)) };
  return { port, sink, clock, w, errors, log };
}

const malformed = { hello: 'not an event' };

describe('roll-up rules against the instance models, on first use', () => {
  it('logs and dead-letters a misspelt relationship once, and propagation goes on', async () => {
    const { w, sink, errors, log, port } = setup('hasDevices');
    await w.propagator.handle(malformed, log);
    await w.propagator.handle(malformed, log);
    const ruleErrors = errors.filter((e) => e.includes('do not fit the models'));
    expect(ruleErrors).toHaveLength(1);
    expect(ruleErrors[0]).toContain(
      'Roll-up rule "room-climate": relationship "hasDevices" is not a relationship of dtmi:t:Room;1, the parent model (direction outgoing: parent → child) (did you mean "hasDevice"?).',
    );
    const letters = sink.documents.filter((d) => d.reason === RULES_MODELS_REASON);
    expect(letters).toHaveLength(1);
    expect(letters[0]?.detail).toContain('relationship "hasDevices"');
    expect(port.count('getModels')).toBe(1);
    expect(w.propagator.stats.events).toBe(2); // both events were still handled
    w.close();
  });

  it('stays quiet when the rules fit', async () => {
    const { w, sink, errors, log } = setup('hasDevice');
    await w.propagator.handle(malformed, log);
    expect(errors.filter((e) => e.includes('do not fit'))).toEqual([]);
    expect(sink.documents.filter((d) => d.reason === RULES_MODELS_REASON)).toEqual([]);
    w.close();
  });

  it('a failed model listing is retried after a minute, not on every event', async () => {
    const { w, errors, log, port, clock } = setup('hasDevices');
    port.script.set('getModels', [{ status: 400, code: 'BadRequest', message: 'nope' }]);
    const warnings: string[] = [];
    const logged = { ...log, warn: (m: unknown) => warnings.push(String(m)) };
    await w.propagator.handle(malformed, logged);
    await w.propagator.handle(malformed, logged);
    expect(warnings.filter((m) => m.includes('not yet checked'))).toHaveLength(1);
    expect(port.count('getModels')).toBe(1);
    clock.time += 61_000;
    await w.propagator.handle(malformed, logged);
    expect(port.count('getModels')).toBe(2);
    expect(errors.filter((e) => e.includes('do not fit'))).toHaveLength(1);
    w.close();
  });

  it('the reconcile timer runs the same check, once per worker shared with propagate', async () => {
    const { w, sink, errors, log, port } = setup('hasDevices');
    await w.reconciler.run(log);
    await w.propagator.handle(malformed, log);
    expect(errors.filter((e) => e.includes('relationship "hasDevices"'))).toHaveLength(1);
    expect(sink.documents.filter((d) => d.reason === RULES_MODELS_REASON)).toHaveLength(1);
    expect(port.count('getModels')).toBe(1);
    w.close();
  });
});
