// ADT's size limit on POST /models: 1 MB per model (reference-service-limits, "Models" rows). It replaces
// the 32 KB request limit of the twin routes, which would refuse any real ontology (a 250-model
// RealEstateCore call is ~140 KB) and every single model above 32 KB. The 250-models-per-call limit is
// the model registry's (models/modelRegistry.ts), because it needs the parsed array anyway.
import { AdtError } from '../errors';

export interface ModelUploadLimits {
  /** Serialized JSON size of one model (UTF-8 bytes). */
  maxModelBytes: number;
}

export const adtModelUploadLimits: ModelUploadLimits = { maxModelBytes: 1024 * 1024 };

/**
 * Largest POST /models body the emulator reads at all (memory guard, not an ADT number): 250 models of
 * 1 MB could in theory be 250 MB, but nobody uploads that; a bigger body is refused with 413 before parsing.
 */
export const MAX_MODEL_REQUEST_BYTES = 64 * 1024 * 1024;

/** Refuses an upload ADT would refuse for its size; the DTDL itself is checked later by the registry. */
export function checkModelUpload(body: unknown, limits: ModelUploadLimits): void {
  if (!Array.isArray(body)) return;
  body.forEach((model: unknown, index) => {
    const bytes = Buffer.byteLength(JSON.stringify(model) ?? '');
    if (bytes <= limits.maxModelBytes) return;
    const id =
      typeof model === 'object' && model !== null && typeof (model as Record<string, unknown>)['@id'] === 'string'
        ? String((model as Record<string, unknown>)['@id'])
        : `at index ${index}`;
    // ADT's text for this case is not recorded anywhere public; code and status follow the swagger's LimitExceeded.
    throw new AdtError(
      400,
      'LimitExceeded',
      `The model ${id} is ${bytes} bytes, which exceeds the supported limit of ${limits.maxModelBytes} bytes for a single model. Split it into smaller models (extends or components).`,
    );
  });
}
