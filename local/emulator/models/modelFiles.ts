// Reads DTDL files from a folder tree (ontologies such as RealEstateCore nest theirs many levels deep).
// Each file holds one interface or an array of them; every model remembers its file for error messages.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import type { ModelDocument } from './uploadPlan';

export interface ModelFile {
  /** Path relative to the folder that was read. */
  file: string;
  model: ModelDocument;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFiles(path);
      return name.toLowerCase().endsWith('.json') ? [path] : [];
    });
}

export function readModelDirectory(dir: string): ModelFile[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`Model folder ${dir} does not exist. Pass a folder of DTDL .json files (one interface or an array per file).`);
  }
  const result: ModelFile[] = [];
  const seen = new Map<string, string>();
  for (const path of jsonFiles(dir)) {
    const file = relative(dir, path);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path}: not valid JSON (${(error as Error).message}). Fix the file or move it out of ${dir}.`);
    }
    const models = Array.isArray(value) ? (value as unknown[]) : [value];
    models.forEach((model, index) => {
      const where = Array.isArray(value) ? `${path} [${index}]` : path;
      if (model === null || typeof model !== 'object' || Array.isArray(model) || typeof (model as ModelDocument)['@id'] !== 'string') {
        throw new Error(`${where}: a DTDL interface must be a JSON object with an "@id" (dtmi:…;1).`);
      }
      const id = String((model as ModelDocument)['@id']);
      const previous = seen.get(id);
      if (previous !== undefined) throw new Error(`${where}: model ${id} is also defined in ${previous}. Keep one definition.`);
      seen.set(id, where);
      result.push({ file, model: model as ModelDocument });
    });
  }
  if (result.length === 0) throw new Error(`Model folder ${dir} holds no .json files.`);
  return result;
}
