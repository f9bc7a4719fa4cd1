// Where `npm run seed --bulk` puts the import file and where ADT writes the job log. In Azure: the
// storage account's blob endpoint and the caller's Entra identity (DefaultAzureCredential; the deployer
// holds Storage Blob Data Contributor on the input container and Reader on the log container, and the
// ADT instance's own identity reads and writes the blobs: infra/modules/role-assignments.bicep).
// Offline: a connection string to Azurite.
import type { TokenCredential } from '@azure/identity';
import type { ContainerClient } from '@azure/storage-blob';

export const DEFAULT_IMPORT_CONTAINER = 'adt-import';
export const DEFAULT_LOG_CONTAINER = 'adt-import-logs';

export interface ImportStorage {
  input: ContainerClient;
  logs: ContainerClient;
  /** Names the account in messages (no key). */
  describe: string;
}

/** `spec`: a blob endpoint URL (identity) or a connection string (Azurite, `UseDevelopmentStorage=true`). */
export async function importStorage(
  spec: string,
  containers: { input: string; logs: string },
  credential: () => TokenCredential,
): Promise<ImportStorage> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BlobServiceClient } = require('@azure/storage-blob') as typeof import('@azure/storage-blob');
  const byIdentity = /^https?:\/\//i.test(spec);
  const service = byIdentity ? new BlobServiceClient(spec, credential()) : BlobServiceClient.fromConnectionString(spec);
  const input = service.getContainerClient(containers.input);
  const logs = service.getContainerClient(containers.logs);
  // In Azure the containers come with the deployment (a data role cannot create them); offline they may not exist yet.
  if (!byIdentity) {
    await input.createIfNotExists();
    await logs.createIfNotExists();
  }
  return { input, logs, describe: service.url.replace(/\?.*$/, '') };
}
