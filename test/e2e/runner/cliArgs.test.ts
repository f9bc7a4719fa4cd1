// Command-line flags of `npm run local` and `npm run simulate`.
import { parseCliArgs } from '../../../local/runner/cliArgs';
import { parseSimulateArgs } from '../../../local/simulator/simulateArgs';

describe('npm run local flags', () => {
  it('runs the sample building with defaults when given nothing', () => {
    expect(parseCliArgs([])).toEqual({ help: false, json: false, quiet: false, run: {} });
  });

  it('maps every flag to a run option', () => {
    const cli = parseCliArgs([
      '--scenario',
      's',
      '--telemetry',
      't.ndjson',
      '--dump',
      'o.json',
      '--schema',
      'eventgrid',
      '--follow',
      '--ingress-port',
      '0',
      '--adt-url',
      'https://x.api.weu.digitaltwins.azure.net',
      '--azurite',
      '--dead-letters',
      'dl',
      '--partitions',
      '8',
      '--batch-size',
      '16',
      '--fast-retries',
      '--json',
    ]);
    expect(cli.json).toBe(true);
    expect(cli.run).toEqual({
      scenario: 's',
      telemetry: 't.ndjson',
      dump: 'o.json',
      schema: 'EventGrid',
      follow: true,
      ingressPort: 0,
      adtUrl: 'https://x.api.weu.digitaltwins.azure.net',
      azurite: true,
      deadLetterDirectory: 'dl',
      partitions: 8,
      maxBatchSize: 16,
      maxRetryDelayMs: 1000,
    });
  });

  it('says what is wrong with a bad value', () => {
    expect(() => parseCliArgs(['--schema', 'xml'])).toThrow('--schema must be CloudEvents or EventGrid (got "xml").');
    expect(() => parseCliArgs(['--partitions', '0'])).toThrow('--partitions must be a positive integer (got "0").');
    expect(() => parseCliArgs(['--bogus'])).toThrow(/Unknown option '--bogus'/);
  });
});

describe('npm run simulate flags', () => {
  it('turns rate × duration into a message count and picks one target', () => {
    expect(parseSimulateArgs(['--rate', '10', '--duration', '30', '--out', 'x.ndjson'])).toEqual({
      help: false,
      rate: 10,
      count: 300,
      seed: 1,
      target: { kind: 'file', path: 'x.ndjson' },
    });
    expect(parseSimulateArgs(['--count', '7', '--to', 'http://127.0.0.1:7300', '--seed', '9']).target).toEqual({
      kind: 'runner',
      url: 'http://127.0.0.1:7300',
    });
    expect(parseSimulateArgs(['--event-hub-namespace', 'ns', '--event-hub-name', 'telemetry']).target).toEqual({
      kind: 'eventHub',
      namespace: 'ns',
      eventHubName: 'telemetry',
    });
  });

  it('refuses ambiguous or invalid input', () => {
    expect(() => parseSimulateArgs(['--out', 'a', '--to', 'http://127.0.0.1:1'])).toThrow(
      'Choose one target: --out, --to or an Event Hub.',
    );
    expect(() => parseSimulateArgs(['--count', '5', '--duration', '5'])).toThrow('Give --count or --duration, not both.');
    expect(() => parseSimulateArgs(['--rate', '0'])).toThrow('--rate must be a positive number (got "0").');
    expect(() => parseSimulateArgs(['--start', 'yesterday'])).toThrow('--start must be an ISO 8601 date-time (got "yesterday").');
  });
});
