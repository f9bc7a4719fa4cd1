// Deferred values in a Blob Storage container (the dead-letter account: identity in Azure, Azurite
// offline). A bucket's version is its ETag: writes are If-Match (or If-None-Match: * to create),
// deletes If-Match, so concurrent merges and drains retry on 412 instead of overwriting each other.

import type { ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';

import { blobContainer, type BlobSinkConnection, blobStatusOf, conditionalBlobWrite, readBlobBody } from '../../deadLetter';
import type { DeferredValuesStore, StoredBucket } from './store';

export class BlobDeferredValuesStore implements DeferredValuesStore {
  readonly target: string;
  private readonly container: ContainerClient;
  private containerReady: Promise<unknown> | undefined;

  constructor(connection: BlobSinkConnection, containerName: string, pipeline: StoragePipelineOptions = {}) {
    ({ container: this.container, target: this.target } = blobContainer(connection, containerName, pipeline));
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const blob of this.container.listBlobsFlat()) if (blob.name.endsWith('.json')) names.push(blob.name);
    } catch (error) {
      // No container yet: nothing was ever deferred.
      if (blobStatusOf(error) === 404) return [];
      throw error;
    }
    return names.sort();
  }

  async read(name: string): Promise<StoredBucket> {
    try {
      const response = await this.container.getBlobClient(name).download();
      const text = (await readBlobBody(response.readableStreamBody)).toString('utf8');
      if (!response.etag) throw new Error(`${this.target}: blob ${name} came back without an ETag; cannot merge into it safely.`);
      return { text, version: response.etag };
    } catch (error) {
      if (blobStatusOf(error) === 404) return { text: '', version: undefined };
      throw error;
    }
  }

  async write(name: string, text: string, version: string | undefined): Promise<boolean> {
    // Created once per process; a failure is not cached so the next call tries again.
    this.containerReady ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.containerReady = undefined;
      throw error;
    });
    await this.containerReady;
    return conditional(async () => {
      await this.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
        blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
        conditions: version === undefined ? { ifNoneMatch: '*' } : { ifMatch: version },
      });
    });
  }

  remove(name: string, version: string): Promise<boolean> {
    return conditional(async () => {
      await this.container.getBlobClient(name).delete({ conditions: { ifMatch: version } });
    });
  }
}

/** 412 (changed since read), 409 (created meanwhile) and 404 (gone) mean "read again". */
const conditional = (action: () => Promise<void>): Promise<boolean> => conditionalBlobWrite(action, [412, 409, 404]);
