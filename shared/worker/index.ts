// The composition root of a Functions worker: one configuration, one gateway, shared by both functions.
export {
  createWorker,
  type IngestRuntime,
  pipelineRollups,
  processWorkerIdle,
  resetWorker,
  rollupsOf,
  setWorkerClock,
  type Worker,
  worker,
  workerConfig,
  type WorkerOptions,
} from './worker';
