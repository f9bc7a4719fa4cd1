// Lets an unmodified DigitalTwinsClient trust the emulator's self-signed CA without turning off TLS
// checks for the whole process: core-http's node-fetch client, with our own https.Agent per request.
import { Agent } from 'node:https';

import { DefaultHttpClient, type WebResourceLike } from '@azure/core-http';
import { DigitalTwinsClient, type DigitalTwinsClientOptions } from '@azure/digital-twins-core';
import type { TokenCredential } from '@azure/identity';

/** core-http's default client, except every request goes through an agent that trusts `ca`. */
export class TrustingHttpClient extends DefaultHttpClient {
  readonly agent: Agent;

  constructor(ca: string) {
    super();
    this.agent = new Agent({ ca, keepAlive: true });
  }

  override async prepareRequest(httpRequest: WebResourceLike): Promise<Partial<RequestInit>> {
    const init = await super.prepareRequest(httpRequest);
    // node-fetch reads `agent` from its init; the DOM RequestInit type does not declare it.
    return { ...init, agent: this.agent } as Partial<RequestInit>;
  }

  /** Closes pooled keep-alive sockets (call when done so test processes exit promptly). */
  destroy(): void {
    this.agent.destroy();
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
export function createEmulatorClient(target: EmulatorTarget, options: EmulatorClientOptions = {}): { client: DigitalTwinsClient; httpClient: TrustingHttpClient } {
  const { credential = stubCredential, ...clientOptions } = options;
  const httpClient = new TrustingHttpClient(target.ca);
  const client = new DigitalTwinsClient(target.url, credential, { ...clientOptions, httpClient });
  return { client, httpClient };
}
