// The emulator's model store: POST/GET/PATCH/DELETE /models semantics, plus twin and relationship
// validation delegated to the shared DTDL index. DTDL validity is decided by Microsoft's parser.

import {
  buildModelIndex,
  type InterfaceView,
  missingModelMessage,
  type ModelIndex,
  validateRelationship,
  validateTwinDocument,
} from '../../../shared/dtdl';
import { isRecord, stringOf } from '../../../shared/dtdl';
import { adtNow } from '../clock';
import { errors } from '../errors';
import { DtdlParser, explainParseFailure, type ParseOutcome } from './dtdlParser';
import { isStoredModel, type ModelData, referencedStoredModels, type StoredModel, toModelData } from './modelData';
import { modelErrors } from './modelErrors';

export type { ModelData, StoredModel } from './modelData';

/** Decides whether documents are valid DTDL; the default runs Microsoft's parser in a worker thread. */
export interface DtdlValidator {
  parse(docs: unknown[]): Promise<ParseOutcome>;
  close(): Promise<void>;
}

export interface ModelRegistryOptions {
  /** ADT: 250 models per POST /models. */
  maxModelsPerRequest?: number;
  /** ADT: 10,000 models per instance. */
  maxModels?: number;
  validator?: DtdlValidator;
}

export interface ListModelsOptions {
  /** Only these models and everything they depend on (transitively); dependencies come first. */
  dependenciesFor?: string[];
  includeModelDefinition?: boolean;
}

export interface ModelRegistryExport {
  version: 1;
  models: StoredModel[];
}

export class ModelRegistry {
  private readonly models = new Map<string, StoredModel>();
  private index: ModelIndex = buildModelIndex([]);
  private readonly validator: DtdlValidator;
  private readonly maxPerRequest: number;
  private readonly maxModels: number;
  /** Uploads are serialised: the duplicate check and the insert must see the same store. */
  private uploads: Promise<unknown> = Promise.resolve();

  constructor(options: ModelRegistryOptions = {}) {
    this.validator = options.validator ?? new DtdlParser();
    this.maxPerRequest = options.maxModelsPerRequest ?? 250;
    this.maxModels = options.maxModels ?? 10_000;
  }

  /**
   * POST /models: all or nothing. Throws AdtError (400 InvalidArgument/LimitExceeded/DTDLParserError, 409).
   * `maxPerRequest` overrides the 250-per-call API limit (import jobs allow 10,000 models).
   */
  add(docs: unknown, maxPerRequest: number = this.maxPerRequest): Promise<ModelData[]> {
    const run = this.uploads.then(() => this.addNow(docs, maxPerRequest));
    this.uploads = run.catch(() => undefined);
    return run;
  }

  /** GET /models/{id}. */
  get(id: string, includeDefinition = false): ModelData {
    return toModelData(this.require(id), includeDefinition);
  }

  /** GET /models. Unknown ids in `dependenciesFor` → 404 ModelNotFound. */
  list(options: ListModelsOptions = {}): ModelData[] {
    const include = options.includeModelDefinition ?? false;
    const roots = options.dependenciesFor?.filter((id) => id.length > 0) ?? [];
    if (roots.length === 0) return [...this.models.values()].map((m) => toModelData(m, include));
    const missing = roots.filter((id) => !this.models.has(id));
    if (missing.length > 0) throw errors.modelNotFound(missing.join(', '));
    return this.dependencyOrder(roots).map((id) => toModelData(this.require(id), include));
  }

  /** PATCH /models/{id} with replace /decommissioned true. Idempotent. */
  decommission(id: string): void {
    this.require(id).decommissioned = true;
  }

  /** DELETE /models/{id}. Refused while another model extends or otherwise depends on it. */
  delete(id: string): void {
    this.require(id);
    const dependents = this.index.ids().filter((other) => other !== id && this.index.dependenciesOf(other).includes(id));
    if (dependents.length > 0) throw errors.modelReferenced(dependents.join(', '));
    this.models.delete(id);
    this.reindex();
  }

  has(id: string): boolean {
    return this.models.has(id);
  }

  isDecommissioned(id: string): boolean {
    return this.models.get(id)?.decommissioned ?? false;
  }

  isOfModel(actual: string, target: string, exact = false): boolean {
    return this.index.isOfModel(actual, target, exact);
  }

  /** The flattened model (inherited contents merged), or undefined for an unknown id. */
  interfaceOf(modelId: string): InterfaceView | undefined {
    return this.index.interface(modelId);
  }

  /** ValidationFailed details for a twin body (empty when valid). */
  validateTwin(twin: Record<string, unknown>): string[] {
    return validateTwinDocument(this.index, twin);
  }

  /** InvalidRelationship/ValidationFailed details for a relationship (empty when valid). */
  validateRelationship(
    sourceModelId: string,
    relationshipName: string,
    targetModelId: string,
    properties: Record<string, unknown>,
  ): string[] {
    if (!this.models.has(sourceModelId)) return [missingModelMessage(sourceModelId)];
    return validateRelationship(this.index, sourceModelId, relationshipName, targetModelId, properties);
  }

  export(): ModelRegistryExport {
    return { version: 1, models: [...this.models.values()].map((m) => structuredClone(m)) };
  }

  /** Replaces every model with a previous export(). The export came from this registry, so no re-parse. */
  import(data: unknown): void {
    if (!isRecord(data) || data['version'] !== 1 || !Array.isArray(data['models'])) {
      throw modelErrors.importInvalid('expected { version: 1, models: [...] }');
    }
    const bad = data['models'].findIndex((m) => !isStoredModel(m));
    if (bad >= 0) throw modelErrors.importInvalid(`entry ${bad} is not a stored model`);
    this.models.clear();
    for (const model of data['models'] as StoredModel[]) this.models.set(model.id, structuredClone(model));
    this.reindex();
  }

  clear(): void {
    this.models.clear();
    this.reindex();
  }

  /** Stops the parser worker. The registry stays readable; a later add() starts a new worker. */
  close(): Promise<void> {
    return this.validator.close();
  }

  private async addNow(body: unknown, maxPerRequest: number): Promise<ModelData[]> {
    if (!Array.isArray(body) || body.length === 0) throw errors.modelsEmpty();
    const docs: unknown[] = body;
    // Non-objects would otherwise reach the parser, which also accepts nested arrays ADT does not store.
    if (!docs.every(isRecord)) throw errors.modelsEmpty();
    if (docs.length > maxPerRequest) throw modelErrors.tooManyInRequest(docs.length, maxPerRequest);
    if (this.models.size + docs.length > this.maxModels)
      throw modelErrors.tooManyInInstance(this.models.size + docs.length, this.maxModels);
    const ids = docs.map((doc) => (isRecord(doc) ? stringOf(doc['@id']) : undefined));
    const existing = ids.filter((id): id is string => id !== undefined && this.models.has(id));
    if (existing.length > 0) throw errors.modelsExist(existing);

    const context = referencedStoredModels(docs, this.models).map((m) => m.model);
    const outcome = await this.validator.parse([...docs, ...context]);
    if (!outcome.ok) throw errors.dtdlParserError(explainParseFailure(outcome));

    // The parser guarantees each document is an interface object with a unique DTMI.
    const uploadTime = adtNow().replace(/Z$/, '+00:00');
    const added = docs.map((doc): StoredModel => {
      const model = doc as Record<string, unknown>;
      return { id: String(model['@id']), model: structuredClone(model), uploadTime, decommissioned: false };
    });
    for (const model of added) this.models.set(model.id, model);
    this.reindex();
    return added.map((m) => toModelData(m, false));
  }

  private require(id: string): StoredModel {
    const model = this.models.get(id);
    if (!model) throw errors.modelNotFound(id);
    return model;
  }

  private reindex(): void {
    this.index = buildModelIndex([...this.models.values()].map((m) => m.model));
  }

  /** Roots plus transitive dependencies, each dependency before the models that need it. */
  private dependencyOrder(roots: string[]): string[] {
    const ordered: string[] = [];
    const seen = new Set<string>();
    const visit = (id: string): void => {
      if (seen.has(id) || !this.models.has(id)) return;
      seen.add(id);
      for (const dependency of this.index.dependenciesOf(id)) visit(dependency);
      ordered.push(id);
    };
    roots.forEach(visit);
    return ordered;
  }
}
