// The replay summary as text: what was found, what happened, what the store now holds, what was left.
import type { ReplayReport } from './outcome';

function byReason(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '' : ` (${entries.map(([reason, n]) => `${reason} ${n}`).join(', ')})`;
}

export interface RenderContext {
  adtUrl: string;
  configDescription: string;
}

export function renderReport(report: ReplayReport, context: RenderContext): string {
  const t = report.totals;
  const lines: string[] = [];
  const filter = report.reasons.length > 0 ? `, ${report.selected} with reason ${report.reasons.join(' or ')}` : '';
  lines.push(
    `Dead letters  ${report.store}: ${report.found} found${filter}${report.unreadable.length > 0 ? `, ${report.unreadable.length} unreadable` : ''}`,
  );
  lines.push(`Pipeline      ${context.adtUrl}, configuration ${context.configDescription}`);
  if (report.dryRun) {
    lines.push(
      `Dry run       would apply ${t.wouldApply}, filter ${t.wouldFilter}${byReason(t.filteredByReason)}, dead-letter again ${t.wouldDeadLetter}${byReason(t.againByReason)}`,
    );
    lines.push(
      '              Nothing was written to ADT or the store. What only a write reveals (ADT refusing a value, a value older than what the twin holds) is not predicted.',
    );
  } else {
    lines.push(
      `Replayed      applied ${t.applied}, filtered ${t.filtered}${byReason(t.filteredByReason)}, dead-lettered again ${t.deadLettered}${byReason(t.againByReason)}, failed ${t.failed}`,
    );
    lines.push(
      `Store         removed ${t.removed}, rewritten with history ${t.rewritten}${t.changedMeanwhile > 0 ? `, left as is (rewritten by the pipeline meanwhile) ${t.changedMeanwhile}` : ''}`,
    );
    lines.push(
      `ADT           ${report.adt.requests} request(s), ${report.adt.retries} retries, ${report.adt.throttled429} throttled, ${report.adt.twinsPatched} twin(s) patched, ${report.adt.telemetrySent} telemetry message(s)`,
    );
  }
  for (const item of report.unreadable) lines.push(`Unreadable    ${item.problem}`);
  for (const result of report.results)
    if (result.outcome.kind === 'failed') lines.push(`Failed        ${result.name}: ${result.outcome.error} (left untouched)`);
  if (report.stopped)
    lines.push(
      `Stopped       ADT stayed unavailable: ${report.stopped.reason} ${report.stopped.notExamined} document(s) were not examined; run the replay again later.`,
    );
  return `${lines.join('\n')}\n`;
}

/** 0: everything selected was replayed or planned; 1: something was left (unreadable, failed, stopped). */
export function exitCodeOf(report: ReplayReport): number {
  return report.unreadable.length > 0 || report.totals.failed > 0 || report.stopped ? 1 : 0;
}
