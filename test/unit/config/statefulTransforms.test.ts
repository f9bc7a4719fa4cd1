// Load-time checks of stateful transforms (integrate, rate, ema, delta, counter): every problem with
// its file:line, the input property checked against the models with a suggestion.
import { ConfigError } from '../../../shared/config/errors';
import { parsePipelineConfig } from '../../../shared/config/load';

const meterModel = {
  '@id': 'dtmi:test:Meter;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;2',
  contents: [
    { '@type': 'Property', name: 'power', schema: 'double' },
    { '@type': 'Property', name: 'energy', schema: 'double' },
    { '@type': 'Property', name: 'pulses', schema: 'long' },
    { '@type': 'Property', name: 'pulseTotal', schema: 'long' },
    { '@type': 'Property', name: 'label', schema: 'string' },
  ],
};

function located(text: string): string[] {
  try {
    parsePipelineConfig(text, 'pipeline.yaml', { models: [meterModel] });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).locatedIssues;
  }
  throw new Error('expected the config to be rejected');
}

it('accepts each stateful transform and compiles its step', () => {
  const config = parsePipelineConfig(
    `ingest:
  rules:
    - name: meter
      properties:
        - { target: energy, source: watts, transform: { unit: { from: W, to: kW }, integrate: { input: power, per: hour, maxGapSeconds: 900 } } }
        - { target: pulseTotal, source: count, transform: { counter: { input: pulses } } }
`,
    'pipeline.yaml',
    { models: [meterModel] },
  );
  const [energy, total] = config.ingest.rules[0]?.properties ?? [];
  expect(energy?.transform.stateful).toEqual({ kind: 'integrate', input: 'power', perSeconds: 3600, maxGapSeconds: 900 });
  expect(energy?.transform.apply(1500)).toEqual({ ok: true, value: 1.5 });
  expect(total?.transform.stateful).toEqual({ kind: 'counter', input: 'pulses' });
});

it('refuses an unknown input (did you mean), a bad time constant, a non-numeric or integer target, two steps, and an input mapped twice — each at its line', () => {
  const issues = located(`ingest:
  rules:
    - name: meter
      properties:
        - { target: energy, source: watts, transform: { integrate: { input: powr } } }
        - { target: label, transform: { delta: { input: power } } }
        - { target: pulseTotal, transform: { rate: { input: pulses } } }
        - { target: energy, transform: { ema: { input: power, timeConstantSeconds: 0 } } }
        - { target: power, transform: { counter: { input: pulses }, delta: { input: pulses } } }
    - name: twice
      properties:
        - { target: energy, transform: { integrate: { input: power, per: fortnight } } }
        - { target: power }
        - { target: pulseTotal, transform: { counter: { input: pulseTotal } } }
        - { target: pulses, transform: { counter: { input: power }, type: string } }
`);
  expect(issues).toEqual(
    expect.arrayContaining([
      'pipeline.yaml:5:77: ingest.rules[0].properties[0].transform.integrate.input: "powr" is not a property of dtmi:test:Meter;1 (did you mean "power"?)',
      expect.stringMatching(
        /^pipeline\.yaml:6:\d+: ingest\.rules\[0\]\.properties\[1\]\.target: delta writes a number, but "label" in dtmi:test:Meter;1 is string$/,
      ),
      expect.stringMatching(
        /^pipeline\.yaml:7:\d+: ingest\.rules\[0\]\.properties\[2\]\.target: rate makes fractions, but "pulseTotal" .* is long; declare it double$/,
      ),
      expect.stringMatching(/^pipeline\.yaml:8:\d+: ingest\.rules\[0\]\.properties\[3\]\.transform\.ema\.timeConstantSeconds: must be > 0/),
      expect.stringMatching(
        /^pipeline\.yaml:9:\d+: ingest\.rules\[0\]\.properties\[4\]\.transform\.counter: set only one stateful step per mapping \(found delta, counter\)$/,
      ),
      expect.stringMatching(
        /^pipeline\.yaml:12:\d+: ingest\.rules\[1\]\.properties\[0\]\.transform\.integrate\.per: "fortnight" is not one of second, minute, hour/,
      ),
      expect.stringMatching(
        /^pipeline\.yaml:14:\d+: ingest\.rules\[1\]\.properties\[2\]\.transform\.counter\.input: "pulseTotal" is the target itself/,
      ),
      expect.stringMatching(
        /^pipeline\.yaml:12:\d+: ingest\.rules\[1\]\.properties\[0\]\.transform\.integrate\.input: "power" is also mapped by ingest\.rules\[1\]\.properties\[1\]/,
      ),
      expect.stringMatching(
        /^pipeline\.yaml:15:\d+: ingest\.rules\[1\]\.properties\[3\]\.transform\.type: counter folds numbers; type "string"/,
      ),
    ]),
  );
});

it('refuses an input that another mapping of the rule also writes (the step writes it, with the total)', () => {
  const issues = located(`ingest:
  rules:
    - name: meter
      properties:
        - { target: energy, source: watts, transform: { integrate: { input: power } } }
        - { target: power, source: watts }
`);
  expect(issues).toEqual([
    'pipeline.yaml:5:77: ingest.rules[0].properties[0].transform.integrate.input: "power" is also mapped by ingest.rules[0].properties[1]; the integrate step writes its input itself (with the total, in one PATCH), so remove that mapping',
  ]);
});

it('refuses stateful transforms without sourceTimes (the state time is the input $metadata sourceTime)', () => {
  const issues = located(`ingest:
  options: { emitSourceTime: false }
  rules:
    - name: meter
      properties:
        - { target: energy, source: watts, transform: { integrate: { input: power } } }
`);
  expect(issues).toEqual([
    expect.stringMatching(
      /^pipeline\.yaml:2:\d+: ingest\.options\.emitSourceTime: must be true when a mapping has a stateful transform \(ingest\.rules\[0\]\.properties\[0\]\.transform\.integrate\)/,
    ),
  ]);
});

it('refuses an integer input beside a fractional target (a reading with a fraction would be refused for the input alone)', () => {
  const issues = located(`ingest:
  rules:
    - name: meter
      properties:
        - { target: energy, source: watts, transform: { integrate: { input: pulses } } }
`);
  expect(issues).toEqual([
    'pipeline.yaml:5:77: ingest.rules[0].properties[0].transform.integrate.input: "pulses" in dtmi:test:Meter;1 is long, but readings may have fractions (the target is not an integer); declare it double',
  ]);
});
