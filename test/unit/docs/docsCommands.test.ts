// "Keep every command in README and docs/ true": the front page and every docs/ page (plus the guides
// they send people to) name only npm scripts that exist, flags their command reads, files that exist
// and anchors that exist. The README stays a short front page that links every docs/ page.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const docsPages = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const checked = ['README.md', ...docsPages, 'local/CORE-TOOLS.md', 'infra/DEPLOY.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md'];
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of read(file).split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? undefined : /^#+ (.*)$/.exec(line)?.[1];
    if (heading !== undefined) anchors.add(slug(heading));
  }
  return anchors;
}

/** Every `npm run <script> [-- args]` in code spans and code blocks, args up to a comment or a shell operator. */
function npmRuns(text: string): { script: string; args: string[] }[] {
  const runs: { script: string; args: string[] }[] = [];
  for (const m of text.matchAll(/npm run ([\w:-]+)((?: -- [^`\n#&|;)]*)?)/g)) {
    runs.push({ script: m[1] ?? '', args: (m[2] ?? '').replace(/^ -- /, '').trim().split(/\s+/).filter(Boolean) });
  }
  return runs;
}

/** Source folder of the command a script runs (dist/<dir>/<entry>.js → <dir>/). */
function sourceDirOf(script: string): string | undefined {
  const entry = /dist\/(\S+)\.js/.exec(scripts[script] ?? '')?.[1];
  return entry === undefined ? undefined : dirname(entry);
}

function sourceText(dir: string): string {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(root, dir, f), 'utf8'))
    .join('\n');
}

describe.each(checked)('%s', (file) => {
  const text = read(file);

  it('names only npm scripts that exist, with flags their command reads', () => {
    const runs = npmRuns(text);
    expect(runs.filter((r) => !(r.script in scripts)).map((r) => r.script)).toEqual([]);
    const unknownFlags: string[] = [];
    for (const { script, args } of runs) {
      const dir = sourceDirOf(script);
      if (!dir) continue;
      const source = sourceText(dir);
      // Flags as typed (--x, --x=1) and as listed in prose (--a/--b).
      const flags = args.filter((a) => a.startsWith('--')).flatMap((a) => [...a.matchAll(/--[a-z][\w-]*/g)].map((f) => f[0]));
      for (const flag of flags) {
        if (!source.includes(`'${flag.slice(2)}'`) && !source.includes(flag)) unknownFlags.push(`npm run ${script} -- ${flag}`);
      }
    }
    expect(unknownFlags).toEqual([]);
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1] ?? '';
      if (/^(https?:|mailto:)/.test(target)) continue;
      const [path = '', anchor] = target.split('#');
      const resolved = path === '' ? file : normalize(join(dirname(file), path));
      if (!existsSync(join(root, resolved))) broken.push(target);
      else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(target);
    }
    expect(broken).toEqual([]);
  });
});

describe('README front page', () => {
  const readme = read('README.md');

  it('is short: under 200 lines', () => {
    expect(readme.split('\n').length).toBeLessThan(200);
  });

  it('links every docs/ page', () => {
    expect(docsPages.length).toBeGreaterThanOrEqual(5);
    expect(docsPages.filter((page) => !readme.includes(`](${page})`))).toEqual([]);
  });

  it('keeps the two-command quick start', () => {
    expect(readme).toContain('npm ci && npm run local');
    expect(readme).toMatch(/^npm test {2,}/m);
  });
});
