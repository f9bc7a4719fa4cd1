// Roll-up rules: configuration, compilation (dependency graph, cycle check), aggregates, the
// per-parent recompute, the child views kept current by notifications, and the port it reads and
// writes ADT through.
export * from './aggregates';
export * from './children';
export * from './childView';
export * from './compile';
export * from './config';
export * from './evaluate';
export * from './graph';
export * from './hopGuard';
export * from './levels';
export * from './links';
export * from './modelCheck';
export * from './models';
export * from './parentIndex';
export * from './plan';
export * from './ports';
export * from './recompute';
export * from './reconcile';
export * from './scheduler';
export * from './viewMaintenance';
