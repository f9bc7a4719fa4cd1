// Reads a request body with a hard cap, then parses JSON. Size limits the client should see as ADT's
// errors are applied by the caller (ServiceLimits.checkPayload/checkBody); the cap here only protects memory.
import type { IncomingMessage } from 'node:http';

import { AdtError, errors } from '../errors';

export async function readRawBody(req: IncomingMessage, capBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > capBytes) throw errors.payloadTooLarge(capBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Empty body → undefined; anything else must be JSON. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new AdtError(
      400,
      'InvalidArgument',
      `The request body is not valid JSON (${why}). Send a JSON document with Content-Type application/json.`,
    );
  }
}
