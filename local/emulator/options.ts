// Everything startEmulator() can be told. All optional: defaults are ADT's documented limits.
import type { EgressOptions } from './egress';
import type { DeliveryPolicy, EndpointConfig } from './events';
import type { FaultOptions } from './faults';
import type { BulkJobOptions } from './jobs';
import type { ServiceLimitsOptions } from './limits';
import type { ModelRegistryOptions } from './models/modelRegistry';
import type { PayloadLimits } from './payloadLimits';
import type { QueryLagOptions } from './query/laggedSource';
import type { StoreLimits } from './services';
import type { DedupOptions } from './telemetryDedup';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Directory holding cert.pem/key.pem (created when missing); default: a fresh certificate per start. */
  certDir?: string;
  limits?: Partial<ServiceLimitsOptions>;
  faults?: Partial<FaultOptions>;
  /** Event endpoints (ADT control-plane resources) that routes may name. */
  endpoints?: EndpointConfig[];
  delivery?: Partial<DeliveryPolicy>;
  maxRoutes?: number;
  store?: Partial<StoreLimits>;
  payload?: Partial<PayloadLimits>;
  telemetryDedup?: Partial<DedupOptions>;
  models?: ModelRegistryOptions;
  /** Folder of DTDL files uploaded at start (dependency-ordered calls of at most 250), before any import. */
  modelsDir?: string;
  /** A scenario folder: its `models/` are uploaded and its `graph.ndjson` imported at start. */
  scenarioDir?: string;
  /** ADT import-job ndjson loaded at start (file path). */
  importFile?: string;
  /** ADT import-job ndjson text loaded at start. */
  importNdjson?: string;
  /** JSON snapshot file: loaded at start when present, written on change (debounced) and on close. */
  persistFile?: string;
  persistDebounceMs?: number;
  /** Queries see writes only after this lag (ADT: "up to 10 s"); GET and lists stay consistent. */
  queryLag?: QueryLagOptions;
  /**
   * The Jobs API (/jobs/imports, /jobs/deletions). `storageConnectionString` is the instance identity's
   * reach into Blob Storage (Azurite offline); without it every import job fails with a message saying so.
   */
  jobs?: Partial<Omit<BulkJobOptions, 'storage'>> & { storageConnectionString?: string };
  /** An Event Hubs / Service Bus endpoint and a twin-change route, written to <directory>/egress-<kind>.ndjson. */
  egress?: EgressOptions;
}
