// A stateful target's update → the writes it makes against one copy of the twin: the folded target
// value and the input property (the newest folded reading, with its sourceTime), in the same PATCH
// under the same If-Match. Why the writer also writes the input: the input's stored value and
// sourceTime ARE the state the next fold starts from (the previous sample), so they must move
// together with the total, atomically; a separate mapping of the input (deadband-suppressed, or
// coalesced to another value) could leave a total that disagrees with its previous sample and count a
// stretch twice. Both writes bypass the deadband for the same reason. Called again with the fresh
// twin after a 412, so a total is always folded from the state it is written over.

import type { Twin } from '../../adt';
import { parseIsoMillis } from '../../common';
import type { PropertyUpdate, Reading, SkippedReadingReason, StatefulStep } from '../message';
import { storedSourceTime } from './patchBuilder';
import { foldReadings, type StatefulState } from './statefulValues';

export interface StatefulWrites {
  /** Target then input; empty when every reading was skipped. */
  writes: PropertyUpdate[];
  skipped: Array<{ eventKey: string; reason: SkippedReadingReason }>;
}

/**
 * The stored state of a stateful target: its input's value and sourceTime, and its own value. An
 * input sourceTime after `trustedUntil` was written by a clock far ahead (ms): it would skip every
 * correct reading after it as out of order, so it is no previous sample — the total is kept and the
 * next reading starts a new segment (as the plain guard ignores such a time).
 */
export function storedState(
  twin: Twin | undefined,
  update: Pick<PropertyUpdate, 'component' | 'property'>,
  input: string,
  trustedUntil = Number.POSITIVE_INFINITY,
): StatefulState {
  const container: unknown = update.component === undefined ? twin : twin?.[update.component];
  const own = (name: string): unknown =>
    typeof container === 'object' && container !== null && Object.prototype.hasOwnProperty.call(container, name)
      ? (container as Record<string, unknown>)[name]
      : undefined;
  const state: StatefulState = {};
  const previous = own(input);
  const output = own(update.property);
  const time = storedSourceTime(twin, { component: update.component, property: input } as Pick<PropertyUpdate, 'component' | 'property'>);
  if (typeof previous === 'number' && Number.isFinite(previous) && time !== undefined && !(parseIsoMillis(time) > trustedUntil)) {
    state.previous = previous;
    state.previousTime = time;
  }
  if (typeof output === 'number' && Number.isFinite(output)) state.output = output;
  return state;
}

/** Folds the update's readings over what `twin` stores and returns the writes that carry the result. */
export function statefulWrites(
  update: PropertyUpdate & { stateful: StatefulStep },
  twin: Twin | undefined,
  trustedUntil = Number.POSITIVE_INFINITY,
): StatefulWrites {
  const { transform, readings } = update.stateful;
  const outcome = foldReadings(transform, storedState(twin, update, transform.input, trustedUntil), readings);
  const skipped = outcome.skipped.map(({ reading, reason }) => ({ eventKey: reading.eventKey, reason }));
  const last = outcome.folded[outcome.folded.length - 1];
  if (last === undefined) return { writes: [], skipped };
  // The applied readings' events ride on the input write (always made); the target write carries none, so no event is counted twice.
  const eventKeys = [...new Set(outcome.folded.map((r: Reading) => r.eventKey))];
  const base = {
    twinId: update.twinId,
    sourceTime: last.sourceTime,
    rule: update.rule,
    ...(update.component !== undefined && { component: update.component }),
    ...(last.sequenceNumber !== undefined && { sequenceNumber: last.sequenceNumber }),
  };
  const writes: PropertyUpdate[] = [];
  if (outcome.state.output !== undefined) writes.push({ ...base, property: update.property, value: outcome.state.output, eventKeys: [] });
  writes.push({ ...base, property: transform.input, value: last.value, eventKeys });
  return { writes, skipped };
}

/** True when a twin's updates include a stateful target (such a twin is never deferred: its total is folded over the state it is written to). */
export function hasStatefulUpdates(update: { updates: readonly PropertyUpdate[] }): boolean {
  return update.updates.some((u) => u.stateful !== undefined);
}
