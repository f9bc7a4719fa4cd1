// The roll-up rules checked against the instance's models where the deployed function first needs
// them. The function never fetches every model at start (it reads models lazily, one at a time), so
// the check runs once per worker instance, on the first propagate or reconcile invocation: one listModels call,
// then every problem logged as an error and written once as a dead letter (reason
// propagate-rules-models), so a misspelt relationship or model is seen instead of a parent that is
// never updated. Propagation goes on: the other rules still work.
import type { AdtPort } from '../../adt';
import { type Clock, errorMessage, systemClock } from '../../common';
import type { DeadLetterSink } from '../../deadLetter';
import { buildModelIndex } from '../../dtdl';
import { checkRollupsAgainstModels, type CompiledRollups } from '../rules';
import { writePropagateDeadLetter } from './deadLetters';
import type { PropagateLogger } from './logger';

export const RULES_MODELS_REASON = 'propagate-rules-models';

/** A failed model listing is tried again after this long, not on every event. */
const RETRY_MS = 60_000;

/** A step the propagator and the reconciler run before their work (the worker gives them a RulesModelCheck). */
export interface ModelCheckStep {
  once(log: PropagateLogger): Promise<void>;
}

export class RulesModelCheck implements ModelCheckStep {
  private done = false;
  private retryAt = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly rollups: CompiledRollups,
    private readonly port: Pick<AdtPort, 'getModelsWithDependencies'>,
    private readonly deadLetters: () => DeadLetterSink,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  /** Runs the check the first time (later calls share it); a failed model fetch is retried next time. */
  async once(log: PropagateLogger): Promise<void> {
    if (this.done || this.rollups.rules.length === 0 || this.clock.now() < this.retryAt) return;
    this.running ??= this.run(log).finally(() => (this.running = undefined));
    await this.running;
  }

  private async run(log: PropagateLogger): Promise<void> {
    let documents: unknown[];
    try {
      documents = await this.port.getModelsWithDependencies([], { timeoutMs: 30_000 });
    } catch (error) {
      this.retryAt = this.clock.now() + RETRY_MS;
      log.warn(
        `Roll-up rules not yet checked against the instance's models (listing them failed: ${errorMessage(error)}); tried again in ${RETRY_MS / 1000} s.`,
      );
      return;
    }
    this.done = true;
    const problems = checkRollupsAgainstModels(this.rollups, buildModelIndex(documents));
    if (problems.length === 0) return;
    const detail = `The roll-up rules do not fit the models of this instance (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix the rules (PIPELINE_CONFIG_PATH) or upload the models, then run npm run reconcile.`;
    log.error(detail);
    try {
      await writePropagateDeadLetter(
        this.deadLetters(),
        { event: { problems }, eventId: `rules-models-${this.clock.now()}`, eventType: undefined, reason: RULES_MODELS_REASON, detail },
        new Date(this.clock.now()),
      );
    } catch (error) {
      log.error(`Could not dead-letter the roll-up rule problems: ${errorMessage(error)}`);
    }
  }
}
