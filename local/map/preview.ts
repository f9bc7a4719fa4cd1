// What the pipeline would do with one message, without writing anything: decoding, the rules that
// match, the twins it addresses, the JSON Patch per twin (with sourceTimes) and telemetry, and every
// refusal with its reason. Models and twins come from the scenario, so a mapping can be tried before
// anything is deployed. It runs the real decoder, mappers, coalescing, model checks and patch builder.

import type { JsonPatchOperation, Twin } from '../../shared/adt';
import { parsePointer } from '../../shared/common';
import { buildModelIndex, validateValue } from '../../shared/dtdl';
import {
  buildPatch,
  checkIngestAgainstModels,
  decodeEvent,
  envelopeEvents,
  type IngestPlan,
  type LookupSources,
  mapMessage,
  planIngest,
  selectRulesEvaluatingWhen,
  storedSourceTime,
  type TelemetryEnvelope,
} from '../../shared/ingest';
import type { Scenario } from '../scenario';
import { foldForPreview, type SkippedReading } from './statefulPreview';

export interface TwinPreview {
  twinId: string;
  model?: string;
  patch: JsonPatchOperation[];
  /** Values older than what the scenario's twin stores (the twin would keep its value). */
  stale: Array<{ path: string; sourceTime: string; stored: string }>;
  /** Readings of stateful targets that change nothing against the stored state (out of order, already folded). */
  skippedReadings?: SkippedReading[];
}

/** One value a matched rule did not apply, and why. */
export interface RuleRefusal {
  /** What the rule maps: the target property, or `telemetry[0]`. */
  mapping: string;
  outcome: 'filtered' | 'dead-lettered';
  reason: string;
  detail: string;
}

/** What one rule whose `match` held did with the message. */
export interface RuleOutcome {
  /** The rule's name (its position, `ingest.rules[2]`, only when it has none). */
  rule: string;
  /** Its place in the file, `ingest.rules[2]`. */
  where: string;
  /** Twin properties and telemetry it produced. */
  applied: string[];
  refused: RuleRefusal[];
}

export interface MessagePreview {
  decoded:
    | {
        ok: true;
        deviceId: string;
        enqueuedTime: string;
        body: unknown;
        component?: string;
        modelId?: string;
        source?: { kind: string; name: string; opType?: string };
      }
    | { ok: false; reason: string; detail: string };
  /** Names of the rules that produced a value (`(model)` for the model-driven mapping). */
  rules: string[];
  /** Every rule whose `match` held, with what it applied and what it refused: a rule that matched
   * and refused every value is here too. */
  matched: RuleOutcome[];
  twins: TwinPreview[];
  telemetry: IngestPlan['telemetry'];
  /** Twins a device lifecycle event would create (with their model) or retire (relationships first). */
  lifecycle: NonNullable<IngestPlan['lifecycle']>;
  filtered: Array<{ eventKey: string; reason: string; detail: string }>;
  deadLettered: IngestPlan['rejected'];
}

export class ScenarioPreviewer {
  private readonly config;
  private readonly index;
  private readonly twins = new Map<string, Twin>();

  /** Rule targets the scenario's models do not have (typos): shown before any message. */
  readonly problems: string[];

  constructor(scenario: Scenario) {
    this.config = scenario.pipeline;
    this.index = buildModelIndex(scenario.models);
    this.problems = checkIngestAgainstModels(this.config.ingest, this.index);
    for (const twin of scenario.graph.twins) this.twins.set(twin.$dtId, structuredClone(twin) as unknown as Twin);
  }

  twin(twinId: string): Twin | undefined {
    return this.twins.get(twinId);
  }

  /** Previews against this stored document (npm run map --twin) instead of the scenario's twin of that id. */
  useStoredTwin(document: Twin): void {
    this.twins.set(document.$dtId, structuredClone(document));
  }

  async preview(envelope: TelemetryEnvelope): Promise<MessagePreview> {
    const [raw] = envelopeEvents([envelope], new Date(envelope.enqueuedTime));
    const options = this.config.ingest.options;
    const decoded = decodeEvent(raw as NonNullable<typeof raw>, {
      deviceIdProperties: options.deviceIdProperties,
      moduleIdProperties: options.moduleIdProperties,
      limits: { maxDecodedBytes: options.maxDecodedBytes, maxDepth: options.maxBodyDepth },
    });
    const empty = { rules: [], matched: [], twins: [], telemetry: [], lifecycle: [], filtered: [], deadLettered: [] };
    if (!decoded.ok)
      return {
        decoded: { ok: false, reason: decoded.reason, detail: decoded.detail },
        ...empty,
        deadLettered: [{ eventKey: decoded.eventKey, reason: decoded.reason, detail: decoded.detail }],
      };
    const message = decoded.message;
    const context: LookupSources = {
      models: (id) => this.index.interface(id),
      twinModel: (twinId) =>
        this.twins.get(twinId)?.$metadata.$model ??
        (this.config.ingest.unknownTwin.action === 'create' ? this.config.ingest.unknownTwin.modelId : null),
      validateValue,
    };
    const mapping = await mapMessage(message, this.config, context);
    const plan = await planIngest([message], this.config, context);
    const lifecycle = plan.lifecycle ?? [];
    // A twin the event creates exists for the next message previewed (a model ADT lacks makes none), as in ADT.
    for (const action of lifecycle) {
      if (action.kind === 'create' && this.index.interface(action.modelId))
        this.twins.set(action.twinId, { $dtId: action.twinId, $metadata: { $model: action.modelId } } as unknown as Twin);
    }
    const twins = plan.twinUpdates.map((update): TwinPreview => {
      const twin = this.twins.get(update.twinId);
      const model = twin?.$metadata.$model ?? (update.ifMissing.policy === 'create' ? update.ifMissing.modelId : undefined);
      // Values that do not fit the model were refused while mapping (deadLettered), as in the function.
      const stale: TwinPreview['stale'] = [];
      // Stateful targets fold their readings over the stored state, as the writer does.
      const { plain, folded, skipped } = foldForPreview(update.updates, twin);
      const written = plain.filter((u) => {
        // IoT Hub's own order (a connection event's sequence number) against the one the twin keeps, as the writer does.
        const kept = u.order?.stored === undefined ? undefined : (twin as Record<string, unknown> | undefined)?.[u.order.stored.property];
        if (u.order !== undefined && typeof kept === 'string') {
          if (u.order.key > kept) return true;
          stale.push({ path: u.property, sourceTime: u.sourceTime, stored: `sequence number ${kept}` });
          return false;
        }
        const stored = storedSourceTime(twin, u);
        if (stored !== undefined && Date.parse(u.sourceTime) < Date.parse(stored)) {
          stale.push({ path: u.property, sourceTime: u.sourceTime, stored });
          return false;
        }
        return true;
      });
      const patch = buildPatch(twin, [...written, ...folded], { emitSourceTime: options.emitSourceTime });
      // The next message previewed sees this one's values, as the twin in ADT would.
      if (twin) applyPatch(twin, patch);
      return {
        twinId: update.twinId,
        ...(model !== undefined && { model }),
        patch,
        stale,
        ...(skipped.length > 0 && { skippedReadings: skipped }),
      };
    });
    for (const action of lifecycle) if (action.kind === 'delete') this.twins.delete(action.twinId);
    return {
      decoded: {
        ok: true,
        deviceId: message.deviceId,
        enqueuedTime: message.enqueuedTime,
        body: message.body,
        ...(message.component !== undefined && { component: message.component }),
        ...(message.modelId !== undefined && { modelId: message.modelId }),
        ...(message.source !== undefined && { source: { ...message.source } }),
      },
      rules: [...new Set([...mapping.propertyUpdates.map((u) => u.rule), ...mapping.telemetry.map((t) => t.rule)])],
      matched: await this.ruleOutcomes(message, mapping),
      twins,
      telemetry: plan.telemetry,
      lifecycle,
      filtered: mapping.filtered.map((f) => ({
        eventKey: message.eventKey,
        reason: f.reason,
        detail: [f.where, f.detail].filter(Boolean).join(': '),
      })),
      deadLettered: plan.rejected,
    };
  }

  /** The rules whose `match` held, each with the values it applied and the ones it refused (and why). */
  private async ruleOutcomes(
    message: Parameters<typeof mapMessage>[0],
    mapping: Awaited<ReturnType<typeof mapMessage>>,
  ): Promise<RuleOutcome[]> {
    const selection = await selectRulesEvaluatingWhen(message, this.config.ingest.rules);
    return selection.rules.map((rule) => {
      const label = rule.name || rule.where;
      const mappingName = (where: string | undefined): string | undefined => {
        if (where === undefined || (where !== rule.where && !where.startsWith(`${rule.where}.`))) return undefined;
        const property = rule.properties.find((p) => where === p.where || where.startsWith(`${p.where}.`));
        if (property)
          return property.target.component === undefined
            ? property.target.property
            : `${property.target.component}/${property.target.property}`;
        const rest = where.slice(rule.where.length).replace(/^\./, '');
        return rest === '' ? '(rule)' : rest;
      };
      const refused: RuleRefusal[] = [];
      for (const [outcome, items] of [
        ['filtered', mapping.filtered],
        ['dead-lettered', mapping.rejected],
      ] as const) {
        for (const item of items) {
          const name = mappingName(item.where);
          if (name !== undefined) refused.push({ mapping: name, outcome, reason: item.reason, detail: item.detail ?? '' });
        }
      }
      const applied = [
        ...mapping.propertyUpdates
          .filter((u) => u.rule === rule.name)
          .map((u) => (u.component === undefined ? u.property : `${u.component}/${u.property}`)),
        ...mapping.telemetry.filter((t) => t.rule === rule.name).map((t) => `telemetry to ${t.twinId}`),
      ];
      return { rule: label, where: rule.where, applied: [...new Set(applied)], refused };
    });
  }
}

/** `add` operations onto the scenario's copy of the twin (parents created, as ADT does for $metadata). */
function applyPatch(twin: Twin, patch: readonly JsonPatchOperation[]): void {
  for (const op of patch) {
    const segments = parsePointer(op.path);
    const last = segments.pop();
    if (last === undefined || op.op !== 'add') continue;
    let node = twin as Record<string, unknown>;
    for (const segment of segments) {
      if (typeof node[segment] !== 'object' || node[segment] === null) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    node[last] = structuredClone(op.value);
  }
}

/** The twin as the preview left it (after every message previewed so far). */
export function previewedTwin(previewer: ScenarioPreviewer, twinId: string): Twin | undefined {
  return previewer.twin(twinId);
}
