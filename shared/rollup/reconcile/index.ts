// Reconcile, all of it: every derived value recomputed from the current graph by paged queries
// (reconcileAll), the timer's and CLI's runner (Reconciler, reconcileGraph), and the trailing
// reconcile of rules after a re-pointed relationship.
export * from './reconcileAll';
export * from './reconcileGraph';
export * from './reconciler';
export * from './trailingReconcile';
