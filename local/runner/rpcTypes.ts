// The slice of the Functions host ↔ worker gRPC contract the local host produces. Field names follow
// the worker protocol (RpcTypedData), which @azure/functions converts for the handler.

export type RpcTypedData =
  | { string: string }
  | { json: string }
  | { bytes: Uint8Array }
  | { collectionString: { string: string[] } }
  | { collectionBytes: { bytes: Uint8Array[] } }
  | { collectionSint64: { sint64: Array<number | { low: number; high: number; unsigned: boolean }> } }
  | { http: RpcHttp };

/** An HTTP trigger's request as the host sends it (RpcHttp; the library builds its HttpRequest from it). */
export interface RpcHttp {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: { bytes: Uint8Array };
  query?: Record<string, string>;
  params?: Record<string, string>;
}

export interface RpcInvocationRequest {
  inputData: { name: string; data: RpcTypedData }[];
  triggerMetadata: Record<string, RpcTypedData>;
  retryContext?: { retryCount: number; maxRetryCount: number };
}

/** A binding as registered by app.* (what the worker sends the host in function metadata). */
export interface RegisteredBinding {
  type: string;
  direction?: string;
  dataType?: string;
  [option: string]: unknown;
}
