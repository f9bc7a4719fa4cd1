// A first message for "try a message", read from the scenario's files (its pipeline file's rules are
// read by scenarioRules.ts).
import { readFileSync } from 'node:fs';

import { parseEnvelope } from '../../shared/ingest';
import type { Scenario } from '../scenario';

const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The scenario's first telemetry envelope without its message id and enqueued time, its body's
 * timestamps moved to now: an old reading would only show up as stale against the running twins.
 */
export function sampleEnvelope(scenario: Scenario, now: Date = new Date()): unknown {
  if (scenario.telemetryPath) {
    const first = readFileSync(scenario.telemetryPath, 'utf8')
      .split('\n')
      .find((line) => line.trim() !== '');
    if (first !== undefined) {
      const {
        messageId: _id,
        enqueuedTime: _time,
        ...rest
      } = parseEnvelope(first, scenario.telemetryPath) as unknown as Record<string, unknown>;
      const body = rest.body;
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
        rest.body = Object.fromEntries(
          Object.entries(body).map(([k, v]) => [k, typeof v === 'string' && isoTime.test(v) ? now.toISOString() : v]),
        );
      }
      return rest;
    }
  }
  const twin = scenario.graph.twins[0];
  return twin === undefined ? undefined : { deviceId: twin.$dtId, body: {} };
}
