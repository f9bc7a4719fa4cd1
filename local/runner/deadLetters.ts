// Where the ingest function's dead letters go in a local run: Azurite when it is running (or started
// with --azurite), else a folder. Expressed as the app settings the function reads, so the function
// picks its sink exactly as in Azure.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

import { settings } from '../../shared/settings';

export interface DeadLetterTarget {
  appSettings: Record<string, string>;
  /** For the summary: "folder /abs/path" or "Azurite http://127.0.0.1:10000 container dead-letters". */
  description: string;
  kind: 'folder' | 'azurite';
  directory?: string;
  blobEndpoint?: string;
  container?: string;
  close(): Promise<void>;
}

/** Azurite's well-known development account (documented, public; not a secret). */
const devAccount = 'devstoreaccount1';
const devKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const defaultContainer = 'dead-letters';

export function azuriteConnectionString(blobEndpoint: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${devAccount};AccountKey=${devKey};BlobEndpoint=${blobEndpoint};`;
}

/** True when something answering like Azurite's blob service listens at the endpoint. */
export function isAzuriteRunning(blobEndpoint: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const req = request(`${blobEndpoint}?comp=list`, { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      done(String(res.headers.server ?? '').toLowerCase().includes('azurite'));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, attempts: number, what: string): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${attempts / 10} s.`);
}

/** Starts Azurite's blob service in memory on a free port (the azurite dev dependency). */
export async function startAzurite(): Promise<{ blobEndpoint: string; stop(): Promise<void> }> {
  const port = await freePort();
  const main = require.resolve('azurite/dist/src/blob/main.js');
  const child: ChildProcess = spawn(process.execPath, [main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence', '--silent', '--skipApiVersionCheck', '--disableProductStyleUrl'], {
    stdio: 'ignore',
  });
  const blobEndpoint = `http://127.0.0.1:${port}/${devAccount}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitFor(() => isAzuriteRunning(blobEndpoint), 150, 'Azurite');
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    blobEndpoint,
    stop: async () => {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}

export interface DeadLetterChoice {
  /** Start Azurite for this run. */
  azurite?: boolean;
  /** Use an Azurite that is already running here (default: the standard local endpoint). */
  azuriteEndpoint?: string;
  /** Folder used when no Azurite is running. */
  directory: string;
  /** Never look for a running Azurite (tests that want the folder sink whatever runs on the machine). */
  folderOnly?: boolean;
}

export async function chooseDeadLetterTarget(choice: DeadLetterChoice): Promise<DeadLetterTarget> {
  const container = defaultContainer;
  const blobTarget = (blobEndpoint: string, close: () => Promise<void>): DeadLetterTarget => ({
    appSettings: {
      [settings.deadLetterStorage.name]: azuriteConnectionString(blobEndpoint),
      [settings.deadLetterContainer.name]: container,
      [settings.deadLetterBlobServiceUri.name]: '',
      [settings.deadLetterDirectory.name]: '',
    },
    description: `Azurite ${blobEndpoint} container ${container}`,
    kind: 'azurite',
    blobEndpoint,
    container,
    close,
  });
  if (choice.azurite) {
    const azurite = await startAzurite();
    return blobTarget(azurite.blobEndpoint, azurite.stop);
  }
  const endpoint = choice.azuriteEndpoint ?? `http://127.0.0.1:10000/${devAccount}`;
  if (!choice.folderOnly && (await isAzuriteRunning(endpoint))) return blobTarget(endpoint, async () => undefined);
  const directory = resolve(choice.directory);
  mkdirSync(directory, { recursive: true });
  return {
    // Blank settings count as unset: a DeadLetterStorage from the user's shell must not win over the folder.
    appSettings: { [settings.deadLetterDirectory.name]: directory, [settings.deadLetterStorage.name]: '', [settings.deadLetterBlobServiceUri.name]: '' },
    description: `folder ${directory}`,
    kind: 'folder',
    directory,
    close: async () => undefined,
  };
}
