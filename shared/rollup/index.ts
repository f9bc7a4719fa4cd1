// The roll-up engine, in data-flow order: rules (what a roll-up computes) → port (the view of ADT
// it uses) → views (a parent's children) → engine (plan, recompute, schedule, guard) → reconcile
// (every derived value from the graph) → propagator (one notification → derived writes).
// conditions (states raised on a twin from its own properties, and their sweep) sit after engine.
// A group imports only earlier groups, each through its index.
export * from './conditions';
export * from './engine';
export * from './port';
export * from './propagator';
export * from './reconcile';
export * from './rules';
export * from './views';
