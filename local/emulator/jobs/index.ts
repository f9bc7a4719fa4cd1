// ADT's Jobs API: bulk import from Blob Storage and whole-instance delete.
export {
  type BulkJobOptions,
  BulkJobs,
  defaultBulkJobOptions,
  type DeleteJob,
  type DeleteJobStatus,
  type ImportJob,
  type ImportJobStatus,
} from './bulkJobs';
export { connectionStringJobStorage, type JobStorage, noJobStorage } from './jobStorage';
export { jobRoutes } from './routes';
