// The repository root (where package.json and host.json live), from source or from dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'host.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`Cannot find the project root (package.json + host.json) above ${start}.`);
  }
}

export const projectRoot = findRoot(__dirname);
