// Where mapping's look-ups come from (twin ids by query, twin models, DTDL interfaces), injected so the
// mappers stay pure: tests and the mapping preview map without ADT. Each is asked once per batch, before
// mapping (map/lookups); one answered from memory may return its value instead of a promise.

import type { InterfaceLookup, ValueValidator } from './modelFit';
import type { TwinIdRequest, TwinResolution } from './twinTargets';

/** Everything is optional, so pure tests can map without ADT. */
export interface LookupSources {
  /** Answers query-based twin id requests; pass `resolver.resolve` of a TwinIdResolver. */
  resolveTwins?: (request: TwinIdRequest) => TwinResolution | Promise<TwinResolution>;
  /** DTDL interfaces by id, e.g. `(id) => modelIndex.interface(id)`; enables model checks and the default mapping. */
  models?: InterfaceLookup;
  /** Makes `models` know a model and its dependencies (e.g. fetched from ADT) before it is looked up. */
  loadModel?: (modelId: string) => void | Promise<void>;
  /**
   * The model of a twin (the gateway's twin cache, else one read). `null` = the twin does not exist:
   * its values are rejected as unknown-twin. `undefined` = not known: dt-dataschema is used instead.
   */
  twinModel?: (twinId: string) => string | null | undefined | Promise<string | null | undefined>;
  /**
   * Makes the answers of `twinModel` for these twins cheap before it is asked, e.g. the gateway reading
   * the twins it has no copy of 50 to a query. Best effort: a failure leaves `twinModel` to read them.
   */
  preloadTwins?: (twinIds: readonly string[]) => Promise<void>;
  /** shared/dtdl validateValue; checks each value against its property's schema (map/modelFit). */
  validateValue?: ValueValidator;
}
