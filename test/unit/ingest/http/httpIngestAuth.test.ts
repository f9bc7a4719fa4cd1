// HTTP_INGEST_AUTH: a function key by default; with Entra ID the function registers without a key
// and refuses a request that App Service authentication did not vouch for.
import { httpIngestAuthLevel, httpIngestAuthOf, httpIngestCallerProblem } from '../../../../shared/ingest';

const headers = (values: Record<string, string>) => (name: string) => values[name] ?? null;

describe('HTTP ingest authentication', () => {
  it('defaults to a function key and refuses a mode it does not know', () => {
    expect(httpIngestAuthOf(undefined)).toBe('functionKey');
    expect(httpIngestAuthOf(' entraId ')).toBe('entraId');
    expect(() => httpIngestAuthOf('entra')).toThrow(
      'HTTP_INGEST_AUTH is "entra"; set it to functionKey (a function key, the default) or entraId',
    );
  });

  it('registers with a key for functionKey and without one for entraId', () => {
    expect(httpIngestAuthLevel('functionKey')).toBe('function');
    expect(httpIngestAuthLevel('entraId')).toBe('anonymous');
  });

  it('with entraId lets through only a request App Service authentication validated', () => {
    expect(httpIngestCallerProblem('entraId', headers({}))).toMatch(/^No validated Entra ID caller/);
    expect(httpIngestCallerProblem('entraId', headers({ authorization: 'Bearer forged' }))).toMatch(/^No validated Entra ID caller/);
    expect(httpIngestCallerProblem('entraId', headers({ 'x-ms-client-principal-id': '1f0c…' }))).toBeUndefined();
    expect(httpIngestCallerProblem('functionKey', headers({}))).toBeUndefined();
  });
});
