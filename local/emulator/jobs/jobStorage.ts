// How the emulated instance reaches Blob Storage for its jobs. In Azure the instance reads the input
// blob and writes the output log with its own system-assigned identity (Storage Blob Data Reader on
// the input container, Contributor on the output container); the caller only names plain blob URLs.
// Offline the "identity" is a connection string to Azurite: it reaches that account and nothing else,
// as an identity reaches only the containers it was granted.
import type { BlobServiceClient } from '@azure/storage-blob';

export interface JobLog {
  /** Appends whole lines (each ends with a newline) as one append block. */
  append(lines: string[]): Promise<void>;
}

export interface JobStorage {
  /** Where this identity reaches, for error messages. */
  readonly reaches: string;
  readText(uri: string): Promise<string>;
  /** Creates (or replaces) the append blob the job log goes to. */
  createLog(uri: string): Promise<JobLog>;
}

/** Thrown when a blob cannot be read or written; becomes the job's `error`. */
export class JobStorageError extends Error {
  constructor(
    readonly code: 'InputBlobNotAccessible' | 'OutputBlobNotAccessible',
    message: string,
  ) {
    super(message);
    this.name = 'JobStorageError';
  }
}

/** An append block holds at most 4 MiB; lines are sent in blocks well below that. */
const MAX_APPEND_BYTES = 1024 * 1024;

export function connectionStringJobStorage(connectionString: string): JobStorage {
  // Loaded only when jobs run against storage: the Storage SDK costs start-up time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BlobServiceClient: Service } = require('@azure/storage-blob') as typeof import('@azure/storage-blob');
  const service: BlobServiceClient = Service.fromConnectionString(connectionString, { retryOptions: { maxTries: 3, retryDelayInMs: 200 } });
  const base = service.url.replace(/\?.*$/, '').replace(/\/+$/, '');

  /** container and blob name of a URL on this account; undefined for any other URL. */
  const locate = (uri: string): { container: string; blob: string } | undefined => {
    if (!uri.startsWith(`${base}/`)) return undefined;
    const [container, ...rest] = uri
      .slice(base.length + 1)
      .replace(/\?.*$/, '')
      .split('/');
    if (!container || rest.length === 0) return undefined;
    return { container: decodeURIComponent(container), blob: rest.map((part) => decodeURIComponent(part)).join('/') };
  };
  const noAccess = (code: JobStorageError['code'], uri: string, why: string): JobStorageError =>
    new JobStorageError(code, `The instance's identity could not ${code === 'InputBlobNotAccessible' ? 'read' : 'write'} ${uri}: ${why}`);

  return {
    reaches: base,
    async readText(uri) {
      const at = locate(uri);
      if (!at) throw noAccess('InputBlobNotAccessible', uri, `it has access only to ${base}.`);
      try {
        const buffer = await service.getContainerClient(at.container).getBlobClient(at.blob).downloadToBuffer();
        return buffer.toString('utf8');
      } catch (error) {
        throw noAccess('InputBlobNotAccessible', uri, (error as Error).message.split('\n')[0] ?? String(error));
      }
    },
    async createLog(uri) {
      const at = locate(uri);
      if (!at) throw noAccess('OutputBlobNotAccessible', uri, `it has access only to ${base}.`);
      const blob = service.getContainerClient(at.container).getAppendBlobClient(at.blob);
      try {
        await blob.create({ blobHTTPHeaders: { blobContentType: 'application/x-ndjson' } });
      } catch (error) {
        throw noAccess('OutputBlobNotAccessible', uri, (error as Error).message.split('\n')[0] ?? String(error));
      }
      return {
        async append(lines) {
          let block = '';
          for (const line of lines) {
            if (block.length > 0 && Buffer.byteLength(block) + Buffer.byteLength(line) > MAX_APPEND_BYTES) {
              await blob.appendBlock(block, Buffer.byteLength(block));
              block = '';
            }
            block += line;
          }
          if (block.length > 0) await blob.appendBlock(block, Buffer.byteLength(block));
        },
      };
    },
  };
}

/** No storage configured: every job fails with a message that says how to give the emulator access. */
export const noJobStorage: JobStorage = {
  reaches: 'no storage account',
  readText: (uri) =>
    Promise.reject(
      new JobStorageError(
        'InputBlobNotAccessible',
        `The emulator has no storage to read ${uri} from. Start it with --storage <connection string> (Azurite: npm run emulator -- --storage "UseDevelopmentStorage=true") or the option jobs.storageConnectionString.`,
      ),
    ),
  createLog: (uri) =>
    Promise.reject(
      new JobStorageError(
        'OutputBlobNotAccessible',
        `The emulator has no storage to write ${uri} to. Start it with --storage <connection string>.`,
      ),
    ),
};
