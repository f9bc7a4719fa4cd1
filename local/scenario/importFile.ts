// Reads an ADT import-job file (ndjson: Header, Models, Twins, Relationships sections) into plain
// lists. The emulator imports the file itself; the runner needs the lists to seed a real ADT
// instance (--adt-url), to find the simulated devices and to print the twin tree.

export interface ImportedTwin {
  $dtId: string;
  $metadata: { $model: string } & Record<string, unknown>;
  [property: string]: unknown;
}

export interface ImportedRelationship {
  $dtId: string;
  $relationshipId: string;
  $targetId: string;
  $relationshipName: string;
  [property: string]: unknown;
}

export interface ImportFile {
  models: Record<string, unknown>[];
  twins: ImportedTwin[];
  relationships: ImportedRelationship[];
  /** 1-based line of each twin and relationship (same order), for errors that name the line. */
  lines: { twins: number[]; relationships: number[] };
}

const SECTIONS = ['Header', 'Models', 'Twins', 'Relationships'] as const;
type Section = (typeof SECTIONS)[number];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseImportFile(text: string, fileName: string): ImportFile {
  const result: ImportFile = { models: [], twins: [], relationships: [], lines: { twins: [], relationships: [] } };
  let section: Section | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return;
    const where = `${fileName}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(`${where}: not valid JSON (${(error as Error).message}). Each line of an import file is one JSON object.`);
    }
    if (!isObject(value)) throw new Error(`${where}: must be a JSON object.`);
    if (typeof value.Section === 'string' && Object.keys(value).length === 1) {
      if (!(SECTIONS as readonly string[]).includes(value.Section)) {
        throw new Error(`${where}: unknown section "${value.Section}"; use Header, Models, Twins or Relationships.`);
      }
      section = value.Section as Section;
      return;
    }
    if (section === undefined) throw new Error(`${where}: comes before any {"Section": …} line; start the file with {"Section":"Header"}.`);
    if (section === 'Models') result.models.push(value);
    if (section === 'Twins') {
      const model = isObject(value.$metadata) ? value.$metadata.$model : undefined;
      if (typeof value.$dtId !== 'string' || typeof model !== 'string')
        throw new Error(`${where}: a twin needs "$dtId" and "$metadata": {"$model": …}.`);
      result.twins.push(value as ImportedTwin);
      result.lines.twins.push(index + 1);
    }
    if (section === 'Relationships') {
      for (const key of ['$dtId', '$relationshipId', '$targetId', '$relationshipName']) {
        if (typeof value[key] !== 'string') throw new Error(`${where}: a relationship needs a string "${key}".`);
      }
      result.relationships.push(value as ImportedRelationship);
      result.lines.relationships.push(index + 1);
    }
  });
  return result;
}
