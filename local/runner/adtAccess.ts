// How this process reaches ADT: the in-process emulator (its self-signed certificate, any token) or
// a real instance (--adt-url, DefaultAzureCredential). The runner's own client (seeding, dump, tree)
// and the function app's clients must use the same access.
import type { HttpClient } from '@azure/core-http';
import { DigitalTwinsClient } from '@azure/digital-twins-core';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

import type { setAdtClientDefaults } from '../../shared/adt';
import { createEmulatorClient, stubCredential, TrustingHttpClient } from '../emulator/trust';

export interface AdtAccess {
  url: string;
  credential: TokenCredential;
  /** Transport that trusts the emulator's certificate; undefined for a real instance. */
  httpClient?: HttpClient & { destroy?(): void };
  kind: 'emulator' | 'azure';
}

export function emulatorAccess(emulator: { url: string; ca: string }): AdtAccess {
  return { url: emulator.url, credential: stubCredential, httpClient: new TrustingHttpClient(emulator.ca), kind: 'emulator' };
}

export function azureAccess(url: string): AdtAccess {
  if (!/^https:\/\/[^/]+/i.test(url))
    throw new Error(`--adt-url must be the instance URL, https://<name>.api.<region>.digitaltwins.azure.net (got "${url}").`);
  return { url: url.replace(/\/+$/, ''), credential: new DefaultAzureCredential(), kind: 'azure' };
}

/** The runner's own client (SDK retries on: the runner is not what is under test), and how to release it. */
export function runnerClient(access: AdtAccess, emulator?: { url: string; ca: string }): { client: DigitalTwinsClient; close(): void } {
  if (access.kind === 'emulator' && emulator) {
    const { client, httpClient } = createEmulatorClient(emulator, {
      retryOptions: { maxRetries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 500 },
    });
    return { client, close: () => httpClient.destroy() };
  }
  return { client: new DigitalTwinsClient(access.url, access.credential), close: () => undefined };
}

/**
 * Gives the function app's ADT clients (built from app settings inside shared/) this process's
 * credential and transport, as Azure gives a Function App its managed identity. Offline there is no
 * token endpoint and the emulator's certificate is self-signed. A real instance needs nothing: the
 * app builds DefaultAzureCredential itself, as in Azure. `set` is the app's own module instance's setter.
 */
export function applyAdtClientDefaults(access: AdtAccess, set: typeof setAdtClientDefaults): void {
  set(access.kind === 'azure' ? {} : { credential: access.credential, ...(access.httpClient ? { httpClient: access.httpClient } : {}) });
}
