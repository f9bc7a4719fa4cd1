// ADT's 32 KB limit applies to the stored twin after a PUT or PATCH, not only to the request body
// (request bodies and string values are checked by ../limits). Configurable per emulator.
import { AdtError } from './errors';

export interface PayloadLimits {
  maxTwinBytes: number;
}

export const defaultPayloadLimits: PayloadLimits = { maxTwinBytes: 32 * 1024 };

export function checkDocumentSize(doc: unknown, limits: PayloadLimits, what: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(doc));
  if (bytes > limits.maxTwinBytes) {
    throw new AdtError(
      400,
      'InvalidArgument',
      `The resulting ${what} is ${bytes} bytes; ADT allows at most ${limits.maxTwinBytes} bytes per ${what}. Remove or shorten properties.`,
    );
  }
}
