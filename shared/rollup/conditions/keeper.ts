// Applies the conditions of one twin: read it (with its ETag), decide every condition of its model,
// write one patch with If-Match. A 412 means another instance (or a redelivery, or a device write)
// got there first: re-read and decide again, so a transition is written exactly once however many
// instances and deliveries evaluate the twin. Nothing is remembered between calls.
import type { JsonPatchOperation } from '../../adt';
import { type Clock, systemClock } from '../../common';
import type { CallOptions, ModelHierarchy, RollupPort } from '../port';
import type { CompiledCondition } from '../rules';
import { type ConditionDecision, type ConditionStep,decideCondition } from './decide';

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
}

export const emptyConditionStats = (): ConditionStats => ({ evaluations: 0, writes: 0, preconditionRetries: 0, steps: { raised: 0, cleared: 0, pendingStarted: 0, pendingEnded: 0, initialised: 0 }, evaluationErrors: 0 });

export interface ConditionOutcome {
  twinId: string;
  status: 'written' | 'unchanged' | 'notFound' | 'notApplicable';
  decisions: ConditionDecision[];
  preconditionRetries: number;
}

export interface ConditionKeeperOptions {
  conditions: readonly CompiledCondition[];
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

  /** Conditions a twin of `model` carries (inheritance honoured). */
  async conditionsOf(model: string, call?: CallOptions): Promise<CompiledCondition[]> {
    const matching: CompiledCondition[] = [];
    for (const condition of this.options.conditions) if (await this.options.models.isA(model, condition.model, call)) matching.push(condition);
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
        for (const d of decisions) if (d.step && d.ops.length > 0) this.stats.steps[d.step] += 1;
        const outcome: ConditionOutcome = { twinId, status: 'written', decisions, preconditionRetries: attempt };
        this.options.onWritten?.(outcome);
        return outcome;
      }
      this.stats.preconditionRetries += 1;
      if (attempt >= max) throw new ConditionPreconditionError(`Conditions of twin ${twinId}: ${attempt + 1} writes in a row refused with 412 (the twin keeps changing); the next change or sweep evaluates it again.`);
    }
  }
}
