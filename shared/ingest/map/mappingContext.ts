// What mapping may look up in ADT (twin ids by query, twin models, DTDL interfaces), injected so the
// mappers stay pure: tests and the mapping preview map without ADT.

import type { Awaitable } from '../../common';
import type { InterfaceLookup, ValueValidator } from './modelFit';
import type { TwinIdRequest, TwinResolution } from './twinTargets';

/**
 * What mapping may look up; everything is optional so pure tests can map without ADT. A look-up
 * answered from memory should return its value, not a promise: mapping then runs without a wait.
 */
export interface MappingContext {
  /** Answers query-based twin id requests; pass `resolver.resolve` of a TwinIdResolver. */
  resolveTwins?: (request: TwinIdRequest) => Awaitable<TwinResolution>;
  /** DTDL interfaces by id, e.g. `(id) => modelIndex.interface(id)`; enables model checks and the default mapping. */
  models?: InterfaceLookup;
  /** Makes `models` know a model and its dependencies (e.g. fetched from ADT) before it is looked up. */
  loadModel?: (modelId: string) => Awaitable<void>;
  /**
   * The model of a twin (the gateway's twin cache, else one read). `null` = the twin does not exist:
   * its values are rejected as unknown-twin. `undefined` = not known: dt-dataschema is used instead.
   */
  twinModel?: (twinId: string) => Awaitable<string | null | undefined>;
  /** shared/dtdl validateValue: one message per violation, each prefixed with `path`; empty when the value fits. */
  validateValue?: ValueValidator;
}
