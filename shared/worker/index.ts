// The composition root of a Functions worker: one configuration, one gateway, shared by both functions.
export { reconcileGraph, type ReconcileGraphOptions } from './reconcileGraph';
export { createWorker, type IngestRuntime, processWorkerIdle, resetWorker, rollupsOf, type Worker, worker, workerConfig, type WorkerOptions } from './worker';
