#!/usr/bin/env node
// Part of `npm run lint`: refuses import cycles, type imports included, both between files and
// between folders (shared/config → shared/ingest → shared/config is a cycle even when no two
// files import each other). madge builds the module graph; folders are its nodes collapsed to
// `shared/<folder>`, `local/<folder>`, `functions`, `bench`.
//
// A shared/ folder that groups its files in sub-folders (stages) declares their order below: a
// stage may import an earlier stage, never a later one (decode never imports write), so the folder
// reads top to bottom in data-flow order. Sub-folders of a declared folder are cycle-checked too.
import madge from 'madge';

const stageOrder = {
  'shared/ingest': ['message', 'decode', 'config', 'map', 'plan', 'write', 'defer', 'batch', 'http'],
  'shared/rollup': ['rules', 'port', 'views', 'engine', 'conditions', 'reconcile', 'propagator'],
};

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['shared', 'functions', 'local', 'bench'];
const graph = (
  await madge(roots, {
    baseDir: process.cwd(),
    fileExtensions: ['ts'],
    tsConfig: 'tsconfig.json',
    detectiveOptions: { ts: { skipTypeImports: false } },
  })
).obj();

function folderOf(file) {
  const parts = file.split('/');
  return parts[0] === 'shared' || parts[0] === 'local' ? (parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]) : parts[0];
}

/** Strongly connected components with more than one node (or a self-loop): each one holds a cycle. */
function cycles(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let counter = 0;
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (edges.get(node) ?? new Set()).has(node)) found.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

const fileEdges = new Map();
const folderEdges = new Map();
const evidence = new Map();
for (const [file, imports] of Object.entries(graph)) {
  fileEdges.set(file, new Set(imports));
  const from = folderOf(file);
  if (!folderEdges.has(from)) folderEdges.set(from, new Set());
  for (const imported of imports) {
    const to = folderOf(imported);
    if (to === from) continue;
    folderEdges.get(from).add(to);
    if (!evidence.has(`${from}>${to}`)) evidence.set(`${from}>${to}`, `${file} → ${imported}`);
  }
}

const problems = [];
// Stages: shared/<folder>/<stage>/… files; a file directly in shared/<folder> (its index) is no stage.
const stageOf = (file) => {
  const parts = file.split('/');
  return parts[0] === 'shared' && parts.length > 3 ? { folder: `${parts[0]}/${parts[1]}`, stage: parts[2] } : undefined;
};
const undeclared = new Set();
for (const [file, imports] of fileEdges) {
  const from = stageOf(file);
  if (!from) continue;
  const order = stageOrder[from.folder];
  if (!order || !order.includes(from.stage)) {
    undeclared.add(`${from.folder}/${from.stage}`);
    continue;
  }
  for (const imported of imports) {
    const to = stageOf(imported);
    if (!to || to.folder !== from.folder || to.stage === from.stage || !order.includes(to.stage)) continue;
    if (order.indexOf(to.stage) > order.indexOf(from.stage)) {
      problems.push(
        `stage ${from.folder}/${from.stage} imports the later stage ${to.stage} (${file} → ${imported}); stages run ${order.join(' → ')}`,
      );
    }
  }
}
for (const stage of undeclared)
  problems.push(`${stage} is a sub-folder with no declared place in its folder's stage order (scripts/check-import-cycles.mjs stageOrder)`);
for (const component of cycles(folderEdges)) {
  const links = component.flatMap((from) =>
    component.filter((to) => folderEdges.get(from)?.has(to)).map((to) => `    ${evidence.get(`${from}>${to}`)}`),
  );
  problems.push(`folders ${component.join(' ↔ ')} import each other:\n${links.join('\n')}`);
}
for (const component of cycles(fileEdges)) problems.push(`files ${component.join(' ↔ ')} import each other`);

if (problems.length > 0) {
  console.error(
    `Import cycles or stage-order breaks (${problems.length}); make the dependency point one way (move the shared piece to the folder or stage both use):`,
  );
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log(`No import cycles among ${fileEdges.size} files in ${folderEdges.size} folders.`);
