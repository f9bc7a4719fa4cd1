// One catalogue of reason codes: CONFIGURATION.md documents exactly the catalogue, and every code is
// emitted somewhere in the ingest code (a code nothing emits is a documented promise nobody keeps).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { deadLetterReasons, filterReasons, renamedReasons } from '../../../../shared/ingest/message/reasons';

const doc = readFileSync('shared/config/CONFIGURATION.md', 'utf8');

function documented(heading: string): string[] {
  const start = doc.indexOf(`### ${heading}`);
  expect(start).toBeGreaterThan(-1);
  const section = doc.slice(start, doc.indexOf('\n### ', start + 4) === -1 ? undefined : doc.indexOf('\n### ', start + 4));
  const table = section.slice(0, section.search(/\n\n(?!\|)/) === -1 ? undefined : section.search(/\n\n[^|\n]/));
  return [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1] as string);
}

// Every source file below these folders (ingest's stages are sub-folders), except the catalogue itself.
const sources = ['shared/ingest', 'shared/adt']
  .flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('reasons.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8')),
  )
  .join('\n');

it('documents every dead-letter reason and no other', () => {
  expect(documented('Dead-letter reasons').sort()).toEqual(Object.keys(deadLetterReasons).sort());
});

it('documents every filter reason and no other', () => {
  expect(documented('Filter reasons').sort()).toEqual(Object.keys(filterReasons).sort());
});

it('documents every renamed code with the code emitted instead, and no other', () => {
  const start = doc.indexOf('### Renamed codes');
  expect(start).toBeGreaterThan(-1);
  const rows = [
    ...doc.slice(start, doc.indexOf('\n\n', doc.indexOf('| old code', start))).matchAll(/^\| `([a-z-]+)` \| `([a-z-]+)` \|/gm),
  ].map((m) => [m[1], m[2]]);
  expect(Object.fromEntries(rows)).toEqual(renamedReasons);
});

it.each(Object.entries(renamedReasons))('emits %s no more: it is %s now, a current code', (old, current) => {
  expect(Object.keys(deadLetterReasons)).toContain(current);
  expect(Object.keys(deadLetterReasons)).not.toContain(old);
  expect(sources).not.toMatch(new RegExp(`'${old}'`));
});

it.each([...Object.keys(deadLetterReasons), ...Object.keys(filterReasons)])('emits %s somewhere', (code) => {
  // As a string literal in code that decides outcomes (types listing it do not count: they emit nothing).
  // Whitespace may break the line between the call or key and the literal (the formatter decides).
  const emitted = new RegExp(`(reason:\\s*|fail\\(\\s*|reject\\(\\s*|mark\\([^)]*|\\?\\s*|:\\s*)'${code}'`).test(sources);
  expect(emitted).toBe(true);
});
