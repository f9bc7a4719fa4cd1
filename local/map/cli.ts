// npm run map -- --scenario <dir> --message <envelope.json | file.ndjson | -> [--json]
// Prints what the pipeline would do with each message: no ADT, nothing written.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { errorMessage } from '../../shared/common';
import { parseEnvelope, parseEnvelopes, type TelemetryEnvelope } from '../../shared/ingest';
import { standardArgv } from '../cli';
import { defaultScenarioDirectory, loadScenario } from '../scenario';
import { type MessagePreview, ScenarioPreviewer } from './preview';

const usage = `Usage: npm run map -- [--scenario <dir>] --message <envelope.json | messages.ndjson | -> [--json]

  --scenario <dir>   models/, graph.ndjson and pipeline.yaml (default: local/scenarios/building)
  --message <file>   one envelope (JSON) or several (ndjson); - reads standard input
  --json             machine-readable output
  -h, --help         this text`;

interface MapArgs {
  scenario: string;
  message: string;
  json: boolean;
}

export function parseMapArgs(argv: readonly string[]): MapArgs | { help: true } | { error: string } {
  let scenario = defaultScenarioDirectory;
  let message: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    if (flag === '-h' || flag === '--help') return { help: true };
    else if (flag === '--json') json = true;
    else if (flag === '--scenario') scenario = value() ?? '';
    else if (flag === '--message') message = value();
    else return { error: `Unknown flag ${flag}.` };
  }
  if (!scenario) return { error: '--scenario needs a directory.' };
  if (message === undefined) return { error: '--message is required (a file, or - for standard input).' };
  return { scenario: resolve(process.env.INIT_CWD ?? process.cwd(), scenario), message, json };
}

/** One envelope, a JSON array of them, or ndjson; each is checked as the runner checks telemetry lines. */
function readMessages(source: string): TelemetryEnvelope[] {
  const text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), source), 'utf8');
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    return parseEnvelopes(text, source);
  }
  const items = Array.isArray(whole) ? whole : [whole];
  return items.map((item, i) => parseEnvelope(JSON.stringify(item), `${source}[${i}]`));
}

export function describePreview(preview: MessagePreview, index: number): string {
  const lines: string[] = [];
  const d = preview.decoded;
  lines.push(`message ${index + 1}: ${d.ok ? `device ${d.deviceId}, enqueued ${d.enqueuedTime}${d.component ? `, component ${d.component}` : ''}` : `not decoded (${d.reason}): ${d.detail}`}`);
  if (d.ok) lines.push(`  body ${JSON.stringify(d.body)}`, `  rules: ${preview.rules.length > 0 ? preview.rules.join(', ') : '(none matched)'}`);
  for (const twin of preview.twins) {
    lines.push(`  twin ${twin.twinId}${twin.model ? ` (${twin.model})` : ''}: PATCH`);
    for (const op of twin.patch) lines.push(`    ${op.op} ${op.path} ${JSON.stringify(op.value)}`);
    for (const s of twin.stale) lines.push(`    stale ${s.path}: ${s.sourceTime} is older than the stored ${s.stored}`);
  }
  for (const t of preview.telemetry) lines.push(`  telemetry to ${t.twinId}${t.component ? `/${t.component}` : ''}: ${JSON.stringify(t.payload)} (Message-Id ${t.messageId}, source time ${t.sourceTime})`);
  for (const f of preview.filtered) lines.push(`  filtered (${f.reason}): ${f.detail}`);
  for (const r of preview.deadLettered) lines.push(`  dead-lettered (${r.reason}): ${r.where ? `${r.where}: ` : ''}${r.detail}`);
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
  for (const problem of previewer.problems) console.error(`configuration: ${problem}`);
  const previews: MessagePreview[] = [];
  for (const envelope of readMessages(args.message)) previews.push(await previewer.preview(envelope));
  console.log(args.json ? JSON.stringify(previews, null, 2) : previews.map(describePreview).join('\n\n'));
  return 0;
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
