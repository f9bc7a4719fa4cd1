// Loads an ADT import-job file (ndjson: Header, Models, Twins, Relationships sections) through the same
// validation paths as the REST API, so an import cannot create state the API would have refused.
import { AdtError, errors } from './errors';
import { upsertRelationship } from './handlers/relationshipWrites';
import { upsertTwin } from './handlers/twins';
import { isJsonObject, type JsonObject } from './metadata';
import type { EmulatorServices } from './services';

export interface ModelSink {
  add(models: unknown[], maxPerRequest?: number): Promise<unknown>;
}

/** An import job may carry up to 10,000 models (reference-service-limits), unlike POST /models' 250. */
export const IMPORT_JOB_MAX_MODELS = 10_000;

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

function parseLines(text: string, source: string): Map<Section, Line[]> {
  const sections = new Map<Section, Line[]>();
  let current: Section | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const number = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw errors.invalidArgument(`${source} line ${number} is not valid JSON. Each line of an import file must be one JSON object.`);
    }
    if (!isJsonObject(value)) throw errors.invalidArgument(`${source} line ${number} must be a JSON object.`);
    const section = value['Section'];
    if (typeof section === 'string' && Object.keys(value).length === 1) {
      if (!SECTIONS.has(section)) throw errors.invalidArgument(`${source} line ${number}: unknown section '${section}'. Use Header, Models, Twins or Relationships.`);
      current = section as Section;
      if (!sections.has(current)) sections.set(current, []);
      return;
    }
    if (current === undefined) throw errors.invalidArgument(`${source} line ${number} comes before any {"Section": ...} line. Start the file with {"Section": "Header"}.`);
    sections.get(current)?.push({ number, value });
  });
  return sections;
}

/** What an import error names: where (file and line) and which twin/relationship/model it was about. */
interface Subject {
  line: number;
  what?: string;
}

/**
 * ADT's errors put the real cause in `details` ("Invalid twin specified" + "model … does not exist"), which
 * a console never shows: the message carries it, with the place and a hint for the usual mistake.
 */
function atLine(source: string, subject: Subject, error: unknown): unknown {
  if (!(error instanceof AdtError)) return error;
  const details = error.details?.map((d) => d.message) ?? [];
  const detail = details.length > 0 ? ` (${details.join('; ')})` : '';
  const missingModel = /does not exist/.test(detail) ? ' Upload the models first: --models <dir>, --scenario <dir>, or a Models section in the file.' : '';
  const what = subject.what !== undefined ? `, ${subject.what}` : '';
  return new AdtError(error.status, error.code, `${source} line ${subject.line}${what}: ${error.message.replace(/\.$/, '')}${detail}.${missingModel}`, error.details, error.headers);
}

function twinSubject(line: Line): Subject {
  const metadata = line.value['$metadata'];
  const model = isJsonObject(metadata) && typeof metadata['$model'] === 'string' ? ` (model ${metadata['$model']})` : '';
  return { line: line.number, what: `twin '${String(line.value['$dtId'])}'${model}` };
}

function relationshipSubject(line: Line): Subject {
  const v = line.value;
  return { line: line.number, what: `relationship '${String(v['$relationshipId'])}' ${String(v['$dtId'])} -[${String(v['$relationshipName'])}]-> ${String(v['$targetId'])}` };
}

function requiredString(line: Line, key: string): string {
  const value = line.value[key];
  if (typeof value !== 'string' || value === '') throw errors.invalidArgument(`needs a string ${key}`);
  return value;
}

/** `source` names the input in messages: a file path, or 'Import' for a request body. */
export async function runImport(text: string, services: EmulatorServices, models: ModelSink, source = 'Import'): Promise<ImportSummary> {
  const sections = parseLines(text, source);
  const modelLines = sections.get('Models') ?? [];
  if (modelLines.length > 0) {
    try {
      await models.add(modelLines.map((l) => l.value), IMPORT_JOB_MAX_MODELS);
    } catch (error) {
      const first = modelLines[0]?.number ?? 0;
      const last = modelLines[modelLines.length - 1]?.number ?? first;
      throw atLine(source, { line: first, what: `Models section (lines ${first}-${last})` }, error);
    }
  }
  const twinLines = sections.get('Twins') ?? [];
  for (const line of twinLines) {
    try {
      const { $dtId: _id, ...body } = line.value;
      upsertTwin(services, requiredString(line, '$dtId'), body);
    } catch (error) {
      throw atLine(source, twinSubject(line), error);
    }
  }
  const relationshipLines = sections.get('Relationships') ?? [];
  for (const line of relationshipLines) {
    try {
      upsertRelationship(services, requiredString(line, '$dtId'), requiredString(line, '$relationshipId'), line.value);
    } catch (error) {
      throw atLine(source, relationshipSubject(line), error);
    }
  }
  return { models: modelLines.length, twins: twinLines.length, relationships: relationshipLines.length };
}
