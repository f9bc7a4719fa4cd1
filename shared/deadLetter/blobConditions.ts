// Blob Storage plumbing: a downloaded body read whole, and conditional writes, shared by the stores that read a blob, decide, and write it back
// on its ETag (dead letters read back for replay, deferred values): a condition that no longer holds
// is an answer ("someone else changed it"), not a failure.

/** The HTTP status of a Blob Storage error, if it has one. */
export function blobStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Runs a conditional write: true when it happened, false when the blob answered with one of
 * `lostRace` (e.g. 412 changed since read, 404 gone, 409 created meanwhile). Anything else throws.
 */
export async function conditionalBlobWrite(action: () => Promise<void>, lostRace: readonly number[]): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    const status = blobStatusOf(error);
    if (status !== undefined && lostRace.includes(status)) return false;
    throw error;
  }
}

/** A downloaded blob's body, read whole. */
export async function readBlobBody(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
