// One condition on one twin: from the twin's stored document and the time now, the patch that moves
// it on (or none). Pure: the state, its time and the pending "holding since T" are all read from
// the twin, so any instance, on any delivery or on the sweep, decides the same thing.
import type { JsonPatchOperation, Twin } from '../../adt';
import { type CompiledCondition, ownValue, withoutUnsafeKeys } from '../rules';

export type ConditionStep =
  /** The state changed (written with its time). */
  | 'raised'
  | 'cleared'
  /** A duration started: pending written. */
  | 'pendingStarted'
  /** The expression stopped holding before the duration elapsed: pending removed (a spike). */
  | 'pendingEnded'
  /** No state yet and the condition does not hold: the cleared state written once. */
  | 'initialised';

export interface ConditionDecision {
  condition: string;
  step: ConditionStep | undefined;
  ops: JsonPatchOperation[];
  /** When the step takes effect: for a transition after a duration, the moment the duration elapsed. */
  at?: string;
  /** Set when an expression failed to evaluate (the condition is taken not to hold). */
  error?: string;
}

const pointer = (property: string): string => `/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`;

function readTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

async function holds(expression: CompiledCondition['when'], twin: Record<string, unknown>): Promise<boolean> {
  return (await expression.evaluate(twin)) === true;
}

/** The patch one condition needs on this twin at `nowMs` (ops empty = nothing to write). */
export async function decideCondition(condition: CompiledCondition, stored: Twin, nowMs: number): Promise<ConditionDecision> {
  const twin = withoutUnsafeKeys(stored as Record<string, unknown>);
  const state = ownValue(twin, condition.property);
  const raised = state === condition.raised;
  const pendingSince = condition.pending === undefined ? undefined : readTime(ownValue(twin, condition.pending));
  const pendingExists = condition.pending !== undefined && ownValue(twin, condition.pending) !== undefined;
  const decision: ConditionDecision = { condition: condition.name, step: undefined, ops: [] };
  let moving: boolean;
  try {
    // A twin the `where` leaves out does not carry the condition: its state is left as it is, and a
    // duration it was holding ends (so the sweep does not find it again).
    if (condition.where && !(await holds(condition.where, twin))) {
      if (pendingExists && condition.pending !== undefined) {
        decision.ops.push({ op: 'remove', path: pointer(condition.pending) });
        decision.step = 'pendingEnded';
      }
      return decision;
    }
    if (raised) moving = condition.clear ? await holds(condition.clear, twin) : !(await holds(condition.when, twin));
    else moving = await holds(condition.when, twin);
  } catch (error) {
    decision.error = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
    moving = false;
  }
  const removePending = (): void => {
    if (pendingExists && condition.pending !== undefined) decision.ops.push({ op: 'remove', path: pointer(condition.pending) });
  };
  // A twin without the state yet gets the cleared state with whatever else is written first, so
  // every instance writes the same document whichever of them wins.
  const initialise = (): void => {
    if (state === undefined && decision.error === undefined)
      decision.ops.push({ op: 'add', path: pointer(condition.property), value: condition.cleared });
  };
  if (!moving) {
    initialise();
    if (pendingExists) {
      removePending();
      decision.step = 'pendingEnded';
    } else if (decision.ops.length > 0) decision.step = 'initialised';
    return decision;
  }
  const durationMs = raised ? condition.clearAfterMs : condition.raiseAfterMs;
  let atMs: number;
  if (durationMs === 0) atMs = nowMs;
  else if (pendingSince === undefined) {
    // Start the clock; the patch's If-Match makes the first writer win, so "since T" is written once.
    const at = new Date(nowMs).toISOString();
    initialise();
    decision.ops.push({ op: 'add', path: pointer(condition.pending as string), value: at });
    decision.step = 'pendingStarted';
    decision.at = at;
    return decision;
  } else if (nowMs - pendingSince >= durationMs) atMs = pendingSince + durationMs;
  else return decision;
  const at = new Date(atMs).toISOString();
  decision.ops.push({ op: 'add', path: pointer(condition.property), value: raised ? condition.cleared : condition.raised });
  if (condition.since !== undefined) decision.ops.push({ op: 'add', path: pointer(condition.since), value: at });
  removePending();
  decision.step = raised ? 'cleared' : 'raised';
  decision.at = at;
  return decision;
}
