// Conditions: a state raised on a twin from its own properties, with hysteresis and durations, kept
// on the twin (rules/conditions.ts says what a condition is). decide (pure) → keeper (one twin,
// ETag-guarded write) → sweep (the timer that finishes durations no event finishes).
export * from './decide';
export * from './keeper';
export * from './staleness';
export * from './sweep';
export * from './sweepBound';
