// The graph library and its layered layout, read from node_modules at run time (no CDN): served by the
// live page and inlined into the exported one. cytoscape-dagre carries dagre inside its bundle.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { projectRoot } from '../scenario';

export interface ScriptAsset {
  /** Path the live server serves it under. */
  path: string;
  text: string;
}

/** A file next to the package's main entry: both packages' `exports` hide their browser bundles, not their dist folder. */
function besideMain(pkg: string, file: string): string {
  let main: string;
  try {
    main = require.resolve(pkg);
  } catch {
    throw new Error(`The graph view needs ${pkg} (a dev dependency): run npm install in the repository (without --omit=dev).`);
  }
  return join(dirname(main), file);
}

/** The source map comment would make devtools fetch a file that is not there; the page needs none. */
function withoutSourceMap(text: string): string {
  return text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

let cached: ScriptAsset[] | undefined;

/** In load order: cytoscape, the dagre layout (registers itself on window.cytoscape), the page's own script. */
export function pageScripts(): ScriptAsset[] {
  cached ??= [
    { path: '/lib/cytoscape.min.js', text: withoutSourceMap(readFileSync(besideMain('cytoscape', 'cytoscape.min.js'), 'utf8')) },
    {
      path: '/lib/cytoscape-dagre.min.js',
      text: withoutSourceMap(readFileSync(besideMain('cytoscape-dagre', 'cytoscape-dagre.min.js'), 'utf8')),
    },
    { path: '/graph-page.js', text: readFileSync(join(projectRoot, 'local', 'graph', 'assets', 'graph-page.js'), 'utf8') },
  ];
  return cached;
}

export function pageStyle(): string {
  return readFileSync(join(projectRoot, 'local', 'graph', 'assets', 'graph-page.css'), 'utf8');
}
