// The Jobs API routes (api-version 2023-06-30 / 2023-10-31): /jobs/imports and /jobs/deletions.
// Every request counts against the Jobs API's 1 request/s (limits/serviceLimits.ts, `jobs` bucket).
import { param } from '../handlers/common';
import { header } from '../http/context';
import { pageOf } from '../http/paging';
import { empty, json } from '../http/respond';
import type { RouteDefinition } from '../http/router';
import type { BulkJobs } from './bulkJobs';

/** Jobs per list page when the caller sends no max-items-per-page. */
const JOB_PAGE_SIZE = 100;

export function jobRoutes(jobs: BulkJobs): RouteDefinition[] {
  return [
    {
      method: 'GET',
      pattern: '/jobs/imports',
      op: 'job.read',
      handler: (ctx) => json(200, pageOf(jobs.listImports(), ctx, JOB_PAGE_SIZE)),
    },
    {
      method: 'PUT',
      pattern: '/jobs/imports/:id',
      op: 'job.write',
      handler: (ctx) => json(201, jobs.createImport(param(ctx, 'id'), ctx.body)),
    },
    { method: 'GET', pattern: '/jobs/imports/:id', op: 'job.read', handler: (ctx) => json(200, jobs.getImport(param(ctx, 'id'))) },
    {
      method: 'POST',
      pattern: '/jobs/imports/:id/cancel',
      op: 'job.write',
      handler: (ctx) => json(200, jobs.cancelImport(param(ctx, 'id'))),
    },
    {
      method: 'DELETE',
      pattern: '/jobs/imports/:id',
      op: 'job.write',
      handler: (ctx) => {
        jobs.deleteImport(param(ctx, 'id'));
        return empty(204);
      },
    },
    {
      method: 'POST',
      pattern: '/jobs/deletions',
      op: 'job.write',
      handler: (ctx) => {
        const job = jobs.createDeletion(header(ctx, 'operation-id'), ctx.query.get('timeoutInMinutes'));
        const apiVersion = ctx.query.get('api-version') ?? '2023-10-31';
        return json(202, job, {
          'Operation-Location': `${ctx.baseUrl}/jobs/deletions/${encodeURIComponent(job.id)}?api-version=${encodeURIComponent(apiVersion)}`,
          'Operation-Id': job.id,
        });
      },
    },
    {
      method: 'GET',
      pattern: '/jobs/deletions',
      op: 'job.read',
      handler: (ctx) => json(200, pageOf(jobs.listDeletions(), ctx, JOB_PAGE_SIZE)),
    },
    { method: 'GET', pattern: '/jobs/deletions/:id', op: 'job.read', handler: (ctx) => json(200, jobs.getDeletion(param(ctx, 'id'))) },
  ];
}
