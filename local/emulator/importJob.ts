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
/** Per import job (reference-service-limits): 2,000,000 twins and 10,000,000 relationships. */
export const IMPORT_JOB_MAX_TWINS = 2_000_000;
export const IMPORT_JOB_MAX_RELATIONSHIPS = 10_000_000;

/** Exported for tests: a job over a limit is refused before any line is applied. */
export function checkJobLimits(sections: Map<Section, readonly unknown[]>, source: string): void {
  const limits: Array<[Section, number]> = [
    ['Models', IMPORT_JOB_MAX_MODELS],
    ['Twins', IMPORT_JOB_MAX_TWINS],
    ['Relationships', IMPORT_JOB_MAX_RELATIONSHIPS],
  ];
  for (const [section, limit] of limits) {
    const count = sections.get(section)?.length ?? 0;
    if (count > limit)
      throw new AdtError(
        400,
        'LimitExceeded',
        `${source}: the ${section} section has ${count} lines; one import job takes at most ${limit}. Split the graph into several import files.`,
      );
  }
}

export interface ImportSummary {
  models: number;
  twins: number;
  relationships: number;
}

export type Section = 'Header' | 'Models' | 'Twins' | 'Relationships';
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
      if (!SECTIONS.has(section))
        throw errors.invalidArgument(`${source} line ${number}: unknown section '${section}'. Use Header, Models, Twins or Relationships.`);
      current = section as Section;
      if (!sections.has(current)) sections.set(current, []);
      return;
    }
    if (current === undefined)
      throw errors.invalidArgument(
        `${source} line ${number} comes before any {"Section": ...} line. Start the file with {"Section": "Header"}.`,
      );
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
  const missingModel = /does not exist/.test(detail)
    ? ' Upload the models first: --models <dir>, --scenario <dir>, or a Models section in the file.'
    : '';
  const what = subject.what !== undefined ? `, ${subject.what}` : '';
  return new AdtError(
    error.status,
    error.code,
    `${source} line ${subject.line}${what}: ${error.message.replace(/\.$/, '')}${detail}.${missingModel}`,
    error.details,
    error.headers,
  );
}

function twinSubject(line: Line): Subject {
  const metadata = line.value['$metadata'];
  const model = isJsonObject(metadata) && typeof metadata['$model'] === 'string' ? ` (model ${metadata['$model']})` : '';
  return { line: line.number, what: `twin '${String(line.value['$dtId'])}'${model}` };
}

function relationshipSubject(line: Line): Subject {
  const v = line.value;
  return {
    line: line.number,
    what: `relationship '${String(v['$relationshipId'])}' ${String(v['$dtId'])} -[${String(v['$relationshipName'])}]-> ${String(v['$targetId'])}`,
  };
}

function requiredString(line: Line, key: string): string {
  const value = line.value[key];
  if (typeof value !== 'string' || value === '') throw errors.invalidArgument(`needs a string ${key}`);
  return value;
}

/** The sections an import file may hold, in the order the service runs them. */
export type ImportSection = 'Models' | 'Twins' | 'Relationships';

/**
 * What an import job (jobs/importJobs.ts) watches and steers. Without hooks the first bad line throws
 * (the emulator's --import and POST /$admin/import); with `onError` a bad line is reported and the run
 * goes on, as ADT's import jobs do (not atomic, no rollback).
 */
export interface ImportHooks {
  onSection?(section: ImportSection, status: 'Started' | 'Succeeded' | 'Failed'): void;
  onError?(section: ImportSection, error: unknown): void;
  /** Asked between chunks of lines; true stops the run before the next chunk (cancel). */
  shouldStop?(): boolean;
  /** Lines per chunk; between chunks the event loop runs (status polls, cancel). Default: no yielding. */
  chunkLines?: number;
  /** Awaited between chunks; default: one turn of the event loop. */
  betweenChunks?(): Promise<void>;
}

export interface ImportOutcome extends ImportSummary {
  /** Lines that failed (only counted when `onError` is given). */
  failed: number;
  stopped: boolean;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `source` names the input in messages: a file path, or 'Import' for a request body. */
export async function runImport(text: string, services: EmulatorServices, models: ModelSink, source = 'Import'): Promise<ImportSummary> {
  const { models: m, twins, relationships } = await runImportJob(text, services, models, source, {});
  return { models: m, twins, relationships };
}

/** The import with job hooks; counts are of lines applied (failed lines are not counted). */
export async function runImportJob(
  text: string,
  services: EmulatorServices,
  models: ModelSink,
  source: string,
  hooks: ImportHooks,
): Promise<ImportOutcome> {
  const sections = parseLines(text, source);
  checkJobLimits(sections, source);
  const outcome: ImportOutcome = { models: 0, twins: 0, relationships: 0, failed: 0, stopped: false };
  const report = (section: ImportSection, error: unknown): void => {
    if (!hooks.onError) throw error;
    outcome.failed += 1;
    hooks.onError(section, error);
  };
  const modelLines = sections.get('Models') ?? [];
  if (modelLines.length > 0) {
    hooks.onSection?.('Models', 'Started');
    try {
      await models.add(
        modelLines.map((l) => l.value),
        IMPORT_JOB_MAX_MODELS,
      );
      outcome.models = modelLines.length;
      hooks.onSection?.('Models', 'Succeeded');
    } catch (error) {
      const first = modelLines[0]?.number ?? 0;
      const last = modelLines[modelLines.length - 1]?.number ?? first;
      report('Models', atLine(source, { line: first, what: `Models section (lines ${first}-${last})` }, error));
      hooks.onSection?.('Models', 'Failed');
    }
  }
  const applyLines = async (
    section: 'Twins' | 'Relationships',
    apply: (line: Line) => void,
    subject: (line: Line) => Subject,
  ): Promise<void> => {
    const lines = sections.get(section) ?? [];
    if (lines.length === 0 || outcome.stopped) return;
    hooks.onSection?.(section, 'Started');
    const failedBefore = outcome.failed;
    const chunk = hooks.chunkLines ?? Number.POSITIVE_INFINITY;
    for (let i = 0; i < lines.length; i++) {
      if (i > 0 && i % chunk === 0) {
        await (hooks.betweenChunks ? hooks.betweenChunks() : nextTurn());
        if (hooks.shouldStop?.()) {
          outcome.stopped = true;
          return;
        }
      }
      const line = lines[i] as Line;
      try {
        apply(line);
        outcome[section === 'Twins' ? 'twins' : 'relationships'] += 1;
      } catch (error) {
        report(section, atLine(source, subject(line), error));
      }
    }
    hooks.onSection?.(section, outcome.failed > failedBefore ? 'Failed' : 'Succeeded');
  };
  await applyLines(
    'Twins',
    (line) => {
      const { $dtId: _id, ...body } = line.value;
      upsertTwin(services, requiredString(line, '$dtId'), body);
    },
    twinSubject,
  );
  if (!outcome.stopped && hooks.shouldStop?.()) outcome.stopped = true;
  await applyLines(
    'Relationships',
    (line) => void upsertRelationship(services, requiredString(line, '$dtId'), requiredString(line, '$relationshipId'), line.value),
    relationshipSubject,
  );
  return outcome;
}
