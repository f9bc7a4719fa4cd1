// One credential and one DigitalTwinsClient per process: tokens are cached per credential instance,
// and a new credential per invocation costs a token request each time (prior-art §2.14).

import type { HttpClient } from '@azure/core-http';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import type { TokenCredential } from '@azure/identity';

import { GatewayTransport } from './sdkTransport';

export interface AdtClientOptions {
  url: string;
  /** Defaults to DefaultAzureCredential (managed identity in Azure, developer login locally). */
  credential?: TokenCredential;
  /** Lower HTTP layer, e.g. one that trusts the emulator's certificate; default KeepAliveHttpClient. Wrapped by GatewayTransport. */
  httpClient?: HttpClient;
}

/** Builds a client that makes exactly one attempt per call; the gateway owns all retries. */
export function createAdtClient(options: AdtClientOptions): DigitalTwinsClient {
  if (!/^https:\/\//i.test(options.url)) {
    throw new Error(
      `ADT URL must start with https:// (got "${options.url}"); the SDK refuses bearer tokens over plain http. Check ADT_SERVICE_URL.`,
    );
  }
  // Loaded on first use, like the credential below: a cold worker pays for neither before it needs them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DigitalTwinsClient: Client } = require('@azure/digital-twins-core') as typeof import('@azure/digital-twins-core');
  return new Client(options.url, options.credential ?? processDefaults.credential ?? sharedCredential(), {
    // maxRetries counts attempts in core-http 2.x: 1 means no exponential retry (30 s steps) of its own.
    retryOptions: { maxRetries: 1, retryDelayInMs: 0, maxRetryDelayInMs: 0 },
    httpClient: new GatewayTransport(options.httpClient ?? processDefaults.httpClient),
  });
}

let credential: TokenCredential | undefined;

export function sharedCredential(): TokenCredential {
  // @azure/identity (with MSAL) is the heaviest module of the app: required only when a credential is built.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  credential ??= new (require('@azure/identity') as typeof import('@azure/identity')).DefaultAzureCredential();
  return credential;
}

let processDefaults: { credential?: TokenCredential; httpClient?: HttpClient } = {};

/**
 * The offline runner and tests give the app's clients (built from app settings) a credential and a
 * transport, as Azure gives a Function App its managed identity: offline there is no token endpoint
 * and the emulator's certificate is self-signed. Clients built afterwards use them.
 */
/** What setAdtClientDefaults set: the Jobs API client (jobsClient.ts) uses the same credential and transport. */
export function adtClientDefaults(): { credential?: TokenCredential; httpClient?: HttpClient } {
  return processDefaults;
}

export function setAdtClientDefaults(defaults: { credential?: TokenCredential; httpClient?: HttpClient }): void {
  processDefaults = { ...defaults };
}
