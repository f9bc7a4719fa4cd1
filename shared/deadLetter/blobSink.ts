// Dead letters in Azure Blob Storage: identity-based in Azure (DeadLetterStorage__blobServiceUri +
// DefaultAzureCredential) or a connection string (DeadLetterStorage; Azurite locally).

import type { TokenCredential } from '@azure/identity';
import type { ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';

import type { DeadLetterDocument } from './document';
import type { DeadLetterSink } from './sink';

export type BlobSinkConnection = { connectionString: string } | { blobServiceUri: string; credential: TokenCredential };

/** The container a blob sink or store writes to, and how to name it in messages. */
export function blobContainer(
  connection: BlobSinkConnection,
  containerName: string,
  pipeline: StoragePipelineOptions,
): { container: ContainerClient; target: string } {
  // Loaded only when blob dead letters are configured: the Storage SDK costs start-up time the
  // folder sink (offline runner) never needs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BlobServiceClient } = require('@azure/storage-blob') as typeof import('@azure/storage-blob');
  const service =
    'connectionString' in connection
      ? BlobServiceClient.fromConnectionString(connection.connectionString, pipeline)
      : new BlobServiceClient(connection.blobServiceUri, connection.credential, pipeline);
  return { container: service.getContainerClient(containerName), target: `${service.url.replace(/\?.*$/, '')} container ${containerName}` };
}

export class BlobDeadLetterSink implements DeadLetterSink {
  readonly target: string;
  private readonly container: ContainerClient;
  private containerReady: Promise<unknown> | undefined;

  /** `pipeline`: e.g. shorter storage retries (tests); the SDK defaults retry a failed write for ~30 s. */
  constructor(connection: BlobSinkConnection, containerName: string, pipeline: StoragePipelineOptions = {}) {
    ({ container: this.container, target: this.target } = blobContainer(connection, containerName, pipeline));
  }

  async write(name: string, document: DeadLetterDocument): Promise<void> {
    // Created once per process; a failure is not cached so the next batch tries again.
    this.containerReady ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.containerReady = undefined;
      throw error;
    });
    await this.containerReady;
    const text = JSON.stringify(document, null, 2);
    await this.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
      blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
    });
  }
}
