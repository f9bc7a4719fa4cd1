// Loads an ADT import-job file (ndjson: Header, Models, Twins, Relationships sections) through the same
// validation paths as the REST API, so an import cannot create state the API would have refused.
import { AdtError, errors } from './errors';
import { upsertRelationship } from './handlers/relationshipWrites';
import { upsertTwin } from './handlers/twins';
import { isJsonObject, type JsonObject } from './metadata';
import type { EmulatorServices } from './services';

export interface ModelSink {
  add(models: unknown[]): Promise<unknown>;
}

export interface ImportSummary {
  models: number;
  twins: number;
  relationships: number;
}

type Section = 'Header' | 'Models' | 'Twins' | 'Relationships';
const SECTIONS = new Set<string>(['Header', 'Models', 'Twins', 'Relationships']);

interface Line {
  number: number;
  value: JsonObject;
}

function parseLines(text: string): Map<Section, Line[]> {
  const sections = new Map<Section, Line[]>();
  let current: Section | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const number = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw errors.invalidArgument(`Import line ${number} is not valid JSON. Each line of an import file must be one JSON object.`);
    }
    if (!isJsonObject(value)) throw errors.invalidArgument(`Import line ${number} must be a JSON object.`);
    const section = value['Section'];
    if (typeof section === 'string' && Object.keys(value).length === 1) {
      if (!SECTIONS.has(section)) throw errors.invalidArgument(`Import line ${number}: unknown section '${section}'. Use Header, Models, Twins or Relationships.`);
      current = section as Section;
      if (!sections.has(current)) sections.set(current, []);
      return;
    }
    if (current === undefined) throw errors.invalidArgument(`Import line ${number} comes before any {"Section": ...} line. Start the file with {"Section": "Header"}.`);
    sections.get(current)?.push({ number, value });
  });
  return sections;
}

function atLine(line: number, error: unknown): unknown {
  if (!(error instanceof AdtError)) return error;
  return new AdtError(error.status, error.code, `Import line ${line}: ${error.message}`, error.details, error.headers);
}

function requiredString(line: Line, key: string): string {
  const value = line.value[key];
  if (typeof value !== 'string' || value === '') throw errors.invalidArgument(`Import line ${line.number} needs a string ${key}.`);
  return value;
}

export async function runImport(text: string, services: EmulatorServices, models: ModelSink): Promise<ImportSummary> {
  const sections = parseLines(text);
  const modelLines = sections.get('Models') ?? [];
  if (modelLines.length > 0) {
    try {
      await models.add(modelLines.map((l) => l.value));
    } catch (error) {
      throw atLine(modelLines[0]?.number ?? 0, error);
    }
  }
  const twinLines = sections.get('Twins') ?? [];
  for (const line of twinLines) {
    try {
      const { $dtId: _id, ...body } = line.value;
      upsertTwin(services, requiredString(line, '$dtId'), body);
    } catch (error) {
      throw atLine(line.number, error);
    }
  }
  const relationshipLines = sections.get('Relationships') ?? [];
  for (const line of relationshipLines) {
    try {
      upsertRelationship(services, requiredString(line, '$dtId'), requiredString(line, '$relationshipId'), line.value);
    } catch (error) {
      throw atLine(line.number, error);
    }
  }
  return { models: modelLines.length, twins: twinLines.length, relationships: relationshipLines.length };
}
