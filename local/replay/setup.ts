// From flags and settings to what a replay needs: the store to read, the configuration, ADT access.
// Settings are read the way the deployed function reads them, so "the current configuration" is the
// one the function app would run with.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { DefaultAzureCredential } from '@azure/identity';

import { type CompiledPipelineConfig, loadPipelineConfig } from '../../shared/config';
import { BlobDeadLetterStore, type DeadLetterStore, FileDeadLetterStore } from '../../shared/deadLetter';
import { settings } from '../../shared/settings';
import type { WorkerOptions } from '../../shared/worker';
import { stubCredential, TrustingHttpClient } from '../emulator/trust';
import type { ReplayCliOptions, ReplaySource } from './replayArgs';

/** A problem with the flags or settings given: reported with the usage text, exit code 2. */
export class UsageError extends Error {}

function setting(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function storeFor(source: ReplaySource, env: NodeJS.ProcessEnv, cwd: string): DeadLetterStore {
  if (source.kind === 'folder') return new FileDeadLetterStore(resolve(cwd, source.directory));
  if (source.kind === 'blob-url')
    return new BlobDeadLetterStore({ blobServiceUri: source.blobServiceUri, credential: new DefaultAzureCredential() }, source.container);
  const connectionString = source.connectionString ?? setting(settings.deadLetterStorage.name, env);
  if (connectionString) return new BlobDeadLetterStore({ connectionString }, source.container);
  const blobServiceUri = setting(settings.deadLetterBlobServiceUri.name, env);
  if (blobServiceUri) return new BlobDeadLetterStore({ blobServiceUri, credential: new DefaultAzureCredential() }, source.container);
  throw new UsageError(
    `--from blob:${source.container} needs the storage account: pass --connection-string, set ${settings.deadLetterStorage.name}, or set ${settings.deadLetterBlobServiceUri.name} (DefaultAzureCredential), or use --from https://<account>.blob.core.windows.net/${source.container}.`,
  );
}

export interface ReplayPipeline {
  worker: Omit<WorkerOptions, 'deadLetters'>;
  adtUrl: string;
  /** "file <path>" or "defaults (…)", for the summary. */
  configDescription: string;
  close(): void;
}

export function pipelineFor(cli: ReplayCliOptions, env: NodeJS.ProcessEnv, cwd: string): ReplayPipeline {
  const adtUrl = (cli.adtUrl ?? setting(settings.adtUrl.name, env))?.replace(/\/+$/, '');
  if (!adtUrl)
    throw new UsageError(
      `Which ADT instance? Pass --adt-url https://<name>.api.<region>.digitaltwins.azure.net (or set ${settings.adtUrl.name}); for the emulator add --emulator-ca <pem>.`,
    );
  if (!/^https:\/\/[^/]+/i.test(adtUrl))
    throw new UsageError(`--adt-url must be an https:// URL (got "${adtUrl}"); the emulator serves https too.`);
  const configPath = cli.config ?? setting(settings.pipelineConfigPath.name, env);
  const workerEnv: NodeJS.ProcessEnv = {
    ...env,
    [settings.adtUrl.name]: adtUrl,
    [settings.pipelineConfigPath.name]: configPath === undefined ? '' : resolve(cwd, configPath),
  };
  // Loaded here, before anything is read or written: a broken file stops the replay with every problem listed.
  const config: CompiledPipelineConfig = loadPipelineConfig(workerEnv, cwd);
  let httpClient: TrustingHttpClient | undefined;
  if (cli.emulatorCa !== undefined) {
    let ca: string;
    try {
      ca = readFileSync(resolve(cwd, cli.emulatorCa), 'utf8');
    } catch (error) {
      throw new UsageError(
        `--emulator-ca ${cli.emulatorCa}: ${(error as Error).message}. Write it with npm run emulator -- --ca-out ${cli.emulatorCa}.`,
      );
    }
    httpClient = new TrustingHttpClient(ca);
  }
  return {
    worker: { env: workerEnv, config, ...(httpClient && { client: { credential: stubCredential, httpClient } }) },
    adtUrl,
    configDescription:
      configPath === undefined ? `defaults (no --config, ${settings.pipelineConfigPath.name} unset)` : `file ${resolve(cwd, configPath)}`,
    close: () => httpClient?.destroy(),
  };
}
