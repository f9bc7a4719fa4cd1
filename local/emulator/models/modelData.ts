// Model records as the emulator stores them and as GET /models returns them.

import { isRecord, type JsonRecord, languageMap } from '../../../shared/dtdl';

/** One uploaded interface plus the service's bookkeeping. JSON-safe (used for persistence). */
export interface StoredModel {
  id: string;
  /** The DTDL exactly as uploaded; returned verbatim under `model`. */
  model: JsonRecord;
  uploadTime: string;
  decommissioned: boolean;
}

/** The wire shape of a model (§3.3); `model` only when the definition was asked for. */
export interface ModelData {
  id: string;
  description: Record<string, string>;
  displayName: Record<string, string>;
  decommissioned: boolean;
  uploadTime: string;
  model?: JsonRecord;
}

export function toModelData(stored: StoredModel, includeDefinition: boolean): ModelData {
  return {
    id: stored.id,
    description: languageMap(stored.model['description']),
    displayName: languageMap(stored.model['displayName']),
    decommissioned: stored.decommissioned,
    uploadTime: stored.uploadTime,
    ...(includeDefinition ? { model: stored.model } : {}),
  };
}

export function isStoredModel(value: unknown): value is StoredModel {
  return (
    isRecord(value) &&
    typeof value['id'] === 'string' &&
    isRecord(value['model']) &&
    value['model']['@id'] === value['id'] &&
    typeof value['uploadTime'] === 'string' &&
    typeof value['decommissioned'] === 'boolean'
  );
}

/**
 * Stored models an upload needs the parser to see: every stored id mentioned anywhere in the new documents,
 * and transitively in those stored models. Scanning strings is cheap and over-inclusion is harmless.
 */
export function referencedStoredModels(docs: unknown[], stored: ReadonlyMap<string, StoredModel>): StoredModel[] {
  const found = new Map<string, StoredModel>();
  const queue: unknown[] = [...docs];
  while (queue.length > 0) {
    const value = queue.pop();
    if (typeof value === 'string') {
      const model = stored.get(value);
      if (model && !found.has(value)) {
        found.set(value, model);
        queue.push(model.model);
      }
    } else if (Array.isArray(value)) {
      queue.push(...value);
    } else if (isRecord(value)) {
      queue.push(...Object.values(value));
    }
  }
  return [...found.values()];
}
