// Reconcile through the one gateway: every derived value recomputed from the current graph
// (reconcileAll.ts), failures dead-lettered like propagate's, a one-line summary logged.
import type { DeadLetterSink } from '../../deadLetter';
import { recordReconcile } from '../../telemetry';
import { type ModelCheckStep, type PropagateLogger, silentLogger, writePropagateDeadLetter } from '../engine';
import { ModelHierarchy, type RollupPort } from '../port';
import type { CompiledRollups } from '../rules';
import { ParentIndex } from '../views';
import { reconcileAll, type ReconcileProgress, type ReconcileSummary } from './reconcileAll';

export interface ReconcilerOptions {
  compiled: CompiledRollups;
  port: RollupPort;
  deadLetters?: DeadLetterSink;
  concurrency?: number;
  /** Runs first when the caller gives a log (the worker's check of the rules against the instance's models). */
  modelCheck?: ModelCheckStep;
}

export class Reconciler {
  private readonly models: ModelHierarchy;

  constructor(private readonly options: ReconcilerOptions) {
    this.models = new ModelHierarchy(options.port, { ttlMs: options.compiled.settings.modelCacheSeconds * 1000 });
  }

  async run(logTo?: PropagateLogger, onProgress?: (p: ReconcileProgress) => void): Promise<ReconcileSummary> {
    if (logTo) await this.options.modelCheck?.once(logTo);
    const log = logTo ?? silentLogger;
    const { port, compiled } = this.options;
    const summary = await reconcileAll({
      compiled,
      port,
      models: this.models,
      recompute: { parentIndex: new ParentIndex() },
      ...(onProgress && { onProgress }),
      ...(this.options.concurrency !== undefined && { concurrency: this.options.concurrency }),
    });
    const sink = this.options.deadLetters;
    if (sink) {
      for (const f of summary.failures) {
        await writePropagateDeadLetter(
          sink,
          {
            event: undefined,
            eventId: `reconcile-${new Date().toISOString()}`,
            eventType: 'reconcile',
            reason: `propagate-${f.reason}`,
            detail: f.detail,
            rule: f.rule,
            parentId: f.parentId,
          },
          new Date(),
        );
      }
    }
    const line = `Reconciled ${summary.parents} parent(s) over ${summary.levels} level(s): ${summary.written} written, ${summary.unchanged} unchanged, ${summary.viaApi} re-read through the API, ${summary.failures.length} failure(s), ${summary.queries} queries, ${summary.durationMs} ms`;
    if (summary.failures.length > 0)
      log.error(`${line}. Failures: ${summary.failures.map((f) => `${f.parentId} rule "${f.rule}": ${f.detail}`).join('; ')}`, summary);
    else log.info(line, summary);
    recordReconcile(summary);
    return summary;
  }
}
