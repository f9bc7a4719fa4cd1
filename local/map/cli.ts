// npm run map -- --scenario <dir> --message <envelope.json | file.ndjson | -> [--twin <twin.json>] [--json]
// Prints what the pipeline would do with each message: no ADT, nothing written.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { errorMessage } from '../../shared/common';
import { parseEnvelope, type TelemetryEnvelope } from '../../shared/ingest';
import { standardArgv } from '../cli';
import { defaultScenarioDirectory, loadScenario } from '../scenario';
import { type MessagePreview, ScenarioPreviewer } from './preview';
import { storedTwinDocument } from './statefulPreview';

const usage = `Usage: npm run map -- [--scenario <dir>] --message <envelope.json | messages.ndjson | -> [--twin <twin.json>] [--json]

  --scenario <dir>   models/, graph.ndjson and pipeline.yaml (default: local/scenarios/building)
  --message <file>   one envelope (JSON) or several (ndjson); - reads standard input. A line that
                     is not an envelope is reported with its line number and skipped; the rest is
                     previewed (exit code 1 when any line was skipped)
  --twin <file>      a stored twin document (as ADT returns it, with $metadata sourceTimes) used
                     instead of the scenario's twin of that id: stateful transforms (integrate,
                     rate, ema, delta, counter) fold over its stored values; repeatable
  --json             machine-readable output
  -h, --help         this text`;

interface MapArgs {
  scenario: string;
  message: string;
  json: boolean;
  twins: string[];
}

export function parseMapArgs(argv: readonly string[]): MapArgs | { help: true } | { error: string } {
  let scenario = defaultScenarioDirectory;
  let message: string | undefined;
  let json = false;
  const twins: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    if (flag === '-h' || flag === '--help') return { help: true };
    else if (flag === '--json') json = true;
    else if (flag === '--scenario') scenario = value() ?? '';
    else if (flag === '--message') message = value();
    else if (flag === '--twin') {
      const file = value();
      if (!file) return { error: '--twin needs a twin document (JSON file).' };
      twins.push(file);
    } else return { error: `Unknown flag ${flag}.` };
  }
  if (!scenario) return { error: '--scenario needs a directory.' };
  if (message === undefined) return { error: '--message is required (a file, or - for standard input).' };
  return { scenario: resolve(process.env.INIT_CWD ?? process.cwd(), scenario), message, json, twins };
}

/** A message of the input, or a line of it that is not one (its place and why). */
export type InputItem = { envelope: TelemetryEnvelope } | { unreadable: string };

/**
 * One envelope, a JSON array of them, or ndjson; each is checked as the runner checks telemetry
 * lines. A bad ndjson line does not stop the rest: it is reported with its line number.
 */
export function readMessages(text: string, source: string): InputItem[] {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    return text.split(/\r?\n/).flatMap((line, index): InputItem[] => {
      if (line.trim() === '') return [];
      try {
        return [{ envelope: parseEnvelope(line, `${source}:${index + 1}`) }];
      } catch (error) {
        return [{ unreadable: errorMessage(error) }];
      }
    });
  }
  const items = Array.isArray(whole) ? whole : [whole];
  return items.map((item, i): InputItem => {
    try {
      return { envelope: parseEnvelope(JSON.stringify(item), `${source}[${i}]`) };
    } catch (error) {
      return { unreadable: errorMessage(error) };
    }
  });
}

function readInput(source: string): string {
  return source === '-' ? readFileSync(0, 'utf8') : readFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), source), 'utf8');
}

/**
 * `rule "thermostat" matched: applied temperature; refused 2` and one line per refused value; a rule
 * that matched and refused everything says so (it is not "none matched").
 */
function describeRules(preview: MessagePreview): string[] {
  const modelDriven = preview.rules.filter((rule) => !preview.matched.some((m) => m.rule === rule));
  if (preview.matched.length === 0)
    return [`  rules: none matched${modelDriven.length > 0 ? ` (mapped by ${modelDriven.join(', ')})` : ''}`];
  const lines: string[] = [];
  for (const outcome of preview.matched) {
    const applied = outcome.applied.length > 0 ? `applied ${outcome.applied.join(', ')}` : 'applied nothing';
    const refused =
      outcome.refused.length === 0 ? '' : outcome.applied.length === 0 ? ' — every mapping refused or missing:' : '; not applied:';
    lines.push(`  rule "${outcome.rule}" matched, ${applied}${refused}`);
    for (const r of outcome.refused) lines.push(`    ${r.mapping}: ${r.outcome} (${r.reason}): ${r.detail}`);
  }
  return lines;
}

export function describePreview(preview: MessagePreview, index: number): string {
  const lines: string[] = [];
  const d = preview.decoded;
  const kind = d.ok && d.source ? `, ${d.source.name}${d.source.opType ? ` ${d.source.opType}` : ''}` : '';
  lines.push(
    `message ${index + 1}: ${d.ok ? `device ${d.deviceId}, enqueued ${d.enqueuedTime}${kind}${d.component ? `, component ${d.component}` : ''}` : `not decoded (${d.reason}): ${d.detail}`}`,
  );
  if (d.ok) lines.push(`  body ${JSON.stringify(d.body)}`, ...describeRules(preview));
  for (const twin of preview.twins) {
    lines.push(`  twin ${twin.twinId}${twin.model ? ` (${twin.model})` : ''}: PATCH`);
    for (const op of twin.patch) lines.push(`    ${op.op} ${op.path} ${JSON.stringify(op.value)}`);
    for (const s of twin.stale) lines.push(`    stale ${s.path}: ${s.sourceTime} is older than the stored ${s.stored}`);
    for (const s of twin.skippedReadings ?? []) lines.push(`    skipped reading of ${s.path} at ${s.sourceTime} (${s.reason})`);
  }
  for (const a of preview.lifecycle)
    lines.push(
      a.kind === 'create' ? `  create twin ${a.twinId} (${a.modelId})` : `  retire twin ${a.twinId}: its relationships, then the twin`,
    );
  for (const t of preview.telemetry)
    lines.push(
      `  telemetry to ${t.twinId}${t.component ? `/${t.component}` : ''}: ${JSON.stringify(t.payload)} (Message-Id ${t.messageId}, source time ${t.sourceTime})`,
    );
  // A refusal already listed under its rule is not repeated.
  const ofMatchedRule = (where: string | undefined, detail: string): boolean =>
    preview.matched.some(
      (m) =>
        (where !== undefined && (where === m.where || where.startsWith(`${m.where}.`))) ||
        detail.startsWith(`${m.where}.`) ||
        detail.startsWith(`${m.where}:`),
    );
  for (const f of preview.filtered) if (!ofMatchedRule(undefined, f.detail)) lines.push(`  filtered (${f.reason}): ${f.detail}`);
  for (const r of preview.deadLettered)
    if (!ofMatchedRule(r.where, r.detail)) lines.push(`  dead-lettered (${r.reason}): ${r.where ? `${r.where}: ` : ''}${r.detail}`);
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseMapArgs(argv);
  if ('help' in args) {
    console.log(usage);
    return 0;
  }
  if ('error' in args) {
    console.error(`${args.error}\n\n${usage}`);
    return 2;
  }
  const previewer = new ScenarioPreviewer(loadScenario(args.scenario));
  for (const file of args.twins) previewer.useStoredTwin(storedTwinDocument(JSON.parse(readInput(file)) as unknown, file));
  for (const problem of previewer.problems) console.error(`configuration: ${problem}`);
  const previews: MessagePreview[] = [];
  const text: string[] = [];
  const unreadable: string[] = [];
  for (const item of readMessages(readInput(args.message), args.message)) {
    if ('unreadable' in item) {
      unreadable.push(item.unreadable);
      text.push(`skipped ${item.unreadable}`);
      continue;
    }
    const preview = await previewer.preview(item.envelope);
    text.push(describePreview(preview, previews.length));
    previews.push(preview);
  }
  if (args.json) {
    for (const line of unreadable) console.error(`skipped ${line}`);
    console.log(JSON.stringify(previews, null, 2));
  } else console.log(text.join('\n\n'));
  // Every readable message was previewed; the exit code still tells a script that some lines were not.
  return unreadable.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main(standardArgv(process.argv.slice(2))).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(errorMessage(error));
      process.exitCode = 1;
    },
  );
}
