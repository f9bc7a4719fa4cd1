// Azurite's blob service in a child process for integration tests: loopback, a free port, in-memory
// storage, no API-version check. Returns the connection string to give the dead-letter sink.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AzuriteBlob {
  connectionString: string;
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  blobEndpoint: string;
  stop(): Promise<void>;
}

const host = '127.0.0.1';

interface AzuriteAccountConstants {
  EMULATOR_ACCOUNT_NAME: string;
  EMULATOR_ACCOUNT_KEY_STR: string;
}

/**
 * Azurite's built-in development account. Its key is a constant Microsoft publishes for every storage
 * emulator; it is not a secret. It is read from Azurite's own package at run time rather than written
 * here, so the repository never contains an account-key literal (the secret scan would flag it).
 */
function developmentAccount(): { name: string; key: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const constants = require('azurite/dist/src/blob/utils/constants') as AzuriteAccountConstants;
  return { name: constants.EMULATOR_ACCOUNT_NAME, key: constants.EMULATOR_ACCOUNT_KEY_STR };
}

/** azurite-blob has no "port 0": ask the OS for a free port, release it, hand it to Azurite. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilListening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  // Startup takes well under a second; the bound only turns a hang into a readable failure.
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode} before listening on ${port}:\n${output()}`);
    if (await acceptsConnections(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Azurite did not accept connections on ${host}:${port}:\n${output()}`);
}

export async function startAzuriteBlob(): Promise<AzuriteBlob> {
  const port = await freePort();
  const workspace = await mkdtemp(join(tmpdir(), 'azurite-'));
  const main = require.resolve('azurite/dist/src/blob/main.js');
  const child = spawn(
    process.execPath,
    [
      main,
      '--blobHost',
      host,
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--silent',
      '--loose',
      '--disableTelemetry',
    ],
    // In-memory storage refuses --location; a scratch working directory keeps any stray file out of the repo.
    { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the test process ends without stop() (a crash, a forced exit), take Azurite down with it.
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(workspace, { recursive: true, force: true });
  };
  try {
    await waitUntilListening(port, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }

  const account = developmentAccount();
  const blobEndpoint = `http://${host}:${port}/${account.name}`;
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${account.name}`,
    `AccountKey=${account.key}`,
    `BlobEndpoint=${blobEndpoint};`,
  ].join(';');
  return { connectionString, blobEndpoint, stop };
}
