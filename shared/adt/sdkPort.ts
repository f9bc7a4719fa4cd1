// AdtPort over the official SDK client (@azure/digital-twins-core 1.1.0), working around its
// telemetry bugs (reference adt-data-plane.md §1.10):
// - publishTelemetry overwrites Telemetry-Source-Time with "now": request custom headers are applied
//   after the operation's own headers, so we put the device time there and it wins on the wire;
// - publishComponentTelemetry swaps messageId and payload: we call the SDK's generated operation,
//   whose argument order is right, instead.

import type { OperationOptions } from '@azure/core-http';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type Clock, systemClock } from '../common';
import { AdtRequestError, parseRetryAfter } from './errors';
import { deviceTraceHeader, gatewayRetryAfterHeader } from './sdkTransport';
import type {
  AdtPort,
  IncomingRelationship,
  JsonPatchOperation,
  PortCallOptions,
  QueryPage,
  QueryPageRequest,
  Relationship,
  TelemetryMessage,
  Twin,
} from './types';

interface GeneratedTelemetryOperations {
  sendComponentTelemetry(
    id: string,
    componentPath: string,
    messageId: string,
    telemetry: unknown,
    options?: OperationOptions & { telemetrySourceTime?: string; traceparent?: string },
  ): Promise<unknown>;
}

/** The SDK's generated operations object; checked at runtime because it is not public API. */
function generatedTwinOperations(client: DigitalTwinsClient): GeneratedTelemetryOperations {
  const operations = (client as unknown as { client?: { digitalTwins?: { sendComponentTelemetry?: unknown } } }).client?.digitalTwins;
  if (typeof operations?.sendComponentTelemetry !== 'function' || operations.sendComponentTelemetry.length < 4) {
    throw new Error(
      'Component telemetry needs the generated operation DigitalTwinsClient.client.digitalTwins.sendComponentTelemetry(id, component, messageId, telemetry), which this @azure/digital-twins-core version does not have. Pin @azure/digital-twins-core to 1.1.0 or update shared/adt/sdkPort.ts.',
    );
  }
  return operations as unknown as GeneratedTelemetryOperations;
}

// The timeout is our own abort signal, not core-http's `timeout` option: core-http never clears that
// timer, so every call would keep the process alive for the whole timeout after it succeeded.
function requestOptions(options: PortCallOptions, signal: AbortSignal, extraHeaders: Record<string, string> = {}): OperationOptions {
  const customHeaders: Record<string, string> = { ...extraHeaders };
  // The device's trace, also in a header core-http leaves alone: with an OpenTelemetry SDK registered
  // its tracing policy overwrites traceparent with a root span of its own; GatewayTransport restores it.
  if (options.traceparent) customHeaders.traceparent = customHeaders[deviceTraceHeader] = options.traceparent;
  return { abortSignal: signal, requestOptions: { customHeaders } };
}

export class SdkAdtPort implements AdtPort {
  constructor(
    private readonly client: DigitalTwinsClient,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  getTwin(twinId: string, options: PortCallOptions): Promise<{ twin: Twin; etag: string | undefined }> {
    return this.call(options, async (signal) => {
      const response = await this.client.getDigitalTwin(twinId, requestOptions(options, signal));
      return { twin: response.body as Twin, etag: response.etag };
    });
  }

  createTwin(
    twinId: string,
    twin: Record<string, unknown>,
    options: PortCallOptions & { ifNoneMatch?: '*' },
  ): Promise<{ twin: Twin; etag: string | undefined }> {
    return this.call(options, async (signal) => {
      const response = await this.client.upsertDigitalTwin(twinId, JSON.stringify(twin), {
        ...requestOptions(options, signal),
        ifNoneMatch: options.ifNoneMatch,
      });
      return { twin: response.body as Twin, etag: response.etag };
    });
  }

  updateTwin(
    twinId: string,
    patch: JsonPatchOperation[],
    options: PortCallOptions & { ifMatch?: string },
  ): Promise<{ etag: string | undefined }> {
    return this.call(options, async (signal) => {
      const response = await this.client.updateDigitalTwin(twinId, patch, { ...requestOptions(options, signal), ifMatch: options.ifMatch });
      return { etag: response.etag };
    });
  }

  publishTelemetry(message: TelemetryMessage, options: PortCallOptions): Promise<void> {
    const sourceTimeHeader: Record<string, string> = message.sourceTime ? { 'Telemetry-Source-Time': message.sourceTime } : {};
    return this.call(options, async (signal) => {
      if (message.component === undefined) {
        await this.client.publishTelemetry(
          message.twinId,
          message.payload,
          message.messageId,
          requestOptions(options, signal, sourceTimeHeader),
        );
        return;
      }
      await generatedTwinOperations(this.client).sendComponentTelemetry(
        message.twinId,
        message.component,
        message.messageId,
        message.payload,
        {
          ...requestOptions(options, signal, sourceTimeHeader),
          telemetrySourceTime: message.sourceTime,
        },
      );
    });
  }

  listRelationships(twinId: string, relationshipName: string | undefined, options: PortCallOptions): Promise<Relationship[]> {
    return this.call(options, async (signal) => {
      const all: Relationship[] = [];
      // The generated operation reads `relationshipName` from the options (a server-side filter).
      const listOptions = { ...requestOptions(options, signal), ...(relationshipName ? { relationshipName } : {}) };
      for await (const relationship of this.client.listRelationships(twinId, listOptions)) {
        const typed = relationship as Relationship;
        if (relationshipName === undefined || typed.$relationshipName === relationshipName) all.push(typed);
      }
      return all;
    });
  }

  listIncomingRelationships(twinId: string, options: PortCallOptions): Promise<IncomingRelationship[]> {
    return this.call(options, async (signal) => {
      const all: IncomingRelationship[] = [];
      for await (const incoming of this.client.listIncomingRelationships(twinId, requestOptions(options, signal))) {
        all.push({
          relationshipId: incoming.relationshipId ?? '',
          sourceId: incoming.sourceId ?? '',
          relationshipName: incoming.relationshipName ?? '',
          relationshipLink: incoming.relationshipLink,
        });
      }
      return all;
    });
  }

  deleteRelationship(sourceId: string, relationshipId: string, options: PortCallOptions): Promise<void> {
    return this.call(options, async (signal) => {
      await this.client.deleteRelationship(sourceId, relationshipId, requestOptions(options, signal));
    });
  }

  upsertRelationship(relationship: Relationship, options: PortCallOptions): Promise<void> {
    return this.call(options, async (signal) => {
      await this.client.upsertRelationship(
        relationship.$sourceId,
        relationship.$relationshipId,
        relationship,
        requestOptions(options, signal),
      );
    });
  }

  deleteTwin(twinId: string, options: PortCallOptions): Promise<void> {
    return this.call(options, async (signal) => {
      await this.client.deleteDigitalTwin(twinId, requestOptions(options, signal));
    });
  }

  query(query: string, options: PortCallOptions): Promise<unknown[]> {
    return this.call(options, async () => {
      const rows: unknown[] = [];
      // queryTwins discards its options in 1.1.0, so timeout/traceparent cannot be applied here. Its
      // pages (byPage) carry the `query-charge` header as queryCharge; the rows alone would not.
      for await (const page of this.client.queryTwins(query).byPage()) {
        const value = page.value ?? [];
        for (const row of value) rows.push(row);
        options.onQueryPage?.({ rows: value.length, queryCharge: page.queryCharge });
      }
      return rows;
    });
  }

  queryPage(query: string, request: QueryPageRequest, options: PortCallOptions): Promise<QueryPage> {
    return this.call(options, async () => {
      // byPage from a token sends {query, continuationToken} (ADT ignores the query then);
      // resultsPerPage becomes max-items-per-page. One page is taken, then the iterator is closed.
      const pages = this.client
        .queryTwins(query, request.maxItemsPerPage)
        .byPage(request.continuationToken ? { continuationToken: request.continuationToken } : {});
      const next = await pages.next();
      await pages.return?.(undefined);
      const page = next.done ? undefined : next.value;
      const rows = page?.value ?? [];
      options.onQueryPage?.({ rows: rows.length, queryCharge: page?.queryCharge });
      return {
        rows,
        ...(page?.continuationToken ? { continuationToken: page.continuationToken } : {}),
        ...(page?.queryCharge !== undefined ? { queryCharge: page.queryCharge } : {}),
      };
    });
  }

  getModelsWithDependencies(modelIds: string[], options: PortCallOptions): Promise<unknown[]> {
    return this.call(options, async () => {
      const documents: unknown[] = [];
      // listModels discards its options in 1.1.0, so neither the timeout nor traceparent reaches it.
      for await (const model of this.client.listModels(modelIds, true)) {
        if (model.model !== undefined) documents.push(model.model);
      }
      return documents;
    });
  }

  private async call<T>(options: PortCallOptions, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1, options.timeoutMs));
    try {
      return await send(controller.signal);
    } catch (error) {
      throw toAdtRequestError(error, this.clock.now());
    } finally {
      clearTimeout(timer);
    }
  }
}

interface RestErrorLike {
  name: string;
  message: string;
  statusCode?: number;
  code?: string;
  response?: { headers: { get(name: string): string | undefined } };
}

/** Maps SDK/transport failures onto AdtRequestError; anything else (a bug) is passed through untouched. */
export function toAdtRequestError(error: unknown, now: number): unknown {
  if (error instanceof AdtRequestError || typeof error !== 'object' || error === null) return error;
  const candidate = error as RestErrorLike;
  if (candidate.name === 'RestError') {
    const headers = candidate.response?.headers;
    const retryAfter = parseRetryAfter(headers?.get(gatewayRetryAfterHeader) ?? headers?.get('retry-after'), now);
    const message = candidate.message || `HTTP ${candidate.statusCode ?? 'error'} with no error body`;
    return new AdtRequestError(message, candidate.statusCode, candidate.code, retryAfter);
  }
  if (candidate.name === 'AbortError' || candidate.name === 'FetchError' || candidate.name === 'TimeoutError') {
    return new AdtRequestError(`${candidate.name}: ${candidate.message}`, undefined, candidate.name);
  }
  return error;
}
