// Propagation: one ADT notification → derived values on parent twins, through the one gateway;
// reconcile: every derived value from the current graph.
export { AdtRollupPort, type AdtRollupPortOptions } from './adtRollupPort';
export { type PropagateDeadLetter, writePropagateDeadLetter } from './deadLetters';
export { type PropagateLogger, silentLogger } from './logger';
export { Propagator, type PropagatorOptions } from './propagator';
export { Reconciler, type ReconcilerOptions } from './reconciler';
export type * from './summary';
