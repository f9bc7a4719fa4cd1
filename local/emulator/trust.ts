// Lets an unmodified DigitalTwinsClient trust the emulator's self-signed CA without turning off TLS
// checks for the whole process: the same HTTP layer as in Azure (KeepAliveHttpClient), trusting only
// the emulator's certificate. Nothing here loads the SDK until a client is built, so a process that
// only prepares the offline credential and transport (the cold-start bench) still meets the SDK's
// load cost where the app meets it: on its first invocation.
import type { DigitalTwinsClient, DigitalTwinsClientOptions } from '@azure/digital-twins-core';
import type { TokenCredential } from '@azure/identity';

import { KeepAliveHttpClient } from '../../shared/adt';

/** Production's HTTP client, except the only authority it trusts is `ca`. */
export class TrustingHttpClient extends KeepAliveHttpClient {
  constructor(ca: string) {
    super({ ca });
  }
}

export interface EmulatorTarget {
  url: string;
  /** PEM of the emulator's certificate. */
  ca: string;
}

/** Any bearer token is accepted by the emulator. */
export const stubCredential: TokenCredential = {
  getToken: async () => ({ token: 'emulator', expiresOnTimestamp: Date.now() + 3600e3 }),
};

export interface EmulatorClientOptions extends Omit<DigitalTwinsClientOptions, 'httpClient'> {
  credential?: TokenCredential;
}

/** A DigitalTwinsClient for the emulator; retryOptions and other pipeline options pass through. */
export function createEmulatorClient(
  target: EmulatorTarget,
  options: EmulatorClientOptions = {},
): { client: DigitalTwinsClient; httpClient: TrustingHttpClient } {
  const { credential = stubCredential, ...clientOptions } = options;
  const httpClient = new TrustingHttpClient(target.ca);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DigitalTwinsClient: Client } = require('@azure/digital-twins-core') as typeof import('@azure/digital-twins-core');
  const client = new Client(target.url, credential, { ...clientOptions, httpClient });
  return { client, httpClient };
}
