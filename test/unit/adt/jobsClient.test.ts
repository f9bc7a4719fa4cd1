// AdtJobsClient (shared/adt/jobsClient.ts) over a fake HTTP layer and a fake clock: the wire calls,
// the bearer token, polling intervals, the 1 request/s spacing and Retry-After.
import { HttpHeaders, type HttpOperationResponse, type WebResourceLike } from '@azure/core-http';

import { AdtJobsClient, AdtRequestError, JobWaitTimeoutError } from '../../../shared/adt';

interface Sent {
  method: string;
  url: string;
  at: number;
  headers: Record<string, string>;
  body: unknown;
}

function fakeClock(): { now(): number; sleep(ms: number): Promise<void>; sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

/** Answers each request with the next reply; records what was sent and when (fake time). */
function fakeHttp(
  clock: { now(): number },
  replies: Array<{ status: number; body?: unknown; headers?: Record<string, string> }>,
): { sendRequest(r: WebResourceLike): Promise<HttpOperationResponse>; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    async sendRequest(request) {
      sent.push({
        method: request.method,
        url: request.url,
        at: clock.now(),
        headers: request.headers.rawHeaders(),
        body: typeof request.body === 'string' ? JSON.parse(request.body) : request.body,
      });
      const reply = replies.shift() ?? { status: 500 };
      const headers = new HttpHeaders({ 'content-type': 'application/json; charset=utf-8', ...reply.headers });
      return { request, status: reply.status, headers, bodyAsText: reply.body === undefined ? '' : JSON.stringify(reply.body) };
    },
  };
}

const credential = { getToken: async () => ({ token: 'tok', expiresOnTimestamp: Date.now() + 3600e3 }) };
const url = 'https://dt.api.weu.digitaltwins.azure.net';

function client(replies: Parameters<typeof fakeHttp>[1], options: { minRequestIntervalMs?: number } = {}) {
  const clock = fakeClock();
  const http = fakeHttp(clock, replies);
  const jobs = new AdtJobsClient({ url, credential, httpClient: http, clock, retry: { baseDelayMs: 100 }, ...options });
  return { jobs, clock, sent: http.sent };
}

const job = (status: string) => ({ id: 'j1', inputBlobUri: 'https://st/in/a', outputBlobUri: 'https://st/out/b', status });

describe('AdtJobsClient', () => {
  it('creates an import job with PUT, api-version 2023-10-31, a bearer token and the blob URLs', async () => {
    const { jobs, sent } = client([{ status: 201, body: job('notstarted') }]);
    expect(await jobs.createImport('j1', { inputBlobUri: 'https://st/in/a', outputBlobUri: 'https://st/out/b' })).toMatchObject({
      id: 'j1',
      status: 'notstarted',
    });
    expect(sent[0]).toMatchObject({
      method: 'PUT',
      url: `${url}/jobs/imports/j1?api-version=2023-10-31`,
      body: { inputBlobUri: 'https://st/in/a', outputBlobUri: 'https://st/out/b' },
    });
    expect(sent[0]?.headers['authorization']).toBe('Bearer tok');
  });

  it('polls every second, then ×1.5 while the status stays, back to 1 s when it moves, capped at maxPollMs', async () => {
    const statuses = ['notstarted', 'running', 'running', 'running', 'running', 'running', 'succeeded'];
    const { jobs, clock, sent } = client(statuses.map((s) => ({ status: 200, body: job(s) })));
    const seen: string[] = [];
    const final = await jobs.waitForImport('j1', { maxPollMs: 3000, onPoll: (j) => seen.push(j.status) });
    expect(final.status).toBe('succeeded');
    expect(seen).toEqual(statuses);
    expect(clock.sleeps).toEqual([1000, 1000, 1500, 2250, 3000, 3000]);
    expect(sent.every((s) => s.method === 'GET' && s.url === `${url}/jobs/imports/j1?api-version=2023-10-31`)).toBe(true);
  });

  it('gives up waiting (the job keeps running) after timeoutMs', async () => {
    const { jobs } = client(Array.from({ length: 20 }, () => ({ status: 200, body: job('running') })));
    await expect(jobs.waitForImport('j1', { timeoutMs: 5000 })).rejects.toBeInstanceOf(JobWaitTimeoutError);
  });

  it('spaces requests 1 s apart (the Jobs API limit) and waits Retry-After on a 429', async () => {
    const { jobs, sent } = client([
      { status: 200, body: job('running') },
      { status: 429, body: { error: { code: 'TooManyRequests', message: 'slow down' } }, headers: { 'retry-after': '3' } },
      { status: 200, body: job('running') },
    ]);
    await jobs.getImport('j1');
    await jobs.getImport('j1');
    expect(sent.map((s) => s.at - (sent[0]?.at ?? 0))).toEqual([0, 1000, 4000]);
    expect(jobs.stats).toMatchObject({ requests: 3, throttled: 1, retries: 1 });
  });

  it('surfaces ADT errors with status and code, without retrying a 4xx', async () => {
    const { jobs, sent } = client([{ status: 400, body: { error: { code: 'JobLimitReached', message: 'one at a time' } } }]);
    const error = await jobs.createImport('j2', { inputBlobUri: 'https://st/a', outputBlobUri: 'https://st/b' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdtRequestError);
    expect(error).toMatchObject({ status: 400, code: 'JobLimitReached', message: expect.stringContaining('one at a time') });
    expect(sent).toHaveLength(1);
  });

  it('starts a delete job with operation-id and timeoutInMinutes, lists every page, cancels and deletes', async () => {
    const { jobs, sent } = client(
      [
        { status: 202, body: { id: 'wipe', status: 'notstarted' } },
        { status: 200, body: { value: [job('succeeded')], nextLink: `${url}/jobs/imports?continuationToken=x&api-version=2023-10-31` } },
        { status: 200, body: { value: [{ ...job('failed'), id: 'j2' }], nextLink: null } },
        { status: 200, body: job('cancelling') },
        { status: 204 },
      ],
      { minRequestIntervalMs: 0 },
    );
    expect(await jobs.startDeletion({ id: 'wipe', timeoutInMinutes: 60 })).toMatchObject({ id: 'wipe' });
    expect(sent[0]).toMatchObject({ method: 'POST', url: `${url}/jobs/deletions?api-version=2023-10-31&timeoutInMinutes=60` });
    expect(sent[0]?.headers['operation-id']).toBe('wipe');
    expect((await jobs.listImports()).map((j) => j.id)).toEqual(['j1', 'j2']);
    expect(sent[2]?.url).toBe(`${url}/jobs/imports?continuationToken=x&api-version=2023-10-31`);
    expect((await jobs.cancelImport('j1')).status).toBe('cancelling');
    expect(sent[3]).toMatchObject({ method: 'POST', url: `${url}/jobs/imports/j1/cancel?api-version=2023-10-31` });
    await jobs.deleteImport('j1');
    expect(sent[4]).toMatchObject({ method: 'DELETE' });
  });

  it('refuses a plain-http instance URL (ADT refuses bearer tokens over http)', () => {
    expect(() => new AdtJobsClient({ url: 'http://dt', credential })).toThrow(/https/);
  });
});
