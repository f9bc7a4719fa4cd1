// Who may POST /api/telemetry. With a function key the Functions host checks the key before the
// function runs. With Entra ID, App Service authentication validates the token and passes the
// caller on in x-ms-client-principal-* headers (it strips any a client sent); the function refuses
// a request without them, so an app whose authentication was switched off fails closed instead of
// taking telemetry from anyone.

export type HttpIngestAuth = 'functionKey' | 'entraId';

/** The HTTP_INGEST_AUTH value, refused when it is neither mode (a typo must not open the endpoint). */
export function httpIngestAuthOf(value: string | undefined): HttpIngestAuth {
  const mode = value?.trim() || 'functionKey';
  if (mode === 'functionKey' || mode === 'entraId') return mode;
  throw new Error(
    `HTTP_INGEST_AUTH is "${value}"; set it to functionKey (a function key, the default) or entraId (App Service authentication with Entra ID).`,
  );
}

/** The Functions authLevel the HTTP trigger registers with. */
export function httpIngestAuthLevel(mode: HttpIngestAuth): 'function' | 'anonymous' {
  // Entra ID callers hold a token, not a function key; App Service authentication stands in front.
  return mode === 'entraId' ? 'anonymous' : 'function';
}

/** undefined when the request may go on; otherwise the 401 answer's text. */
export function httpIngestCallerProblem(mode: HttpIngestAuth, header: (name: string) => string | null): string | undefined {
  if (mode !== 'entraId') return undefined;
  if (header('x-ms-client-principal-id')) return undefined;
  return 'No validated Entra ID caller: send an access token for this app (Authorization: Bearer …). If you sent one, App Service authentication is not on for this app; redeploy with httpIngestAuth=entraId.';
}
