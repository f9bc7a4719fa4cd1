// The engine: which parents a change touches (plan), one parent recomputed and written with
// If-Match (recompute, diff), one recompute in flight per parent (scheduler), the runaway-cycle
// guard, the rules checked against the instance's models on first use, and where permanent
// failures go (dead letters, the log).
export * from './deadLetters';
export * from './derivedTrace';
export * from './diff';
export * from './hopGuard';
export * from './logger';
export * from './plan';
export * from './recompute';
export * from './rulesModelCheck';
export * from './scheduler';
