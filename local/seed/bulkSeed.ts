// Seeding through ADT's Import Jobs API: the graph goes to a block blob as an import file, one import
// job loads it, the job log (an append blob ADT writes) tells what happened. One job instead of one
// request per twin and relationship: 100,000 twins in minutes, not the hours 500 creates/s allow.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import type { AdtJobsClient, ImportJob, WaitOptions } from '../../shared/adt';
import { type ImportGraph, importNdjsonChunks } from './importNdjson';
import type { ImportStorage } from './storage';

export interface BulkSeedResult {
  jobId: string;
  status: ImportJob['status'];
  models: number;
  twins: number;
  relationships: number;
  bytes: number;
  inputBlobUri: string;
  outputBlobUri: string;
  /** Writing the file to Blob Storage. */
  uploadMs: number;
  /** From creating the job to seeing it finished. */
  jobMs: number;
  log: ImportLogLine[];
}

/** One line of the job's output log (concepts-apis-sdks): logType Info or Error, details free-form. */
export interface ImportLogLine {
  timestamp?: string;
  jobId?: string;
  jobType?: string;
  logType?: string;
  details?: Record<string, unknown>;
}

/** The job did not succeed: its status, its error and the log's error lines, for the operator. */
export class ImportJobFailedError extends Error {
  constructor(
    readonly job: ImportJob,
    readonly errors: string[],
  ) {
    const shown = errors.slice(0, 10).map((e) => `  - ${e}`);
    const more = errors.length > shown.length ? [`  … and ${errors.length - shown.length} more in ${job.outputBlobUri}`] : [];
    super(
      [
        `Import job ${job.id} ${job.status}${job.error?.message ? `: ${job.error.code ?? ''} ${job.error.message}` : '.'}`,
        ...(errors.length > 0 ? ['Errors from the job log:', ...shown, ...more] : []),
        `Log: ${job.outputBlobUri}`,
      ].join('\n'),
    );
    this.name = 'ImportJobFailedError';
  }
}

export function parseImportLog(text: string): ImportLogLine[] {
  const lines: ImportLogLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    try {
      lines.push(JSON.parse(raw) as ImportLogLine);
    } catch {
      // ADT's error-line format is not documented: a line we cannot parse is still shown as an error.
      lines.push({ logType: 'Error', details: { message: raw } });
    }
  }
  return lines;
}

/** Error lines as one readable string each, whatever fields ADT puts in `details`. */
export function logErrors(log: ImportLogLine[]): string[] {
  return log
    .filter((line) => String(line.logType).toLowerCase() === 'error')
    .map((line) => {
      const d = line.details ?? {};
      const message = typeof d['message'] === 'string' ? d['message'] : JSON.stringify(d);
      const code = typeof d['code'] === 'string' ? `${d['code']}: ` : '';
      return `${code}${message}`;
    });
}

export interface BulkSeedOptions {
  jobId?: string;
  wait?: WaitOptions;
}

export async function bulkSeed(
  jobs: AdtJobsClient,
  storage: ImportStorage,
  graph: ImportGraph,
  options: BulkSeedOptions = {},
): Promise<BulkSeedResult> {
  const jobId = options.jobId ?? `import-job-${randomUUID()}`;
  const input = storage.input.getBlockBlobClient(`${jobId}.ndjson`);
  const output = storage.logs.getAppendBlobClient(`${jobId}_output.txt`);
  const uploadStart = Date.now();
  // Generated while it uploads (4 MiB blocks, 4 in flight): memory stays flat whatever the graph's size.
  let bytes = 0;
  const chunks = Readable.from(
    (function* counted() {
      for (const chunk of importNdjsonChunks(graph)) {
        bytes += chunk.length;
        yield chunk;
      }
    })(),
  );
  await input.uploadStream(chunks, 4 * 1024 * 1024, 4, { blobHTTPHeaders: { blobContentType: 'application/x-ndjson' } });
  const uploadMs = Date.now() - uploadStart;

  const jobStart = Date.now();
  await jobs.createImport(jobId, { inputBlobUri: input.url, outputBlobUri: output.url });
  const job = await jobs.waitForImport(jobId, options.wait);
  const jobMs = Date.now() - jobStart;

  const log = parseImportLog(await readLog(output));
  if (job.status !== 'succeeded') throw new ImportJobFailedError(job, logErrors(log));
  return {
    jobId,
    status: job.status,
    models: graph.models.length,
    twins: graph.twins.length,
    relationships: graph.relationships.length,
    bytes,
    inputBlobUri: input.url,
    outputBlobUri: output.url,
    uploadMs,
    jobMs,
    log,
  };
}

async function readLog(blob: { downloadToBuffer(): Promise<Buffer> }): Promise<string> {
  try {
    return (await blob.downloadToBuffer()).toString('utf8');
  } catch (error) {
    // No log (the instance could not write it): the job's own error still says why.
    return JSON.stringify({
      logType: 'Error',
      details: { message: `The job log could not be read: ${(error as Error).message.split('\n')[0]}` },
    });
  }
}
