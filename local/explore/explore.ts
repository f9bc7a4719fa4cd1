// `npm run explore -- --adt-url …`: an instance (real, or an emulator in another process) explored as
// it is. The graph is read with two queries per poll, and the page's queries, model list and edits go
// through one SDK client: DefaultAzureCredential for a real instance; for an emulator, a transport that
// trusts its certificate and any token (as every local command reaches it).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { DigitalTwinsClient } from '@azure/digital-twins-core';
import { DefaultAzureCredential } from '@azure/identity';

import { errorMessage } from '../../shared/common';
import { DEFAULT_CERT_DIR } from '../emulator/cliArgs';
import { createEmulatorClient } from '../emulator/trust';
import { type ExplorerClient, type GraphServer, querySource, startGraphServer } from '../graph';
import { isEmulatorUrl } from './cliArgs';

export interface InstanceOptions {
  adtUrl: string;
  /** The emulator's certificate file; default .local/emulator-cert/cert.pem under the working directory. */
  ca?: string;
  allowWrites: boolean;
  port: number;
  /** Time between polls of the graph (default 2 s: a real instance is read with queries, which cost query units). */
  pollMs?: number;
}

export interface InstanceExplorer extends GraphServer {
  /** What the page is connected to, e.g. "https://x.api.weu.digitaltwins.azure.net (DefaultAzureCredential)". */
  target: string;
}

function emulatorCa(file: string | undefined): string {
  const path = resolve(file ?? join(DEFAULT_CERT_DIR, 'cert.pem'));
  if (!existsSync(path)) {
    throw new Error(
      file === undefined
        ? `The emulator's certificate is not at ${path} (where npm run emulator keeps it). Pass --ca <file.pem> (npm run emulator -- --ca-out <file> writes it).`
        : `--ca ${file}: no such file.`,
    );
  }
  return readFileSync(path, 'utf8');
}

function clientFor(options: InstanceOptions): { client: ExplorerClient; target: string; close(): void } {
  if (isEmulatorUrl(options.adtUrl)) {
    const { client, httpClient } = createEmulatorClient(
      { url: options.adtUrl, ca: emulatorCa(options.ca) },
      { retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 } },
    );
    return { client, target: `${options.adtUrl} (emulator)`, close: () => httpClient.destroy() };
  }
  return {
    client: new DigitalTwinsClient(options.adtUrl, new DefaultAzureCredential()),
    target: `${options.adtUrl} (DefaultAzureCredential)`,
    close: () => undefined,
  };
}

export async function exploreInstance(options: InstanceOptions): Promise<InstanceExplorer> {
  const { client, target, close } = clientFor(options);
  let server: GraphServer;
  try {
    server = await startGraphServer({
      port: options.port,
      source: querySource(client),
      pollMs: options.pollMs ?? 2_000,
      title: `ADT explorer: ${new URL(options.adtUrl).host}`,
      explorer: { client, allowWrites: options.allowWrites, target },
      counters: () => ({}),
      deadLetters: () => Promise.resolve({ items: [] }),
    });
  } catch (error) {
    close();
    // The first read is a query: a wrong URL, a missing role or no login all show up here.
    throw new Error(`Could not read ${target}: ${errorMessage(error)}`);
  }
  return {
    ...server,
    target,
    close: async () => {
      await server.close();
      close();
    },
  };
}
