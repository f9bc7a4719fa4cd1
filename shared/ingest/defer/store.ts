// Where deferred values live: named bucket documents, each read with a version (a blob's ETag, a
// file's exact text) and written back only if still at that version, so two invocations (two
// instances, the timer and an ingest batch) merging or draining one bucket never lose a value.

export interface StoredBucket {
  text: string;
  /** undefined: the bucket does not exist (a write then creates it only if still absent). */
  version: string | undefined;
}

export interface DeferredValuesStore {
  /** Human-readable target, for logs and errors. */
  readonly target: string;
  /** Names of the buckets that hold something (an emptied bucket is deleted). */
  list(): Promise<string[]>;
  read(name: string): Promise<StoredBucket>;
  /** Writes `text` if the bucket is still at `version` (absent when undefined); false when it changed. */
  write(name: string, text: string, version: string | undefined): Promise<boolean>;
  /** Deletes the bucket if still at `version`; false when it changed or is gone. */
  remove(name: string, version: string): Promise<boolean>;
}
