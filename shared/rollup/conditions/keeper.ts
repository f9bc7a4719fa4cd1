// Applies the conditions of one twin: read it (with its ETag), decide every condition of its model,
// write one patch with If-Match. A 412 means another instance (or a redelivery, or a device write)
// got there first: re-read and decide again, so a transition is written exactly once however many
// instances and deliveries evaluate the twin. Nothing is remembered between calls.
import type { JsonPatchOperation, Twin } from '../../adt';
import { type Clock, systemClock } from '../../common';
import { recordConditionTransition, recordStalenessMark } from '../../telemetry';
import type { CallOptions, ModelHierarchy, RollupPort } from '../port';
import type { CompiledCondition, CompiledStaleness } from '../rules';
import { type ConditionDecision, type ConditionStep, decideCondition } from './decide';
import { freshPatch, stalePatch } from './staleness';

export interface ConditionStats {
  /** Twins read to evaluate their conditions. */
  evaluations: number;
  /** Patches written (each carries every step of one twin). */
  writes: number;
  preconditionRetries: number;
  /** Steps written, by kind (raised, cleared, pendingStarted, pendingEnded, initialised). */
  steps: Record<ConditionStep, number>;
  /** Expressions that failed to evaluate (taken as not holding), by condition. */
  evaluationErrors: number;
  /** Twins marked stale by the sweep, and unmarked by their next change. */
  markedStale: number;
  markedFresh: number;
}

export const emptyConditionStats = (): ConditionStats => ({
  evaluations: 0,
  writes: 0,
  preconditionRetries: 0,
  steps: { raised: 0, cleared: 0, pendingStarted: 0, pendingEnded: 0, initialised: 0 },
  evaluationErrors: 0,
  markedStale: 0,
  markedFresh: 0,
});

export interface ConditionOutcome {
  twinId: string;
  status: 'written' | 'unchanged' | 'notFound' | 'notApplicable';
  decisions: ConditionDecision[];
  preconditionRetries: number;
}

export interface ConditionKeeperOptions {
  conditions: readonly CompiledCondition[];
  /** maxAge per model (rollups.staleness). */
  staleness?: readonly CompiledStaleness[];
  port: RollupPort;
  models: ModelHierarchy;
  clock?: Pick<Clock, 'now'>;
  /** 412 → re-read and decide again, at most this often (then the error goes to the caller). */
  maxPreconditionRetries?: number;
  /** Called after a patch is written, with the steps it carried (metrics). */
  onWritten?: (outcome: ConditionOutcome) => void;
}

export class ConditionPreconditionError extends Error {}

export class ConditionKeeper {
  readonly stats: ConditionStats = emptyConditionStats();
  private readonly clock: Pick<Clock, 'now'>;

  constructor(private readonly options: ConditionKeeperOptions) {
    this.clock = options.clock ?? systemClock;
  }

  get conditions(): readonly CompiledCondition[] {
    return this.options.conditions;
  }

  /** The keeper's clock (the sweep's cut-off). */
  now(): number {
    return this.clock.now();
  }

  get staleness(): readonly CompiledStaleness[] {
    return this.options.staleness ?? [];
  }

  /** The staleness rule of a twin of `model`, if any. */
  async stalenessOf(model: string, call?: CallOptions): Promise<CompiledStaleness | undefined> {
    for (const rule of this.staleness) if (await this.options.models.isA(model, rule.model, call)) return rule;
    return undefined;
  }

  /** Marks the twin stale if it still is (sweep); false when it was written since or is marked already. */
  async markStale(twinId: string, rule: CompiledStaleness, call: CallOptions = {}): Promise<boolean> {
    return this.patchWith(twinId, call, (twin) => stalePatch(rule, twin, this.clock.now()), 'markedStale');
  }

  /** Unmarks a stale twin after a change to it (propagate); false when it was not stale. */
  async markFresh(twinId: string, rule: CompiledStaleness, call: CallOptions = {}): Promise<boolean> {
    return this.patchWith(twinId, call, (twin) => freshPatch(rule, twin), 'markedFresh');
  }

  private async patchWith(
    twinId: string,
    call: CallOptions,
    patch: (twin: Twin) => JsonPatchOperation[] | undefined,
    counter: 'markedStale' | 'markedFresh',
  ): Promise<boolean> {
    const max = this.options.maxPreconditionRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const snapshot = await this.options.port.getTwin(twinId, call);
      const ops = snapshot && patch(snapshot.twin);
      if (!snapshot || !ops) return false;
      const written = await this.options.port.updateTwin(twinId, ops, { ...call, ifMatch: snapshot.etag });
      if (written.kind === 'twinNotFound') return false;
      if (written.kind === 'written') {
        this.stats[counter] += 1;
        recordStalenessMark(counter === 'markedStale' ? 'stale' : 'fresh');
        return true;
      }
      this.stats.preconditionRetries += 1;
      if (attempt >= max)
        throw new ConditionPreconditionError(
          `Staleness of twin ${twinId}: ${attempt + 1} writes in a row refused with 412; the next change or sweep tries again.`,
        );
    }
  }

  /** Conditions a twin of `model` carries (inheritance honoured). */
  async conditionsOf(model: string, call?: CallOptions): Promise<CompiledCondition[]> {
    const matching: CompiledCondition[] = [];
    for (const condition of this.options.conditions)
      if (await this.options.models.isA(model, condition.model, call)) matching.push(condition);
    return matching;
  }

  /** True when a change to these top-level properties can move a condition of `model`. */
  async touches(model: string, properties: ReadonlySet<string>, call?: CallOptions): Promise<boolean> {
    for (const condition of await this.conditionsOf(model, call)) {
      for (const property of properties) if (condition.inputs.has(property)) return true;
    }
    return false;
  }

  /** Reads the twin and writes what its conditions need now. */
  async evaluate(twinId: string, call: CallOptions = {}): Promise<ConditionOutcome> {
    const max = this.options.maxPreconditionRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      this.stats.evaluations += 1;
      const snapshot = await this.options.port.getTwin(twinId, call);
      if (!snapshot) return { twinId, status: 'notFound', decisions: [], preconditionRetries: attempt };
      const model = snapshot.twin.$metadata?.$model;
      const conditions = typeof model === 'string' ? await this.conditionsOf(model, call) : [];
      if (conditions.length === 0) return { twinId, status: 'notApplicable', decisions: [], preconditionRetries: attempt };
      const now = this.clock.now();
      const decisions = await Promise.all(conditions.map((c) => decideCondition(c, snapshot.twin, now)));
      this.stats.evaluationErrors += decisions.filter((d) => d.error !== undefined).length;
      const ops: JsonPatchOperation[] = decisions.flatMap((d) => d.ops);
      if (ops.length === 0) return { twinId, status: 'unchanged', decisions, preconditionRetries: attempt };
      const written = await this.options.port.updateTwin(twinId, ops, { ...call, ifMatch: snapshot.etag });
      if (written.kind === 'twinNotFound') return { twinId, status: 'notFound', decisions: [], preconditionRetries: attempt };
      if (written.kind === 'written') {
        this.stats.writes += 1;
        for (const d of decisions) {
          if (!d.step || d.ops.length === 0) continue;
          this.stats.steps[d.step] += 1;
          if (d.step === 'raised' || d.step === 'cleared') recordConditionTransition(d.condition, d.step);
        }
        const outcome: ConditionOutcome = { twinId, status: 'written', decisions, preconditionRetries: attempt };
        this.options.onWritten?.(outcome);
        return outcome;
      }
      this.stats.preconditionRetries += 1;
      if (attempt >= max)
        throw new ConditionPreconditionError(
          `Conditions of twin ${twinId}: ${attempt + 1} writes in a row refused with 412 (the twin keeps changing); the next change or sweep evaluates it again.`,
        );
    }
  }
}
