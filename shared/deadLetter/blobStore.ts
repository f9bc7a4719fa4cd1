// Dead letters in a Blob Storage container read back for replay. The version of a read is the blob's
// ETag: rewrite and removal are conditional on it (If-Match), so a document the ingest function
// rewrote since (a redelivered batch) is left alone.

import type { ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';

import { blobStatusOf, conditionalBlobWrite, readBlobBody } from './blobConditions';
import { blobContainer, type BlobSinkConnection } from './blobSink';
import type { DeadLetterDocument } from './document';
import { DeadLetterReadError, type DeadLetterStore, parseDeadLetterDocument, serializeDeadLetter, type StoredDeadLetter } from './store';

export class BlobDeadLetterStore implements DeadLetterStore {
  readonly target: string;
  private readonly container: ContainerClient;

  constructor(connection: BlobSinkConnection, containerName: string, pipeline: StoragePipelineOptions = {}) {
    ({ container: this.container, target: this.target } = blobContainer(connection, containerName, pipeline));
  }

  async write(name: string, document: DeadLetterDocument): Promise<void> {
    await this.upload(name, document);
  }

  async list(): Promise<string[]> {
    if (!(await this.container.exists())) {
      throw new Error(
        `Container ${this.target} does not exist; check the container name (DEAD_LETTER_CONTAINER, default dead-letters) and the account.`,
      );
    }
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat()) if (blob.name.endsWith('.json')) names.push(blob.name);
    return names.sort();
  }

  async read(name: string): Promise<StoredDeadLetter> {
    let response;
    try {
      response = await this.container.getBlobClient(name).download();
    } catch (error) {
      if (blobStatusOf(error) === 404) throw new DeadLetterReadError(name, 'no longer exists.');
      throw error;
    }
    const text = (await readBlobBody(response.readableStreamBody)).toString('utf8');
    if (!response.etag) throw new Error(`${this.target}: blob ${name} came back without an ETag; cannot replay it safely.`);
    return { name, document: parseDeadLetterDocument(name, text), version: response.etag };
  }

  async rewrite(stored: StoredDeadLetter, document: DeadLetterDocument): Promise<boolean> {
    return conditional(() => this.upload(stored.name, document, stored.version));
  }

  async remove(stored: StoredDeadLetter): Promise<boolean> {
    return conditional(async () => {
      await this.container.getBlobClient(stored.name).delete({ conditions: { ifMatch: stored.version } });
    });
  }

  private async upload(name: string, document: DeadLetterDocument, ifMatch?: string): Promise<void> {
    const text = serializeDeadLetter(document);
    await this.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
      blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
      ...(ifMatch !== undefined && { conditions: { ifMatch } }),
    });
  }
}

/** 412 (changed since read) and 404 (already gone) mean "not ours to touch any more". */
const conditional = (action: () => Promise<void>): Promise<boolean> => conditionalBlobWrite(action, [412, 404]);
