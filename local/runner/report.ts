// The end-of-run text: what went in, what happened to it, where dead letters are, and the tree.
import type { FaultReport } from './faultPlan';
import type { InstancesReport } from './instances';
import type { MessageAccounting } from './messageAccounting';
import { mib } from './resourceMonitor';
import type { RunResult } from './runScenario';

export function renderSummary(result: RunResult): string {
  const { summary: s } = result;
  const st = s.stats;
  const reasons = countsText(st.deadLetteredByReason);
  const filteredReasons = countsText(st.filteredByReason ?? {});
  // Only when IoT Hub's other events came in: a telemetry-only run prints what it always did.
  const sources = Object.keys(st.receivedBySource ?? {}).some((kind) => kind !== 'telemetry')
    ? [`Sources      ${countsText(st.receivedBySource)}`]
    : [];
  const partly = st.partiallyApplied
    ? `\n             ${st.partiallyApplied} applied message(s) had values refused and dead-lettered; refused values: ${countsText(st.rejectedValuesByReason)}`
    : '';
  // A partly refused message counts as applied, yet it wrote a dead letter: say how many were written.
  const written = `${st.deadLetterDocuments} written (${st.deadLettered} refused message(s), ${st.partiallyApplied} partly refused)`;
  const lines = [
    `Scenario     ${s.scenario}`,
    `Telemetry    ${s.telemetryFile ?? '(live only)'} — ${s.envelopes} envelope(s)`,
    `ADT          ${s.adt}`,
    `Messages     in ${st.messagesIn}, applied ${st.applied}${st.partiallyApplied ? ` (${st.partiallyApplied} partly refused)` : ''}, filtered ${st.filtered}${filteredReasons ? ` (${filteredReasons})` : ''}, dead-lettered ${st.deadLettered}${reasons ? ` (${reasons})` : ''}${partly}`,
    ...sources,
    `Ingest       ${st.ingestInvocations} invocation(s), ${st.ingestFailures} failed and redelivered${s.lostBatches.length ? `, ${s.lostBatches.length} batch(es) LOST after the last retry` : ''}`,
    `ADT calls    ${st.adtCalls ?? st.ingestAdtRequests}, 429s ${st.adtThrottled ?? st.ingestThrottled}`,
    ...(Object.keys(st.suppressedWrites).length || st.heartbeatWrites
      ? [
          `Writes saved ${countsText(st.suppressedWrites) || 'none'} (values filtered, not written); ${st.heartbeatWrites} heartbeat write(s)`,
        ]
      : []),
    s.propagation === 'local'
      ? `Propagation  ${st.propagateInvocations} Event Grid deliveries (${s.schema}), ${st.propagationWrites} derived write(s), ${st.propagationUnchanged} unchanged, ${st.propagateFailures} failed attempt(s), ${s.propagationFailures.length} given up`
      : 'Propagation  not local: a real instance notifies through its Event Grid route to the deployed propagate function',
    `Dead letters ${s.deadLetters}: ${written}`,
    ...(s.egress ? [`Egress       ${s.egress.events} twin-change event(s) → ${s.egress.path}`] : []),
    ...sweepLines(s.sweeps),
    accountingLine(s.accounting),
    `Resources    heap ${mib(s.resources.start.heapUsedBytes)} → ${mib(s.resources.end.heapUsedBytes)} (peak ${mib(s.resources.peakHeapUsedBytes)}), RSS peak ${mib(s.resources.peakRssBytes)}, event-loop lag max ${s.resources.maxLagMs} ms`,
    ...faultLines(s.faults),
    ...instanceLines(s.instances),
  ];
  for (const lost of s.lostBatches)
    lines.push(
      `  lost batch: partition ${lost.partitionId} from sequence ${lost.firstSequenceNumber}, ${lost.events} event(s), ${lost.attempts} attempt(s): ${lost.error}`,
    );
  for (const f of s.propagationFailures)
    lines.push(`  propagation gave up on ${f.type} ${f.subject ?? ''} (${f.eventId}) after ${f.attempts} attempt(s): ${f.error}`);
  return `${lines.join('\n')}\n\nTwins\n${result.tree}\n`;
}

function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
}

function accountingLine(a: MessageAccounting): string {
  const head = `Accounting   ${a.balanced ? 'balanced' : 'NOT BALANCED'}: fed ${a.fed}${a.viaHttp ? ` (${a.viaHttp} via HTTP)` : ''}, received ${a.received} = applied ${a.applied} + filtered ${a.filtered} + dead-lettered ${a.deadLettered}, given up ${a.givenUp.length}`;
  const problems = [
    a.undelivered.length ? `undelivered: ${a.undelivered.slice(0, 5).join(', ')}` : '',
    a.duplicated.length ? `reported twice: ${a.duplicated.slice(0, 5).join(', ')}` : '',
    a.unbalancedBatches ? `${a.unbalancedBatches} batch summary(ies) missing or not adding up` : '',
  ].filter((p) => p !== '');
  // Information, not a problem: devices re-send and IoT Hub delivers at least once.
  const repeated = a.repeatedMessageIds ? `; ${a.repeatedMessageIds} message id(s) repeated (re-sends; each event counted once)` : '';
  return problems.length ? `${head}${repeated}; ${problems.join('; ')}` : `${head}${repeated}`;
}

/** The sweepConditions timer, when its last run queried anything (a run without conditions prints nothing). */
function sweepLines(sweeps: RunResult['summary']['sweeps']): string[] {
  if (!sweeps || sweeps.last.queries === 0) return [];
  const l = sweeps.last;
  return [
    `Sweep        ${sweeps.invocations} run(s); the last: ${l.queries} quer(ies), ${l.pages} page(s), ${l.rows} row(s), ${l.queryUnits} QU${l.capped ? ' (capped)' : ''}, ${l.pending} due, ${l.written} written, ${l.markedStale} marked stale, ${l.failures.length} failed`,
  ];
}

function instanceLines(report: InstancesReport | undefined): string[] {
  if (!report) return [];
  const head = `Instances    ${report.count}, ${report.rebalances} rebalance(s), ${report.partitionMoves} partition move(s)`;
  return [
    head,
    ...report.perInstance.map(
      (i) =>
        `  instance ${i.index}: ${i.partitions} partition(s) at the end, ingest ${i.ingestInvocations} invocation(s) (${i.ingestFailures} failed, ${i.uncheckpointedBatches} not checkpointed after a move), propagate ${i.propagateInvocations} (${i.propagateFailures} failed)${i.httpInvocations ? `, HTTP ingest ${i.httpInvocations}` : ''}${i.sweepInvocations ? `, sweep ${i.sweepInvocations} (timer lease)` : ''}${i.crashed ? `, CRASHED: ${i.crashed}` : ''}`,
    ),
  ];
}

function faultLines(f: FaultReport): string[] {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const adt = f.adt.map((e) => `${e.label} ${e.state === 'start' ? 'began' : 'ended'} at ${seconds(e.atMs)}`);
  const store = f.deadLetterStore.map((e) => `dead-letter store outage ${e.state === 'start' ? 'began' : 'ended'} at ${seconds(e.atMs)}`);
  const refused = f.deadLetterRequestsRefused !== undefined ? [`${f.deadLetterRequestsRefused} dead-letter request(s) refused`] : [];
  const all = [...adt, ...store, ...refused];
  return all.length ? [`Faults       ${all.join('; ')}`] : [];
}
