// The end-of-run text: what went in, what happened to it, where dead letters are, and the tree.
import type { RunResult } from './runScenario';

export function renderSummary(result: RunResult): string {
  const { summary: s } = result;
  const st = s.stats;
  const reasons = countsText(st.deadLetteredByReason);
  const partly = st.partiallyApplied
    ? `\n             ${st.partiallyApplied} applied message(s) had values refused and dead-lettered; refused values: ${countsText(st.rejectedValuesByReason)}`
    : '';
  const lines = [
    `Scenario     ${s.scenario}`,
    `Telemetry    ${s.telemetryFile ?? '(live only)'} — ${s.envelopes} envelope(s)`,
    `ADT          ${s.adt}`,
    `Messages     in ${st.messagesIn}, applied ${st.applied}, filtered ${st.filtered}, dead-lettered ${st.deadLettered}${reasons ? ` (${reasons})` : ''}${partly}`,
    `Ingest       ${st.ingestInvocations} invocation(s), ${st.ingestFailures} failed and redelivered${s.lostBatches.length ? `, ${s.lostBatches.length} batch(es) LOST after the last retry` : ''}`,
    `ADT calls    ${st.adtCalls ?? st.ingestAdtRequests}, 429s ${st.adtThrottled ?? st.ingestThrottled}`,
    s.propagation === 'local'
      ? `Propagation  ${st.propagateInvocations} Event Grid deliveries (${s.schema}), ${st.propagationWrites} derived write(s), ${st.propagationUnchanged} unchanged, ${st.propagateFailures} failed attempt(s), ${s.propagationFailures.length} given up`
      : 'Propagation  not local: a real instance notifies through its Event Grid route to the deployed propagate function',
    `Dead letters ${s.deadLetters}`,
  ];
  for (const lost of s.lostBatches) lines.push(`  lost batch: partition ${lost.partitionId} from sequence ${lost.firstSequenceNumber}, ${lost.events} event(s), ${lost.attempts} attempt(s): ${lost.error}`);
  for (const f of s.propagationFailures) lines.push(`  propagation gave up on ${f.type} ${f.subject ?? ''} (${f.eventId}) after ${f.attempts} attempt(s): ${f.error}`);
  return `${lines.join('\n')}\n\nTwins\n${result.tree}\n`;
}

function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
}
