// Errors the fault injector answers with. Codes follow the HTTP status names ADT uses for server faults.
import { AdtError } from '../errors';

const statusCodes: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  408: 'RequestTimeout',
  409: 'Conflict',
  412: 'PreconditionFailed',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export function injectedError(status: number, code: string | undefined, retryAfterSeconds: number | undefined, reason: string): AdtError {
  return new AdtError(
    status,
    code ?? statusCodes[status] ?? 'InjectedFault',
    `Injected by the ADT emulator's fault injector (${reason}). Your client should retry or surface this error; turn faults off with faults.update({ errorRate: 0 }).`,
    undefined,
    // Whole seconds ≥ 1, as for 429s (see limits/serviceLimits.ts retryAfterSeconds): a configured 0.05 becomes 1.
    retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  );
}
