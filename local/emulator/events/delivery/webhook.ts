// One HTTP POST to a webhook endpoint; any non-2xx status or socket error is a failed attempt.
import http from 'node:http';
import https from 'node:https';

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export function postWebhook(request: WebhookRequest): Promise<void> {
  const url = new URL(request.url);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<void>((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        timeout: request.timeoutMs,
        signal: request.signal,
      },
      (res) => {
        // Drain the body so the socket is released; only the status decides success.
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new WebhookError(`HTTP ${status} from ${request.url}`, status));
        });
        res.on('error', (error) => reject(new WebhookError(`response from ${request.url} failed: ${error.message}`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${request.timeoutMs} ms`)));
    req.on('error', (error) => reject(new WebhookError(`POST ${request.url} failed: ${error.message}`)));
    req.end(request.body);
  });
}
