// Propagation: one ADT notification → derived values on parent twins, through the one gateway.
export { AdtRollupPort, type AdtRollupPortOptions } from './adtRollupPort';
export { type PropagateLogger, silentLogger } from './logger';
export { Propagator, type PropagatorOptions } from './propagator';
export type * from './summary';
