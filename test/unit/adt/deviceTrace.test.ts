// The device's traceparent reaches ADT even when core-http's tracing policy (active once an
// OpenTelemetry SDK is registered) has replaced the header with a span of its own.
import { HttpHeaders, type HttpOperationResponse, WebResource, type WebResourceLike } from '@azure/core-http';

import { GatewayTransport } from '../../../shared/adt';

it('restores the device traceparent from the private header and does not send that header', async () => {
  let sent: WebResourceLike | undefined;
  const inner = {
    sendRequest: async (request: WebResourceLike): Promise<HttpOperationResponse> => (
      (sent = request),
      { request, status: 204, headers: new HttpHeaders() }
    ),
  };
  const request = new WebResource('https://adt.example/digitaltwins/room-1', 'PATCH');
  request.headers.set('traceparent', '00-11111111111111111111111111111111-2222222222222222-01');
  request.headers.set('x-pipeline-traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  await new GatewayTransport(inner).sendRequest(request);
  expect(sent?.headers.get('traceparent')).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  expect(sent?.headers.get('x-pipeline-traceparent')).toBeUndefined();
});

it('leaves a request without a device trace alone', async () => {
  let sent: WebResourceLike | undefined;
  const inner = {
    sendRequest: async (request: WebResourceLike): Promise<HttpOperationResponse> => (
      (sent = request),
      { request, status: 200, headers: new HttpHeaders() }
    ),
  };
  const request = new WebResource('https://adt.example/models', 'GET');
  request.headers.set('traceparent', '00-11111111111111111111111111111111-2222222222222222-01');
  await new GatewayTransport(inner).sendRequest(request);
  expect(sent?.headers.get('traceparent')).toBe('00-11111111111111111111111111111111-2222222222222222-01');
});
