// Uploads a folder of models at start (--models, --scenario) the way a careful client would: only models
// not yet present, in dependency-ordered calls of at most 250, through the same registry and DTDL parser
// as POST /models. A refused call names the files of the models ADT's message mentions.
import { join } from 'node:path';

import { AdtError } from './errors';
import { type ModelFile, readModelDirectory } from './models/modelFiles';
import type { ModelRegistry } from './models/modelRegistry';
import { MAX_MODELS_PER_CALL, planModelUpload } from './models/uploadPlan';

export interface ModelSeedSummary {
  /** Models uploaded now. */
  uploaded: number;
  /** Models already present (restored from --persist) and left alone. */
  present: number;
  calls: number;
}

/**
 * The parser's message names either the broken model or a DTMI it could not resolve; point at the files of
 * the models named, else of the models that reference the unresolved id.
 */
function describeFailure(dir: string, files: ModelFile[], error: unknown): Error {
  const base =
    error instanceof AdtError
      ? `${error.code}: ${error.message}${error.details ? ` ${error.details.map((d) => d.message).join('; ')}` : ''}`
      : String(error);
  const mentionedIds = new Set(base.match(/dtmi:[A-Za-z0-9_:]+;[0-9]+/g) ?? []);
  let culprits = files.filter((f) => mentionedIds.has(String(f.model['@id'])));
  if (culprits.length === 0) culprits = files.filter((f) => [...mentionedIds].some((id) => JSON.stringify(f.model).includes(`"${id}"`)));
  const where =
    culprits.length > 0
      ? culprits.map((f) => `${join(dir, f.file)} (${String(f.model['@id'])})`).join(', ')
      : `one of ${files.length} models in this call`;
  return new Error(`Uploading models from ${dir} failed at ${where}: ${base}`);
}

export async function seedModelDirectory(dir: string, registry: ModelRegistry): Promise<ModelSeedSummary> {
  const files = readModelDirectory(dir);
  const fileOf = new Map(files.map((f) => [String(f.model['@id']), f]));
  const missing = files.filter((f) => !registry.has(String(f.model['@id'])));
  const batches = planModelUpload(
    missing.map((f) => f.model),
    MAX_MODELS_PER_CALL,
  );
  for (const batch of batches) {
    try {
      await registry.add(batch);
    } catch (error) {
      throw describeFailure(
        dir,
        batch.map((m) => fileOf.get(String(m['@id'])) as ModelFile),
        error,
      );
    }
  }
  return { uploaded: missing.length, present: files.length - missing.length, calls: batches.length };
}
