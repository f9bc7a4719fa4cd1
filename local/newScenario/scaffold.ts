// Writes a new scenario folder from the template, refusing to overwrite anything: a folder that
// exists and is not empty is left alone, so a typo in the path never clobbers someone's work.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { scenarioFiles } from './template';

export class ScaffoldRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScaffoldRefused';
  }
}

/** Creates `directory` with the template's files; returns their paths relative to it. */
export function scaffoldScenario(directory: string): string[] {
  const dir = resolve(directory);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new ScaffoldRefused(
      `${dir} already exists and is not empty; nothing was written. Pick a new folder name (npm run new-scenario -- <new dir>).`,
    );
  }
  const files = scenarioFiles(basename(dir));
  for (const [relative, text] of Object.entries(files)) {
    const path = join(dir, relative);
    mkdirSync(dirname(path), { recursive: true });
    // 'wx': fail rather than overwrite, should the folder fill up meanwhile.
    writeFileSync(path, text, { flag: 'wx' });
  }
  return Object.keys(files);
}
