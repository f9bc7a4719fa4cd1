// ADT's bulk jobs (iot-hub-events-and-bulk.md §7): import jobs that load an ndjson blob through the
// same validation paths as the REST API, and delete jobs that empty the whole instance. One bulk job
// runs at a time (a second one while one is active → 400 JobLimitReached). Jobs run in the background
// in chunks, so status polls and cancel are answered while they run.
import { randomUUID } from 'node:crypto';

import { adtNow } from '../clock';
import { AdtError } from '../errors';
import { type ImportSection, type ModelSink, runImportJob } from '../importJob';
import type { EmulatorServices } from '../services';
import { type JobLog, type JobStorage, JobStorageError } from './jobStorage';

export type ImportJobStatus = 'notstarted' | 'running' | 'failed' | 'succeeded' | 'cancelling' | 'cancelled';
export type DeleteJobStatus = 'notstarted' | 'running' | 'failed' | 'succeeded';

export interface JobError {
  code: string;
  message: string;
}

/** GET /jobs/imports/{id}, as ADT sends it. */
export interface ImportJob {
  id: string;
  inputBlobUri: string;
  outputBlobUri: string;
  status: ImportJobStatus;
  createdDateTime: string;
  lastActionDateTime: string;
  finishedDateTime?: string;
  purgeDateTime: string;
  error?: JobError;
}

/** GET /jobs/deletions/{id}, as ADT sends it. */
export interface DeleteJob {
  id: string;
  status: DeleteJobStatus;
  createdDateTime: string;
  finishedDateTime?: string;
  purgeDateTime: string;
  error?: JobError;
}

export interface BulkJobOptions {
  /** The instance identity's reach into Blob Storage (jobStorage.ts). */
  storage: JobStorage;
  /**
   * Whether job writes send twin/relationship lifecycle notifications. ADT's documentation does not
   * say (docs/BULK.md); 'lifecycle' (default) sends what the same REST writes send, 'none' sends nothing.
   */
  notifications: 'lifecycle' | 'none';
  /** Lines (import) or entities (delete) per chunk; between chunks the server answers other requests. */
  chunkSize: number;
  /** Pause between chunks: makes a small job last long enough to watch and cancel (tests). */
  chunkDelayMs: number;
}

export const defaultBulkJobOptions: Omit<BulkJobOptions, 'storage'> = { notifications: 'lifecycle', chunkSize: 2000, chunkDelayMs: 0 };

/** ADT job timestamps: 7 fractional digits and `+00:00` (the examples in the REST reference). */
const jobTime = (): string => adtNow().replace(/Z$/, '+00:00');
const purgeTime = (): string => new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().replace(/Z$/, '0000+00:00');

const jobErrors = {
  limitReached: () =>
    new AdtError(
      400,
      'JobLimitReached',
      'The maximum number of bulk jobs running at the same time has been reached (1 per instance). Wait for the running job to finish, or cancel it.',
    ),
  validation: (message: string) => new AdtError(400, 'ValidationFailed', message),
  importNotFound: (id: string) =>
    new AdtError(404, 'ImportJobNotFound', `There is no import job with the id ${id}. Check the id, or list the import jobs.`),
  deleteNotFound: (id: string) =>
    new AdtError(404, 'DeleteJobNotFound', `There is no delete job with the id ${id}. Check the id, or list the delete jobs.`),
};
export { jobErrors };

/** One log line in ADT's shape (concepts-apis-sdks): timestamp, jobId, jobType, logType, details. */
function logLine(jobId: string, logType: 'Info' | 'Error', details: Record<string, unknown>): string {
  return `${JSON.stringify({ timestamp: adtNow(), jobId, jobType: 'Import', logType, details })}\n`;
}

/** Error lines are buffered and sent in blocks; info lines go out at once (they mark progress). */
class BufferedLog {
  private pending: string[] = [];

  constructor(
    private readonly log: JobLog,
    private readonly jobId: string,
  ) {}

  async info(details: Record<string, unknown>): Promise<void> {
    this.pending.push(logLine(this.jobId, 'Info', details));
    await this.flush();
  }

  error(details: Record<string, unknown>): void {
    this.pending.push(logLine(this.jobId, 'Error', details));
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    await this.log.append(lines);
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

function isAbsoluteUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value === '') return false;
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

export class BulkJobs {
  private readonly imports = new Map<string, ImportJob>();
  private readonly deletions = new Map<string, DeleteJob>();
  private readonly cancelRequested = new Set<string>();
  /** Every status each job went through, in order (tests read the lifecycle from it). */
  private readonly seen = new Map<string, string[]>();
  private active: Promise<void> | undefined;
  private activeId: string | undefined;
  private options: BulkJobOptions;

  constructor(
    private readonly services: EmulatorServices,
    private readonly models: ModelSink & { clear(): void },
    options: BulkJobOptions,
  ) {
    this.options = options;
  }

  update(options: Partial<BulkJobOptions>): void {
    this.options = { ...this.options, ...options };
  }

  statusHistory(id: string): string[] {
    return [...(this.seen.get(id) ?? [])];
  }

  /** Resolves when the running job (if any) has finished: tests and close(). */
  async idle(): Promise<void> {
    while (this.active) await this.active;
  }

  // ---- import jobs ----

  createImport(id: string, body: unknown): ImportJob {
    const input = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const { inputBlobUri, outputBlobUri } = input;
    if (!isAbsoluteUrl(inputBlobUri) || !isAbsoluteUrl(outputBlobUri)) {
      throw jobErrors.validation(
        'The import job needs inputBlobUri and outputBlobUri, each the absolute URL of a blob (https://<account>.blob.core.windows.net/<container>/<blob>).',
      );
    }
    if (this.imports.has(id))
      throw jobErrors.validation(`An import job with the id ${id} already exists. Use a new id, or delete the old job first.`);
    if (this.activeId !== undefined) throw jobErrors.limitReached();
    const now = jobTime();
    const job: ImportJob = {
      id,
      inputBlobUri,
      outputBlobUri,
      status: 'notstarted',
      createdDateTime: now,
      lastActionDateTime: now,
      purgeDateTime: purgeTime(),
    };
    this.imports.set(id, job);
    this.track(id, 'notstarted');
    this.start(id, () => this.runImport(job));
    return { ...job };
  }

  getImport(id: string): ImportJob {
    const job = this.imports.get(id);
    if (!job) throw jobErrors.importNotFound(id);
    return { ...job };
  }

  listImports(): ImportJob[] {
    return [...this.imports.values()].map((job) => ({ ...job }));
  }

  /** 200 with `cancelling` while it runs; a finished job is returned as it is (nothing to cancel). */
  cancelImport(id: string): ImportJob {
    const job = this.imports.get(id);
    if (!job) throw jobErrors.importNotFound(id);
    if (job.status === 'notstarted' || job.status === 'running') {
      this.cancelRequested.add(id);
      this.setStatus(job, 'cancelling');
    }
    return { ...job };
  }

  /** Removes the record (frees the id); a running job is not stopped by it (reference §7.1). */
  deleteImport(id: string): void {
    if (!this.imports.delete(id)) throw jobErrors.importNotFound(id);
  }

  // ---- delete jobs ----

  createDeletion(id: string | undefined, timeoutInMinutes: string | null): DeleteJob {
    const jobId = id && id.trim() !== '' ? id : `delete-job-${randomUUID()}`;
    let timeoutMs = 12 * 60 * 60 * 1000;
    if (timeoutInMinutes !== null) {
      const minutes = Number(timeoutInMinutes);
      if (!Number.isInteger(minutes) || minutes < 15 || minutes > 1440)
        throw jobErrors.validation(`timeoutInMinutes must be a whole number from 15 to 1440 (got "${timeoutInMinutes}").`);
      timeoutMs = minutes * 60 * 1000;
    }
    if (this.deletions.has(jobId)) throw jobErrors.validation(`A delete job with the id ${jobId} already exists. Use a new operation-id.`);
    if (this.activeId !== undefined) throw jobErrors.limitReached();
    const job: DeleteJob = { id: jobId, status: 'notstarted', createdDateTime: jobTime(), purgeDateTime: purgeTime() };
    this.deletions.set(jobId, job);
    this.track(jobId, 'notstarted');
    this.start(jobId, () => this.runDeletion(job, timeoutMs));
    return { ...job };
  }

  getDeletion(id: string): DeleteJob {
    const job = this.deletions.get(id);
    if (!job) throw jobErrors.deleteNotFound(id);
    return { ...job };
  }

  listDeletions(): DeleteJob[] {
    return [...this.deletions.values()].map((job) => ({ ...job }));
  }

  /** Stops a running import job (as a cancel would) and waits for any job to end: the emulator closing. */
  async stop(): Promise<void> {
    if (this.activeId !== undefined) this.cancelRequested.add(this.activeId);
    await this.idle();
  }

  /** Forgets every job record (the emulator's /$admin/reset); a running import is cancelled first. */
  async clear(): Promise<void> {
    await this.stop();
    this.imports.clear();
    this.deletions.clear();
    this.seen.clear();
    this.cancelRequested.clear();
  }

  // ---- running ----

  private start(id: string, run: () => Promise<void>): void {
    this.activeId = id;
    // Started on a later turn: the 201/202 goes out with status notstarted, as ADT answers.
    this.active = pause(0)
      .then(run)
      .catch((error: unknown) => console.error(`ADT emulator: bulk job ${id} crashed: ${String(error)}`))
      .finally(() => {
        this.activeId = undefined;
        this.active = undefined;
        this.cancelRequested.delete(id);
      });
  }

  private track(id: string, status: string): void {
    const list = this.seen.get(id) ?? [];
    if (list[list.length - 1] !== status) list.push(status);
    this.seen.set(id, list);
  }

  private setStatus(job: ImportJob, status: ImportJobStatus, error?: JobError): void {
    job.status = status;
    job.lastActionDateTime = jobTime();
    if (status === 'succeeded' || status === 'failed' || status === 'cancelled') job.finishedDateTime = job.lastActionDateTime;
    if (error) job.error = error;
    this.track(job.id, status);
  }

  /** The services a job writes through: the REST paths, with or without their notifications. */
  private jobServices(): EmulatorServices {
    return this.options.notifications === 'none' ? { ...this.services, notify: () => undefined } : this.services;
  }

  private async runImport(job: ImportJob): Promise<void> {
    if (this.cancelRequested.has(job.id)) {
      this.setStatus(job, 'cancelled');
      return;
    }
    this.setStatus(job, 'running');
    let log: BufferedLog;
    try {
      log = new BufferedLog(await this.options.storage.createLog(job.outputBlobUri), job.id);
    } catch (error) {
      this.setStatus(job, 'failed', storageError(error));
      return;
    }
    // `logged`: the log already names each failed line, so the job's summary error is not repeated there.
    const finish = async (status: 'succeeded' | 'failed' | 'cancelled', error?: JobError, logged = false): Promise<void> => {
      if (error && !logged) log.error({ code: error.code, message: error.message });
      await log.info({ status: status === 'succeeded' ? 'Succeeded' : status === 'cancelled' ? 'Cancelled' : 'Failed' });
      this.setStatus(job, status, error);
    };
    try {
      await log.info({ status: 'Started' });
      const text = await this.options.storage.readText(job.inputBlobUri);
      const sectionLog: Promise<void>[] = [];
      const outcome = await runImportJob(text, this.jobServices(), this.models, job.inputBlobUri, {
        chunkLines: this.options.chunkSize,
        betweenChunks: () => pause(this.options.chunkDelayMs),
        shouldStop: () => this.cancelRequested.has(job.id),
        onSection: (section: ImportSection, status) => void sectionLog.push(log.info({ section, status })),
        onError: (section: ImportSection, error) => log.error({ section, ...errorDetails(error) }),
      });
      await Promise.all(sectionLog);
      await log.flush();
      if (outcome.stopped) return await finish('cancelled');
      if (outcome.failed > 0) {
        return await finish(
          'failed',
          {
            code: 'ImportFailed',
            message: `${outcome.failed} line(s) of the import file could not be applied (${outcome.models} models, ${outcome.twins} twins, ${outcome.relationships} relationships were). The output log ${job.outputBlobUri} names each one.`,
          },
          true,
        );
      }
      await finish('succeeded');
    } catch (error) {
      await finish(
        'failed',
        error instanceof JobStorageError
          ? storageError(error)
          : { code: error instanceof AdtError ? error.code : 'ImportFailed', message: (error as Error).message },
      );
    }
  }

  private async runDeletion(job: DeleteJob, timeoutMs: number): Promise<void> {
    job.status = 'running';
    this.track(job.id, 'running');
    const deadline = Date.now() + timeoutMs;
    const services = this.jobServices();
    let done = 0;
    const step = async (): Promise<void> => {
      if (++done % this.options.chunkSize === 0) await pause(this.options.chunkDelayMs);
      if (Date.now() > deadline)
        throw new AdtError(
          500,
          'Timeout',
          `The delete job did not finish within its timeout (${timeoutMs / 60000} minutes); the instance may still hold twins, relationships or models. Start another delete job.`,
        );
    };
    try {
      // Relationships first, then twins (a twin with relationships cannot be deleted), then models.
      for (const rel of [...services.relationships.values()]) {
        if (!services.relationships.delete(rel.$sourceId, rel.$relationshipId)) continue;
        services.notify({
          type: 'Microsoft.DigitalTwins.Relationship.Delete',
          subject: `${rel.$sourceId}/relationships/${rel.$relationshipId}`,
          data: rel,
        });
        await step();
      }
      for (const twin of [...services.twins.values()]) {
        // A write that raced the job may have added a relationship; ADT's job is not atomic either.
        if (services.relationships.countFor(twin.$dtId) > 0 || !services.twins.delete(twin.$dtId)) continue;
        services.telemetry.forgetTwin(twin.$dtId);
        services.counters.twinWrite(twin.$dtId, 'delete');
        services.notify({ type: 'Microsoft.DigitalTwins.Twin.Delete', subject: twin.$dtId, data: twin });
        await step();
      }
      this.models.clear();
      services.changed();
      job.status = 'succeeded';
    } catch (error) {
      job.status = 'failed';
      job.error = { code: error instanceof AdtError ? error.code : 'DeleteFailed', message: (error as Error).message };
      services.changed();
    }
    job.finishedDateTime = jobTime();
    this.track(job.id, job.status);
  }
}

function storageError(error: unknown): JobError {
  return error instanceof JobStorageError
    ? { code: error.code, message: error.message }
    : { code: 'ImportFailed', message: (error as Error).message };
}

/** An import line's failure for the log: ADT's code, the message with file and line, ADT's details. */
function errorDetails(error: unknown): Record<string, unknown> {
  if (error instanceof AdtError) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  return { code: 'ImportFailed', message: (error as Error).message };
}
