// JSONata is the escape hatch for mappings the declarative options cannot express. It cannot run
// arbitrary JavaScript; the guardrails stop a runaway expression — too long (time), too deep
// (recursion) or too big (sequence length) — so one configuration mistake cannot hang a worker: the
// message is dead-lettered (transform-failed) and the batch goes on.

import type jsonata from 'jsonata';

import { describeUnknownFunction, jsonataGuardrails, loadJsonata, unknownFunctionCalls } from '../../common';

export interface CompiledExpression {
  text: string;
  evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
}

export function compileExpression(text: string): CompiledExpression | string {
  let expression: jsonata.Expression;
  try {
    expression = loadJsonata()(text, jsonataGuardrails);
  } catch (error) {
    const failure = error as Partial<jsonata.JsonataError>;
    const where = typeof failure.position === 'number' ? ` at character ${failure.position}` : '';
    return `invalid JSONata expression${where}: ${failure.message ?? String(error)}`;
  }
  // A misspelled function compiles (JSONata looks names up when it calls them); refuse it now.
  const unknown = unknownFunctionCalls(expression.ast());
  if (unknown.length > 0)
    return `JSONata expression ${JSON.stringify(text)}: ${unknown.map((call) => describeUnknownFunction(call)).join('; ')}`;
  return {
    text,
    async evaluate(input, bindings) {
      const result: unknown = await expression.evaluate(input, bindings);
      return normalizeSequence(result);
    },
  };
}

/** JSONata returns sequences as arrays tagged with a `sequence` flag; hand back plain JSON. */
function normalizeSequence(value: unknown): unknown {
  if (Array.isArray(value)) return JSON.parse(JSON.stringify(value)) as unknown;
  return value;
}
