// The propagator: one ADT notification → views kept current → plan → per-parent recomputes →
// dead letters → one summary; the trailing refresh after the query lag.
export * from './propagator';
export type * from './summary';
export * from './trailingRefresh';
