// Dead letters in Azure Blob Storage: identity-based in Azure (DeadLetterStorage__blobServiceUri +
// DefaultAzureCredential) or a connection string (DeadLetterStorage; Azurite locally).

import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { DeadLetterDocument } from './document';
import type { DeadLetterSink } from './sink';

export type BlobSinkConnection = { connectionString: string } | { blobServiceUri: string; credential: TokenCredential };

export class BlobDeadLetterSink implements DeadLetterSink {
  readonly target: string;
  private readonly container: ContainerClient;
  private containerReady: Promise<unknown> | undefined;

  /** `pipeline`: e.g. shorter storage retries (tests); the SDK defaults retry a failed write for ~30 s. */
  constructor(connection: BlobSinkConnection, containerName: string, pipeline: StoragePipelineOptions = {}) {
    const service =
      'connectionString' in connection
        ? BlobServiceClient.fromConnectionString(connection.connectionString, pipeline)
        : new BlobServiceClient(connection.blobServiceUri, connection.credential, pipeline);
    this.container = service.getContainerClient(containerName);
    this.target = `${service.url.replace(/\?.*$/, '')} container ${containerName}`;
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
