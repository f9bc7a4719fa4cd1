// JSONata is the escape hatch for mappings the declarative options cannot express. It cannot run
// arbitrary JavaScript; the timeout and stack guardrails stop a runaway (e.g. recursive) expression.

import jsonata from 'jsonata';

export interface CompiledExpression {
  text: string;
  evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
}

/** Per-evaluation limits. Generous for real mappings, small enough to keep a batch moving. */
export const expressionLimits = { timeoutMs: 250, maxDepth: 200 } as const;

export function compileExpression(text: string): CompiledExpression | string {
  let expression: jsonata.Expression;
  try {
    expression = jsonata(text, { timeout: expressionLimits.timeoutMs, stack: expressionLimits.maxDepth });
  } catch (error) {
    const failure = error as Partial<jsonata.JsonataError>;
    const where = typeof failure.position === 'number' ? ` at character ${failure.position}` : '';
    return `invalid JSONata expression${where}: ${failure.message ?? String(error)}`;
  }
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
