// Small pure pieces of the emulator: path splitting, conditional headers, clock, de-duplication, CLI flags.
import { parseCliArgs, parseEndpoint, parseKeyValues } from '../../../local/emulator/cliArgs';
import { adtNow, isIsoDateTime } from '../../../local/emulator/clock';
import { checkIfMatch, checkIfNoneMatch } from '../../../local/emulator/conditions';
import { AdtError, errors } from '../../../local/emulator/errors';
import { Router, splitPath } from '../../../local/emulator/http/router';
import { TelemetryDeduplicator } from '../../../local/emulator/telemetryDedup';

const code = (run: () => void): string | undefined => {
  try {
    run();
  } catch (error) {
    return error instanceof AdtError ? `${error.status} ${error.code}` : 'other';
  }
  return undefined;
};

describe('router', () => {
  it('splits on / before decoding so %2F stays inside one id', () => {
    expect(splitPath('/digitaltwins/t%201%2F%C3%BC/relationships/r%2F1')).toEqual(['digitaltwins', 't 1/ü', 'relationships', 'r/1']);
    const router = new Router().add({ method: 'GET', pattern: '/digitaltwins/:id', op: 'twin.read', handler: () => ({ status: 200 }) });
    expect(router.match('GET', '/digitaltwins/a%2Fb')?.params).toEqual({ id: 'a/b' });
    expect(router.match('GET', '/digitaltwins/a/b')).toBeUndefined();
    expect(router.match('PUT', '/digitaltwins/a')).toBeUndefined();
    expect(router.match('GET', '/digitaltwins/%E0%A4%A')).toBeUndefined();
  });
});

describe('conditional headers', () => {
  it('If-Match: * and the current etag pass; weak/strong forms compare equal; others are 412 or 400', () => {
    expect(code(() => checkIfMatch('*', 'W/"a"'))).toBeUndefined();
    expect(code(() => checkIfMatch('W/"a"', 'W/"a"'))).toBeUndefined();
    expect(code(() => checkIfMatch('"a"', 'W/"a"'))).toBeUndefined();
    expect(code(() => checkIfMatch('W/"b"', 'W/"a"'))).toBe('412 PreconditionFailed');
    expect(code(() => checkIfMatch('XXX', 'W/"a"'))).toBe('400 InvalidArgument');
  });

  it('If-None-Match allows only *', () => {
    expect(code(() => checkIfNoneMatch('*', false, () => errors.twinExists('x')))).toBeUndefined();
    expect(code(() => checkIfNoneMatch('*', true, () => errors.twinExists('x')))).toBe('412 PreconditionFailed');
    expect(code(() => checkIfNoneMatch('W/"a"', false, () => errors.twinExists('x')))).toBe('400 InvalidArgument');
  });
});

describe('clock', () => {
  it('produces strictly increasing 7-digit UTC stamps', () => {
    const stamps = Array.from({ length: 2000 }, () => adtNow());
    expect(stamps.every((s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/.test(s))).toBe(true);
    expect(stamps.every((s, i) => i === 0 || s > (stamps[i - 1] ?? ''))).toBe(true);
  });

  it('recognises ISO 8601 date-times', () => {
    expect(isIsoDateTime('2021-11-30T18:47:53.7648958Z')).toBe(true);
    expect(isIsoDateTime('2022-05-31T12:00:01.000125009+02:00')).toBe(true);
    expect(isIsoDateTime('2021-11-30')).toBe(false);
    expect(isIsoDateTime(12)).toBe(false);
  });
});

describe('telemetry de-duplication', () => {
  it('remembers Message-Ids per twin within the window and a bounded count', () => {
    const dedup = new TelemetryDeduplicator({ windowMs: 1000, maxIdsPerTwin: 2 });
    expect(dedup.isDuplicate('t', 'a', 0)).toBe(false);
    expect(dedup.isDuplicate('t', 'a', 10)).toBe(true);
    expect(dedup.isDuplicate('u', 'a', 10)).toBe(false);
    expect(dedup.isDuplicate('t', 'a', 2000)).toBe(false);
    dedup.isDuplicate('t', 'b', 2001);
    dedup.isDuplicate('t', 'c', 2002);
    dedup.isDuplicate('t', 'd', 2003);
    expect(dedup.isDuplicate('t', 'a', 2004)).toBe(false);
  });
});

describe('CLI flags', () => {
  it('maps flags onto emulator options', () => {
    const cli = parseCliArgs([
      '--port',
      '0',
      '--import',
      'a.ndjson',
      '--persist',
      's.json',
      '--limits',
      'perTwinWritesPerSecond=5,retryAfter=none,enabled=true',
      '--latency',
      '20:5',
      '--faults',
      'errorRate=0.1,errorStatuses=500|503',
      '--endpoint',
      'hook=webhook:http://127.0.0.1:7071/api/x:eventgrid',
    ]);
    expect(cli.emulator).toEqual({
      port: 0,
      certDir: '.local/emulator-cert',
      importFile: 'a.ndjson',
      persistFile: 's.json',
      limits: { perTwinWritesPerSecond: 5, retryAfter: 'none', enabled: true },
      faults: { latencyMs: 20, jitterMs: 5, errorRate: 0.1, errorStatuses: [500, 503] },
      endpoints: [{ name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:7071/api/x', schema: 'EventGrid' }],
    });
  });

  it('defaults to port 4443 and a kept certificate; --scenario, --models and --cert-dir are passed on', () => {
    expect(parseCliArgs([]).emulator).toEqual({ port: 4443, certDir: '.local/emulator-cert' });
    expect(parseCliArgs(['--scenario', 'local/scenarios/building', '--models', 'm', '--cert-dir', 'c']).emulator).toEqual({
      port: 4443,
      certDir: 'c',
      scenarioDir: 'local/scenarios/building',
      modelsDir: 'm',
    });
  });

  it('explains bad input', () => {
    expect(() => parseCliArgs(['--port', 'x'])).toThrow('--port must be 0..65535');
    expect(() => parseCliArgs(['--nope', '1'])).toThrow('Unknown flag --nope');
    expect(() => parseEndpoint('hook=http://x')).toThrow('name=webhook:<url>');
    expect(() => parseKeyValues('a', '--limits')).toThrow('key=value');
    expect(parseCliArgs(['--help']).help).toBe(true);
  });
});
