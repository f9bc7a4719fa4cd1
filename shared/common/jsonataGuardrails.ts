// The limits every JSONata expression of the configuration runs under (ingest transforms, rule
// conditions, telemetry, roll-up filters and expressions). Generous for real mappings, small enough
// that a runaway expression — endless recursion, an exponential function, a huge sequence — is
// stopped within a quarter of a second instead of hanging the worker.

export const jsonataGuardrails = {
  /** ms per evaluation (JSONata error D1012). */
  timeout: 250,
  /** Evaluation depth (D1011): recursion. */
  stack: 200,
  /** Items in one sequence (D2015). */
  sequence: 100_000,
} as const;

/** JSONata, loaded when the first expression is compiled (a configuration without one never loads it). */
export function loadJsonata(): typeof import('jsonata') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('jsonata') as typeof import('jsonata');
}
