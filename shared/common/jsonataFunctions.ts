// JSONata resolves a function name only when it calls it: `$sumx($)` compiles and fails every
// evaluation with "Attempted to invoke a non-function". The calls are checked at load instead, on
// the parsed expression, against JSONata's own functions and the ones the expression defines
// itself (`$f := function($x) {…}`, lambda parameters); a run-time failure names the function.
import { closestNames } from './didYouMean';

/** The functions JSONata 2 binds in every evaluation (its static frame, plus $now and $millis). */
export const JSONATA_BUILT_INS: readonly string[] = [
  'sum',
  'count',
  'max',
  'min',
  'average',
  'string',
  'substring',
  'substringBefore',
  'substringAfter',
  'lowercase',
  'uppercase',
  'length',
  'trim',
  'pad',
  'match',
  'contains',
  'replace',
  'split',
  'join',
  'formatNumber',
  'formatBase',
  'formatInteger',
  'parseInteger',
  'number',
  'floor',
  'ceil',
  'round',
  'abs',
  'sqrt',
  'power',
  'random',
  'boolean',
  'not',
  'map',
  'zip',
  'filter',
  'single',
  'reduce',
  'sift',
  'keys',
  'lookup',
  'append',
  'exists',
  'spread',
  'merge',
  'reverse',
  'each',
  'error',
  'assert',
  'type',
  'sort',
  'shuffle',
  'distinct',
  'base64encode',
  'base64decode',
  'encodeUrlComponent',
  'encodeUrl',
  'decodeUrlComponent',
  'decodeUrl',
  'eval',
  'toMillis',
  'fromMillis',
  'clone',
  'now',
  'millis',
];

const builtIns = new Set(JSONATA_BUILT_INS);

export interface FunctionCall {
  name: string;
  /** 1-based character of the `$` in the expression text. */
  character: number;
}

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

function variableName(node: unknown): { name: string; end: number } | undefined {
  if (!isNode(node) || node.type !== 'variable' || typeof node.value !== 'string' || node.value === '') return undefined;
  return { name: node.value, end: typeof node.position === 'number' ? node.position : 0 };
}

/** Calls (`$f(…)`, `$f(?, …)`, `x ~> $f`) and the names the expression binds itself. */
function walk(node: unknown, calls: FunctionCall[], bound: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, calls, bound);
    return;
  }
  if (!isNode(node)) return;
  const called =
    node.type === 'function' || node.type === 'partial'
      ? variableName(node.procedure)
      : node.type === 'apply'
        ? variableName(node.rhs)
        : undefined;
  if (called) calls.push({ name: called.name, character: Math.max(1, called.end - called.name.length) });
  if (node.type === 'bind') {
    const name = variableName(node.lhs);
    if (name) bound.add(name.name);
  }
  if (node.type === 'lambda' && Array.isArray(node.arguments)) {
    for (const argument of node.arguments) {
      const name = variableName(argument);
      if (name) bound.add(name.name);
    }
  }
  for (const value of Object.values(node)) walk(value, calls, bound);
}

/** Calls of functions that neither JSONata, `registered` nor the expression itself defines. */
export function unknownFunctionCalls(ast: unknown, registered: Iterable<string> = []): FunctionCall[] {
  const calls: FunctionCall[] = [];
  const bound = new Set<string>(registered);
  walk(ast, calls, bound);
  return calls.filter((call) => !builtIns.has(call.name) && !bound.has(call.name));
}

/** ` (did you mean $sum?)`, or '' when no known function is close. */
function didYouMeanFunction(name: string, known: Iterable<string>): string {
  const close = closestNames(name, known);
  return close.length === 0 ? '' : ` (did you mean ${close.map((c) => `$${c}`).join(' or ')}?)`;
}

/** `unknown function $sumx at character 1 (did you mean $sum?)` */
export function describeUnknownFunction(call: FunctionCall, registered: Iterable<string> = []): string {
  return `unknown function $${call.name} at character ${call.character}${didYouMeanFunction(call.name, [...JSONATA_BUILT_INS, ...registered])}`;
}

/**
 * What a JSONata evaluation error says, naming what it is about: JSONata throws plain objects
 * ({code, token, position, message}), and "Attempted to invoke a non-function" alone does not say which.
 */
export function jsonataErrorMessage(error: unknown): string {
  if (!isNode(error)) return String(error);
  const { message, token, code, position } = error as { message?: unknown; token?: unknown; code?: unknown; position?: unknown };
  const at = typeof position === 'number' ? ` at character ${position}` : '';
  const id = typeof code === 'string' ? ` (${code})` : '';
  if ((code === 'T1005' || code === 'T1006') && typeof token === 'string' && token !== '') {
    return `$${token} is not a function${at}${id}${didYouMeanFunction(token, JSONATA_BUILT_INS)}`;
  }
  const text = typeof message === 'string' && message !== '' ? message : String(error);
  return `${text}${at}${id}`;
}
