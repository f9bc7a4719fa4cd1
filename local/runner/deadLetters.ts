// Where the ingest function's dead letters go in a local run: the --dead-letters folder (always wins),
// an Azurite only when asked for (--azurite starts one, --azurite-endpoint names a running one), else a
// fresh folder per run. Nothing is guessed from what happens to run on the machine. Expressed as the app settings the function reads, so the function
// picks its sink exactly as in Azure.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

import { errorMessage } from '../../shared/common';
import { blobContainer, deadLetterSchema } from '../../shared/deadLetter';
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
      done(
        String(res.headers.server ?? '')
          .toLowerCase()
          .includes('azurite'),
      );
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
  const child: ChildProcess = spawn(
    process.execPath,
    [
      main,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--silent',
      '--skipApiVersionCheck',
      '--disableProductStyleUrl',
    ],
    {
      stdio: 'ignore',
    },
  );
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
  /** Use the Azurite (or Blob endpoint) already running there; asked for explicitly, never guessed. */
  azuriteEndpoint?: string;
  /** --dead-letters: this folder, whatever else is asked for; dead letters of an earlier run in it are removed. */
  directory?: string;
  /** Where a run without --dead-letters gets a fresh folder of its own. */
  defaultRoot: string;
  /** Names the fresh folder; default: the run's start time. */
  runId?: string;
}

/** Removes the dead-letter documents an earlier run left in `directory` (only those: other files stay). */
function clearEarlierDeadLetters(directory: string): number {
  let removed = 0;
  const visit = (dir: string, depth: number): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth < 2) visit(path, depth + 1);
      else if (entry.isFile() && entry.name.endsWith('.json')) {
        try {
          if ((JSON.parse(readFileSync(path, 'utf8')) as { schema?: unknown }).schema === deadLetterSchema) {
            rmSync(path);
            removed++;
          }
        } catch {
          // Not a dead letter: left alone.
        }
      }
    }
  };
  visit(directory, 0);
  return removed;
}

/**
 * An Azurite of another storage API version refuses every request the SDK makes, and every batch with
 * a dead letter would then fail and retry for minutes: ask once, before the run, and say how to fix it.
 */
async function checkBlobEndpoint(blobEndpoint: string, container: string): Promise<void> {
  const { container: client } = blobContainer({ connectionString: azuriteConnectionString(blobEndpoint) }, container, {
    retryOptions: { maxTries: 1 },
  });
  try {
    await client.createIfNotExists();
  } catch (error) {
    const message = errorMessage(error);
    if (/api version|InvalidHeaderValue/i.test(message)) {
      throw new Error(
        `The Azurite at ${blobEndpoint} does not accept this Storage SDK's API version (${message}). Start it with --skipApiVersionCheck, or update it: npm i -D azurite@latest. Or drop --azurite-endpoint to use a folder.`,
      );
    }
    throw new Error(
      `Dead letters cannot be written to ${blobEndpoint} (${message}). Check that Azurite runs there, or drop --azurite-endpoint to use a folder.`,
    );
  }
}

/** Dead letters to Azurite: the settings the local host gives the app (and local/CORE-TOOLS.md shows). */
export function azuriteDeadLetterSettings(blobEndpoint: string, container = defaultContainer): Record<string, string> {
  return {
    [settings.deadLetterStorage.name]: azuriteConnectionString(blobEndpoint),
    [settings.deadLetterContainer.name]: container,
    [settings.deadLetterBlobServiceUri.name]: '',
    [settings.deadLetterDirectory.name]: '',
    // Deferred values go to the same Azurite (container deferred-values), as in Azure.
    [settings.deferredValuesDirectory.name]: '',
  };
}

export async function chooseDeadLetterTarget(choice: DeadLetterChoice): Promise<DeadLetterTarget> {
  const container = defaultContainer;
  const blobTarget = (blobEndpoint: string, close: () => Promise<void>): DeadLetterTarget => ({
    appSettings: azuriteDeadLetterSettings(blobEndpoint, container),
    description: `Azurite ${blobEndpoint} container ${container}`,
    kind: 'azurite',
    blobEndpoint,
    container,
    close,
  });
  const folderTarget = (directory: string, note: string): DeadLetterTarget => ({
    // Blank settings count as unset: a DeadLetterStorage from the user's shell must not win over the folder.
    appSettings: {
      [settings.deadLetterDirectory.name]: directory,
      [settings.deadLetterStorage.name]: '',
      [settings.deadLetterBlobServiceUri.name]: '',
      // Beside the dead letters, not inside (replay reads every .json there): one folder per run.
      [settings.deferredValuesDirectory.name]: `${directory}.deferred-values`,
    },
    description: `folder ${directory}${note}`,
    kind: 'folder',
    directory,
    close: async () => undefined,
  });
  if (choice.directory !== undefined) {
    const directory = resolve(choice.directory);
    mkdirSync(directory, { recursive: true });
    const cleared = clearEarlierDeadLetters(directory);
    const notes = [
      cleared > 0 ? `cleared ${cleared} dead letter(s) of an earlier run` : '',
      choice.azurite || choice.azuriteEndpoint ? '--dead-letters wins over Azurite' : '',
    ].filter(Boolean);
    return folderTarget(directory, notes.length > 0 ? ` (${notes.join('; ')})` : '');
  }
  if (choice.azurite) {
    const azurite = await startAzurite();
    return blobTarget(azurite.blobEndpoint, azurite.stop);
  }
  if (choice.azuriteEndpoint !== undefined) {
    await checkBlobEndpoint(choice.azuriteEndpoint, container);
    return blobTarget(choice.azuriteEndpoint, async () => undefined);
  }
  // Nothing asked for: a fresh folder for this run, so its dead letters are exactly this run's.
  const runId = choice.runId ?? new Date().toISOString().replace(/[:.]/g, '-');
  const directory = resolve(choice.defaultRoot, runId);
  mkdirSync(directory, { recursive: true });
  return folderTarget(directory, ' (fresh for this run)');
}
